package dev.stasis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * An ingest's lazy start: its stream is compared with the logical bytes of the component's
 * newest snapshot before anything is compressed or written, so an unchanged dump costs its
 * id's hash and one decompression, and leaves no file behind. At the first chunk that differs
 * the sink replays the matched prefix from the snapshot into the compressor and goes on as an
 * ordinary ingest.
 *
 * <p>The snapshot's checksum record is verified in the same pass (its stored bytes are read to
 * their end): a snapshot that is damaged, misnamed or read short is never taken for this
 * stream. The replay is guarded by a CRC-32C of the prefix as it was compared, so a snapshot
 * replaced meanwhile fails the ingest instead of storing other bytes under this stream's id.
 */
final class Comparison implements AutoCloseable {
  private final Store store;
  private final SnapshotRef snapshot;
  private final Key key;
  private final Compression compression;
  private final String checksum;
  private final long storedSize;
  private final byte[] buffer = new byte[Ingest.CHUNK];
  private final CRC32C prefix = new CRC32C();
  private final MessageDigest stored;
  private final DigestInputStream raw;
  private final InputStream logical;
  private long matched;
  private boolean diverged;

  private Comparison(Store store, SnapshotRef snapshot, ObjectInfo file, String checksum) throws IOException {
    this.store = store;
    this.snapshot = snapshot;
    this.key = file.key();
    this.compression = Compression.ofFileName(key.name());
    this.checksum = checksum;
    this.storedSize = file.size();
    this.stored = DysnomiaChecksum.startOneFile(key.name());
    this.raw = new DigestInputStream(store.backend().open(key), stored);
    InputStream decompressed;
    try {
      decompressed = compression.decompress(raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
    this.logical = decompressed;
  }

  /**
   * The comparison with {@code component}'s newest snapshot, when it is a one-file snapshot of
   * {@code file} (same name, so same compression) with a checksum record; else empty, and the
   * ingest writes from its first byte.
   */
  static Optional<Comparison> withNewest(Store store, ComponentRef component, String file) throws IOException {
    Optional<Generation> newest = store.latest(component);
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    SnapshotRef snapshot = newest.get().snapshotRef();
    List<ObjectInfo> files = store.files(snapshot);
    if (files.size() != 1 || !files.get(0).key().name().equals(file)) {
      return Optional.empty();
    }
    Optional<String> checksum = store.checksum(snapshot);
    if (checksum.isEmpty() || !DysnomiaChecksum.isWellFormed(checksum.get())) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Comparison(store, snapshot, files.get(0), checksum.get()));
    } catch (NotFoundException gone) {
      return Optional.empty();  // collected since it was listed
    }
  }

  SnapshotRef snapshot() {
    return snapshot;
  }

  String checksum() {
    return checksum;
  }

  long storedSize() {
    return storedSize;
  }

  /**
   * Whether the next {@code length} logical bytes of the snapshot are {@code chunk}'s; after the
   * first false it stays false. A snapshot that cannot be read (damaged, deleted) differs.
   */
  boolean matches(byte[] chunk, int length) {
    if (diverged) {
      return false;
    }
    try {
      int n = logical.readNBytes(buffer, 0, length);
      if (n == length && Arrays.equals(buffer, 0, length, chunk, 0, length)) {
        prefix.update(chunk, 0, length);
        matched += length;
        return true;
      }
    } catch (IOException | RuntimeException unreadable) {
      // it differs: the ingest writes the stream itself
    }
    diverged = true;
    return false;
  }

  /**
   * Whether the whole stream was the snapshot's: every chunk matched, the snapshot ends there,
   * its stored bytes give its checksum record, and its name is {@code id} (the stream's id).
   */
  boolean sameAs(SnapshotId id) {
    if (diverged || !id.name().equals(snapshot.name())) {
      return false;
    }
    try {
      if (logical.read() != -1) {
        return false;
      }
      while (raw.read(buffer) >= 0) {
        // the stored bytes after the logical end (a frame's checksum) count towards the record
      }
      return DysnomiaChecksum.format(stored.digest()).equals(checksum);
    } catch (IOException | RuntimeException unreadable) {
      return false;
    }
  }

  /**
   * Writes the matched prefix, read from the snapshot again, to {@code out}.
   *
   * @throws StoreException if the snapshot no longer holds the bytes it held when compared
   */
  void replay(OutputStream out) throws IOException {
    close();
    if (matched == 0) {
      return;
    }
    CRC32C again = new CRC32C();
    long left = matched;
    try (InputStream in = compression.decompress(store.backend().open(key))) {
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        again.update(buffer, 0, n);
        out.write(buffer, 0, n);
        left -= n;
      }
    } catch (NotFoundException gone) {
      throw changed();
    }
    if (left != 0 || again.getValue() != prefix.getValue()) {
      throw changed();
    }
  }

  /** Bytes of the stream found equal so far. */
  long matched() {
    return matched;
  }

  private StoreException changed() {
    return new StoreException("snapshot %s changed while this ingest compared its stream with it (was gc running?);"
        + " nothing was stored, run the snapshot again", snapshot);
  }

  @Override
  public void close() {
    try {
      logical.close();
    } catch (IOException ignored) {
      // only read from
    }
  }
}
