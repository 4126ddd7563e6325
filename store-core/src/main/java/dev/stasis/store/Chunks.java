package dev.stasis.store;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The chunks of chunked snapshots and the index that lists them.
 *
 * <p>A chunked snapshot's one file ({@code dump.pgsql.cdc}) is its index, plain text: the line
 * {@value #HEADER}, then one line per chunk in stream order, {@code <sha256 hex> <length>}. The
 * checksum record is Dysnomia's over that file, so Dysnomia's tools list, check and collect the
 * snapshot as any other. Each chunk is stored once per store at
 * {@link StoreLayout#chunk(String)}: one zstd frame (with its content checksum) of the chunk's
 * bytes, named by their SHA-256. A chunk is read back verified: it must decompress to its
 * length, and its bytes must hash to its name.
 */
final class Chunks {
  static final String HEADER = "stasis-cdc 1";
  /** The longest line an index holds: 64 digits, a space, a length, a newline. */
  private static final int LONGEST_LINE = 64 + 1 + 10 + 1;
  /** The most a chunk of an index may hold: what a damaged index can make a reader allocate. */
  static final int LARGEST = Chunker.MAX;

  private Chunks() {}

  /** One line of an index. */
  record Entry(String sha256, int length) {}

  /** The index's first line, with its newline. */
  static byte[] header() {
    return (HEADER + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The index line of a chunk, with its newline. */
  static byte[] line(String sha256, int length) {
    return (sha256 + " " + length + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Reads an index's lines one at a time, so a reader holds one line of it, however long the
   * stream. A malformed index is an {@link IOException} that says so (the caller knows whether
   * its bytes were damaged: the checksum record tells).
   */
  static final class IndexReader {
    private final InputStream in;
    private final String what;
    private boolean started;
    private long offset;

    /** @param what the snapshot, for messages */
    IndexReader(InputStream in, String what) {
      this.in = in;
      this.what = what;
    }

    /** The next chunk, or null at the end of the index. */
    Entry next() throws IOException {
      if (!started) {
        started = true;
        String header = readLine();
        if (!HEADER.equals(header)) {
          throw new IOException("the index of " + what + " does not start with '" + HEADER + "'");
        }
      }
      String line = readLine();
      if (line == null) {
        return null;
      }
      int space = line.indexOf(' ');
      if (space != 64 || !SnapshotId.isHex(line.substring(0, 64))) {
        throw new IOException("the index of " + what + " has a malformed line: " + Names.printable(line));
      }
      int length;
      try {
        length = Integer.parseInt(line.substring(65));
      } catch (NumberFormatException e) {
        length = -1;
      }
      if (length < 1 || length > LARGEST || !line.substring(65).equals(Integer.toString(length))) {
        throw new IOException("the index of " + what + " has a chunk of a bad length: " + Names.printable(line));
      }
      Entry entry = new Entry(line.substring(0, 64), length);
      offset += length;
      return entry;
    }

    /** Logical bytes listed so far. */
    long offset() {
      return offset;
    }

    private String readLine() throws IOException {
      StringBuilder b = new StringBuilder(LONGEST_LINE);
      while (true) {
        int c = in.read();
        if (c < 0) {
          if (b.length() == 0) {
            return null;
          }
          throw new IOException("the index of " + what + " ends in the middle of a line");
        }
        if (c == '\n') {
          return b.toString();
        }
        if (b.length() >= LONGEST_LINE) {
          throw new IOException("the index of " + what + " has a line too long to be an index line");
        }
        b.append((char) c);
      }
    }
  }

  /** A chunked snapshot's index, read whole (it is small: about 40 KiB per GiB of stream). */
  static byte[] readIndex(Backend backend, Key file) throws IOException {
    try (InputStream in = backend.open(file)) {
      return in.readAllBytes();
    }
  }

  /** Dysnomia's checksum record of a snapshot whose one file is the index {@code file} holding {@code index}. */
  static String checksumOf(Key file, byte[] index) {
    MessageDigest digest = DysnomiaChecksum.startOneFile(file.name());
    digest.update(index);
    return DysnomiaChecksum.format(digest.digest());
  }

  /** The damage of a chunk that is not in {@code backend}. */
  static DamageException missing(Backend backend, String sha256) {
    return new DamageException(CheckReport.Kind.MISSING_CHUNK, "chunk %s is missing (%s): it was deleted or never"
        + " arrived", sha256, backend.location(StoreLayout.chunk(sha256)));
  }

  /** Whether the chunk is in {@code backend}. */
  static boolean has(Backend backend, String sha256) throws IOException {
    return backend.stat(StoreLayout.chunk(sha256)).isPresent();
  }

  /**
   * Compresses {@code chunk} into the chunk object {@code sha256} of {@code store} (straight to
   * its key where the backend writes so) and commits it; returns the stored size.
   */
  static long write(Store store, String sha256, ChunkingOutput.Cut chunk, int level) throws IOException {
    Key key = StoreLayout.chunk(sha256);
    try (ObjectWriter writer = store.receive(key)) {
      SnapshotCopy.Sent counted = new SnapshotCopy.Sent(writer.output(), new Mirror.Listener() {});
      // its output buffer comes from a pool: one per chunk would be garbage that grows the heap
      try (ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(counted, RecyclingBufferPool.INSTANCE,
          level)) {
        z.setChecksum(true);
        chunk.forEach((segment, n) -> z.write(segment, 0, n));
      }
      writer.commit(key);
      return counted.count;
    }
  }

  /** Writes a chunk's stored bytes, as read from another store and verified ({@link Reader#stored}). */
  static void writeStored(Store store, String sha256, byte[] stored, int length) throws IOException {
    Key key = StoreLayout.chunk(sha256);
    try (ObjectWriter writer = store.receive(key)) {
      writer.output().write(stored, 0, length);
      writer.commit(key);
    }
  }

  /**
   * Reads chunks verified, into buffers it reuses: {@link #read} gives a chunk's bytes, which
   * stay valid until the next call.
   */
  static final class Reader {
    private final Backend backend;
    private final MessageDigest sha = DysnomiaChecksum.sha256();
    private byte[] stored = new byte[1 << 20];
    private int storedLength;
    private byte[] data = new byte[0];
    /** Whether the last failure was reading the store (an I/O error), not damage. */
    boolean ioFailed;

    Reader(Backend backend) {
      this.backend = backend;
    }

    /**
     * The bytes of the chunk, decompressed and verified.
     *
     * @throws DamageException when it is missing, does not decompress, is not {@code length}
     *     bytes long or does not hash to its name; its message names the chunk, not a snapshot
     */
    byte[] read(Entry chunk) throws IOException {
      readStored(chunk);
      if (data.length < chunk.length()) {
        data = new byte[Math.max(chunk.length(), Math.min(LARGEST, 2 * data.length))];
      }
      long n;
      try {
        n = Zstd.decompressByteArray(data, 0, chunk.length(), stored, 0, storedLength);
      } catch (ZstdException e) {
        throw damaged(chunk, "does not decompress (" + e.getMessage() + ")");
      }
      if (Zstd.isError(n)) {
        throw damaged(chunk, "does not decompress (" + Zstd.getErrorName(n) + ")");
      }
      if (n != chunk.length()) {
        throw damaged(chunk, "holds " + n + " bytes, not the " + chunk.length() + " the index lists");
      }
      sha.update(data, 0, chunk.length());
      String got = HexFormat.of().formatHex(sha.digest());
      if (!got.equals(chunk.sha256())) {
        throw damaged(chunk, "does not match its name: its bytes hash to " + got);
      }
      return data;
    }

    /** The stored (compressed) bytes of the chunk last {@link #read}, valid until the next call. */
    byte[] stored() {
      return stored;
    }

    int storedLength() {
      return storedLength;
    }

    private void readStored(Entry chunk) throws IOException {
      ioFailed = false;
      Key key = StoreLayout.chunk(chunk.sha256());
      try (InputStream in = backend.open(key)) {
        storedLength = 0;
        for (int n; (n = in.read(stored, storedLength, stored.length - storedLength)) >= 0; ) {
          storedLength += n;
          if (storedLength == stored.length) {
            if (stored.length > Zstd.compressBound(LARGEST) + 64) {
              throw damaged(chunk, "is larger than any chunk's zstd frame");
            }
            stored = Arrays.copyOf(stored, 2 * stored.length);
          }
        }
      } catch (NotFoundException e) {
        DamageException missing = missing(backend, chunk.sha256());
        missing.initCause(e);
        throw missing;
      } catch (DamageException e) {
        throw e;
      } catch (IOException e) {
        ioFailed = true;
        throw e;
      }
    }

    private DamageException damaged(Entry chunk, String how) {
      return new DamageException(CheckReport.Kind.DAMAGED_CHUNK, "chunk %s (%s) %s", chunk.sha256(),
          backend.location(StoreLayout.chunk(chunk.sha256())), how);
    }
  }

  /**
   * The logical bytes of a chunked snapshot, from its index as it is read, each chunk verified
   * before any of its bytes are given out. Whether the index itself and the whole stream are
   * right is the reader's to verify ({@link SnapshotReader}).
   */
  static final class Logical extends InputStream {
    private final IndexReader entries;
    private final Reader reader;
    private final String what;
    private byte[] data;
    private int at;
    private int end;

    Logical(Backend backend, InputStream index, String what) {
      this.entries = new IndexReader(index, what);
      this.reader = new Reader(backend);
      this.what = what;
    }

    /** Whether the last failure was reading the store, not damage. */
    boolean ioFailed() {
      return reader.ioFailed;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (at == end) {
        Entry e = entries.next();
        if (e == null) {
          return -1;
        }
        try {
          data = reader.read(e);
        } catch (DamageException d) {
          DamageException broken = new DamageException(d.kind(), "snapshot %s is damaged at byte %d: %s", what,
              entries.offset() - e.length(), d.getMessage());
          broken.initCause(d);
          throw broken;
        }
        at = 0;
        end = e.length();
      }
      int n = Math.min(len, end - at);
      System.arraycopy(data, at, b, off, n);
      at += n;
      return n;
    }
  }
}
