package dev.stasis.store;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Immutable objects by {@link Key}, plus generation links; the bytes under a {@link Store}.
 *
 * <p>Guarantees every implementation keeps (pinned by {@code BackendContract}):
 * <ol>
 *   <li>An object written through {@link #create()} is visible only after
 *       {@link ObjectWriter#commit(Key)}, with all its bytes or not at all; a writer closed
 *       without commit leaves nothing behind.</li>
 *   <li>Committing to an existing key replaces the object atomically.</li>
 *   <li>{@link #delete(Key)} of a missing key succeeds.</li>
 *   <li>{@link #list(Key, Consumer)} shows committed objects only: no staging or temporary data.</li>
 *   <li>{@link #stat(Key)} and {@link #open(Key)} see a committed object at once.</li>
 *   <li>Generation links are created so that of two creators of one number at most one wins;
 *       the other is told {@code false} and takes another number. (On a filesystem and on S3
 *       exactly one wins; on S3-compatible servers whose conditional writes are not atomic,
 *       both may lose, and the retry settles it.)</li>
 * </ol>
 */
public interface Backend extends Closeable {
  /** Size of the object at {@code key}, or empty if there is none. */
  Optional<ObjectInfo> stat(Key key) throws IOException;

  /**
   * Reads the object at {@code key}.
   *
   * @throws NotFoundException if there is none
   */
  InputStream open(Key key) throws IOException;

  /** Starts a staged object; see {@link ObjectWriter}. */
  ObjectWriter create() throws IOException;

  /** Deletes the object at {@code key}; nothing there is fine. Durable when it returns. */
  void delete(Key key) throws IOException;

  /**
   * Deletes every one of {@code keys}; all are durably gone when it returns, but a crash
   * meanwhile may keep any of them. For many deletions at once (garbage collection), where a
   * backend can save work per key: a filesystem syncs each directory once.
   */
  default void deleteAll(List<Key> keys) throws IOException {
    for (Key key : keys) {
      delete(key);
    }
  }

  /**
   * Every committed object at or under {@code prefix}, recursively. Order: the backend's own
   * (on a filesystem, the order {@code find} walks in, which Dysnomia's checksum follows).
   */
  void list(Key prefix, Consumer<ObjectInfo> sink) throws IOException;

  /** The generation links of this store. */
  GenerationLinks generations();

  /** Where {@code key} is, for people and scripts: an absolute path or a URL. */
  String location(Key key);
}
