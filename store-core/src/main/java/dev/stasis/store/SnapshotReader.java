package dev.stasis.store;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The logical bytes of a one-file snapshot, verified as they stream: at the end the stored
 * bytes must match the checksum record, and a name of SHA-256 form must equal the SHA-256 of
 * the logical bytes (stasis) or of the stored file (Dysnomia). Otherwise the last read throws
 * {@link IntegrityException}, so a consumer that reads to the end never accepts damage; damage
 * that stops the decompressor earlier is reported the same way, as soon as it is met.
 */
public final class SnapshotReader implements Closeable {
  private final SnapshotRef snapshot;
  private final String file;
  private final Compression compression;
  private final String expected;
  private final Digesting stored;
  private final InputStream logical;
  private final MessageDigest idDigest = DysnomiaChecksum.sha256();
  private boolean verified;

  private SnapshotReader(SnapshotRef snapshot, String file, String expected, InputStream raw) throws IOException {
    this.snapshot = snapshot;
    this.file = file;
    this.compression = Compression.ofFileName(file);
    this.expected = expected;
    this.stored = new Digesting(raw, DysnomiaChecksum.startOneFile(file), DysnomiaChecksum.sha256());
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
    return new SnapshotReader(snapshot, key.name(), expected, store.backend().open(key));
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
      throw new IntegrityException("checksum mismatch for snapshot %s: the bytes give '%s', the record says '%s'",
          snapshot, computed, expected);
    }
    String name = snapshot.name().value();
    String logicalHex = HexFormat.of().formatHex(idDigest.digest());
    String fileHex = HexFormat.of().formatHex(stored.file.digest());
    if (snapshot.name().isSha256() && !name.equals(logicalHex) && !name.equals(fileHex)) {
      throw new IntegrityException("snapshot %s does not match its name: its content hashes to %s", snapshot, logicalHex);
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
   * A decompressor that fails on damaged bytes is an integrity error, not an I/O error: the
   * checksum of the whole file tells which. Returns {@code e} when the bytes are intact.
   */
  private IOException damaged(IOException e) throws IOException {
    String computed = drainChecksum();
    if (!computed.equals(expected)) {
      IntegrityException damage = new IntegrityException("checksum mismatch for snapshot %s: the bytes give '%s',"
          + " the record says '%s' (%s)", snapshot, computed, expected, e.getMessage());
      damage.initCause(e);
      throw damage;
    }
    return e;
  }

  /** Feeds every byte read into the checksum and the file digest. */
  private static final class Digesting extends FilterInputStream {
    final MessageDigest checksum;
    final MessageDigest file;

    Digesting(InputStream in, MessageDigest checksum, MessageDigest file) {
      super(in);
      this.checksum = checksum;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        checksum.update((byte) b);
        file.update((byte) b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        checksum.update(b, off, n);
        file.update(b, off, n);
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
