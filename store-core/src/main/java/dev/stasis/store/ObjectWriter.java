package dev.stasis.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A staged object being written. Bytes go to {@link #output()}; {@link #commit(Key)} makes
 * them durable and publishes them at a key in one atomic step; {@link #close()} without a
 * commit discards everything.
 *
 * <pre>{@code
 * try (ObjectWriter w = backend.create()) {
 *   w.output().write(bytes);
 *   w.commit(key);
 * }
 * }</pre>
 */
public interface ObjectWriter extends Closeable {
  /** Where the bytes go. Closing it only flushes: it neither commits nor aborts. */
  OutputStream output();

  /**
   * Flushes, makes the bytes durable and publishes them at {@code key}, replacing an object
   * already there. A key's parent directory, if the backend has directories, appears together
   * with its first object. At most once; the writer is closed afterwards.
   */
  void commit(Key key) throws IOException;

  /** Discards the staged bytes unless committed. Idempotent. */
  @Override
  void close();

  /** Where the staged bytes are, for diagnostics. */
  String describe();
}
