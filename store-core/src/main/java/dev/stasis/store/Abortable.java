package dev.stasis.store;

/**
 * A compressing stream that can be dropped unfinished: {@link #abort()} stops its threads or
 * child process at once and discards what was written. Idempotent; closing after it does nothing.
 */
interface Abortable {
  void abort();
}
