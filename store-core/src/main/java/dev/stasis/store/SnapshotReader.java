package dev.stasis.store;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The logical bytes of a one-file snapshot, verified as they stream: at the end the stored
 * bytes must match the checksum record, and a name of SHA-256 form must equal the SHA-256 of
 * the logical bytes (stasis) or of the stored file (Dysnomia). Otherwise the last read throws
 * {@link IntegrityException}, so a consumer that reads to the end never accepts damage; damage
 * that stops the decompressor earlier is reported the same way, as soon as it is met.
 *
 * <p>A mirror reads through one made by {@link #copying}, which also hands every stored byte to
 * the destination's writer as it passes: one read of the source sends the file and verifies its
 * checksum record and its name.
 */
public final class SnapshotReader implements Closeable {
  private final SnapshotRef snapshot;
  private final String file;
  private final Compression compression;
  private final String expected;
  private final Digesting stored;
  private final InputStream logical;
  /** A chunked snapshot's chunks, as they are read; null for the other forms. */
  private final Chunks.Logical chunks;
  private final MessageDigest idDigest = DysnomiaChecksum.sha256();
  private boolean verified;

  /** @param chunkSource where a chunked snapshot's chunks are; null where none can be read */
  private SnapshotReader(SnapshotRef snapshot, String file, String expected, InputStream raw, OutputStream copy,
      Backend chunkSource) throws IOException {
    this.snapshot = snapshot;
    this.file = file;
    this.compression = Compression.ofFileName(file);
    this.expected = expected;
    this.stored = new Digesting(raw, copy, DysnomiaChecksum.startOneFile(file), DysnomiaChecksum.sha256());
    if (compression == Compression.CHUNKED) {
      if (chunkSource == null) {
        raw.close();
        throw new StoreException("snapshot %s is chunked: its chunks are not sent as one stream (mirror it with"
            + " stasis mirror, or make a plain copy with stasis export-dysnomia)", snapshot);
      }
      this.chunks = new Chunks.Logical(chunkSource, new BufferedInputStream(stored, 1 << 16), snapshot.toString());
      this.logical = new Verifying(chunks);
      return;
    }
    this.chunks = null;
    InputStream decompressed;
    try {
      decompressed = compression.decompress(new BufferedInputStream(stored, 1 << 16));
    } catch (IOException e) {  // xz reads its header here
      try {
        throw damaged(e);
      } finally {
        raw.close();
      }
    }
    this.logical = new Verifying(decompressed);
  }

  static SnapshotReader open(Store store, SnapshotRef snapshot) throws IOException {
    List<ObjectInfo> files = store.files(snapshot);
    if (files.isEmpty()) {
      throw new NotFoundException("no snapshot %s in %s (see --query-all)", snapshot, store.location(snapshot));
    }
    if (files.size() != 1) {
      throw new StoreException("snapshot %s holds %d files; only one-file snapshots can be read as a stream",
          snapshot, files.size());
    }
    String expected = store.checksum(snapshot).orElseThrow(() -> new IntegrityException(
        "snapshot %s has no checksum; refusing to use unverified data (run check)", snapshot));
    Key key = files.get(0).key();
    return new SnapshotReader(snapshot, key.name(), expected, store.backend().open(key), null, store.backend());
  }

  /**
   * A reader of {@code file}, the one object of {@code snapshot} (the caller found it and its
   * checksum record {@code expected}), that writes every stored byte to {@code copy} as it is
   * read. What {@code copy} received is good only if reading {@link #logical()} to its end
   * throws nothing. A failure to write {@code copy} is passed on as the I/O error it is, never
   * taken for damage.
   */
  static SnapshotReader copying(Backend backend, SnapshotRef snapshot, Key file, String expected, OutputStream copy)
      throws IOException {
    return new SnapshotReader(snapshot, file.name(), expected, backend.open(file), copy, null);
  }

  /** As {@link #copying}, for bytes arriving as a stream from elsewhere rather than from a backend. */
  static SnapshotReader receiving(SnapshotRef snapshot, String file, String expected, InputStream raw,
      OutputStream copy) throws IOException {
    return new SnapshotReader(snapshot, file, expected, raw, copy, null);
  }

  public SnapshotRef snapshot() {
    return snapshot;
  }

  /** The stored file's name, such as {@code dump.pgsql.zst}. */
  public String file() {
    return file;
  }

  public Compression compression() {
    return compression;
  }

  /** The logical bytes; reading to the end verifies them. */
  public InputStream logical() {
    return logical;
  }

  /** Whether the bytes were read to the end and verified. */
  public boolean verified() {
    return verified;
  }

  @Override
  public void close() throws IOException {
    logical.close();
  }

  private void verify() throws IOException {
    String computed = drainChecksum();
    if (!computed.equals(expected)) {
      throw DamageException.mismatch(computed, "Checksum mismatch detected for snapshot: %s, we have:"
          + " '%s', we expect: '%s'", snapshot, computed, expected);
    }
    String name = snapshot.name().value();
    String logicalHex = HexFormat.of().formatHex(idDigest.digest());
    String fileHex = HexFormat.of().formatHex(stored.file.digest());
    if (snapshot.name().isSha256() && !name.equals(logicalHex) && !name.equals(fileHex)) {
      throw new DamageException(CheckReport.Kind.NAME_MISMATCH, "snapshot %s does not match its name: its content"
          + " hashes to %s and its file to %s (stored under another snapshot's name?)", snapshot, logicalHex, fileHex);
    }
    verified = true;
  }

  /** Reads the stored bytes to their end and returns their checksum. */
  private String drainChecksum() throws IOException {
    byte[] buffer = new byte[1 << 16];
    while (stored.read(buffer) >= 0) {
      // a decompressor may stop before trailing bytes; the checksum covers them all
    }
    return DysnomiaChecksum.format(stored.checksum.digest());
  }

  /**
   * A decompressor that fails is damage, an integrity error (exit 3), unless reading the store
   * itself failed (an I/O error, returned as it is): the checksum of the whole file says whether
   * the bytes changed since they were stored; if they did not, they were damaged before their
   * checksum was made (or both were rewritten), and the content is still unusable.
   */
  private IOException damaged(IOException e) throws IOException {
    if (stored.failed || chunks != null && chunks.ioFailed()) {
      return e;
    }
    String computed = drainChecksum();
    DamageException damage;
    if (!computed.equals(expected)) {
      damage = DamageException.mismatch(computed, "Checksum mismatch detected for snapshot: %s, we have:"
          + " '%s', we expect: '%s' (%s)", snapshot, computed, expected, decompressor(e));
    } else {
      damage = new DamageException(CheckReport.Kind.CORRUPT_CONTENT, "snapshot %s is damaged: its %s data does not"
          + " decompress (%s), though it matches its checksum record; use another generation", snapshot,
          compression.word(), decompressor(e));
    }
    damage.initCause(e);
    throw damage;
  }

  /**
   * A chunk that is missing or damaged is the chunk's damage when the index is as it was stored;
   * when the index is not, the index's (the chunk it named may never have existed).
   */
  private DamageException chunkDamaged(DamageException e) throws IOException {
    String computed = drainChecksum();
    if (computed.equals(expected)) {
      return e;
    }
    DamageException damage = DamageException.mismatch(computed, "Checksum mismatch detected for snapshot: %s, we have:"
        + " '%s', we expect: '%s' (its index is damaged: %s)", snapshot, computed, expected, e.getMessage());
    damage.initCause(e);
    return damage;
  }

  /** What a decompressor said, in words that do not suggest anything was restored. */
  private static String decompressor(IOException e) {
    String said = String.valueOf(e.getMessage());
    if (said.contains("doesn't match checksum")) {  // zstd-jni: "Restored data doesn't match checksum"
      return "the decompressed bytes do not match the frame's own checksum";
    }
    return said;
  }

  /**
   * Feeds every byte read into the checksum and the file digest, and to the copy if there is
   * one; remembers whether reading the store or writing the copy failed (an I/O error, not damage).
   */
  private static final class Digesting extends FilterInputStream {
    final OutputStream copy;
    final MessageDigest checksum;
    final MessageDigest file;
    boolean failed;

    Digesting(InputStream in, OutputStream copy, MessageDigest checksum, MessageDigest file) {
      super(in);
      this.copy = copy;
      this.checksum = checksum;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
      if (n > 0) {
        checksum.update(b, off, n);
        file.update(b, off, n);
        if (copy != null) {
          try {
            copy.write(b, off, n);
          } catch (IOException e) {
            failed = true;
            throw e;
          }
        }
      }
      return n;
    }

    @Override
    public long skip(long n) {
      return 0;  // every byte must pass through the digests
    }
  }

  /** Hashes the logical bytes and verifies everything at the end of the stream. */
  private final class Verifying extends FilterInputStream {
    private boolean ended;

    Verifying(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (ended) {
        return -1;
      }
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        ended = true;
        throw damaged(e);
      } catch (DamageException e) {
        ended = true;
        throw chunkDamaged(e);
      }
      if (n > 0) {
        idDigest.update(b, off, n);
      } else if (n < 0) {
        ended = true;
        verify();
      }
      return n;
    }

    @Override
    public long skip(long n) {
      return 0;  // every byte must pass through the digest
    }
  }
}
