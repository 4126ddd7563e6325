package dev.stasis.store;

import java.time.Duration;

/**
 * Locks over one store, across threads and processes. A lock is held only for short steps
 * (publish and link, gc), never for a whole dump.
 */
public interface StoreLocks {
  /**
   * Takes the store lock.
   *
   * @param operation what the holder does, recorded for diagnostics
   * @param wait how long to wait for other holders before giving up
   * @throws LockedException after {@code wait}, naming the holders
   */
  Held store(LockMode mode, String operation, Duration wait);

  /**
   * Serialises the publishers of one snapshot, inside a shared store lock, so two ingests of
   * the same content never interleave their checksum and snapshot writes.
   */
  Held snapshot(SnapshotRef snapshot, Duration wait);

  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }
}
