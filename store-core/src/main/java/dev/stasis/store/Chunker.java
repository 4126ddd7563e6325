package dev.stasis.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Cuts a stream into content-defined chunks, as FastCDC does (Xia et al., "FastCDC: a Fast and
 * Efficient Content-Defined Chunking Approach for Data Deduplication", USENIX ATC 2016): a gear
 * rolling hash ({@code h = (h << 1) + GEAR[byte]}, so each bit depends on the last 64 bytes at
 * most) is tested against a mask after every byte, and a chunk ends where the masked bits are all
 * zero. Three of FastCDC's ideas are kept: the first {@link #MIN} bytes of a chunk are skipped
 * unhashed; normalized chunking, a harder mask before {@link #AVERAGE} bytes and an easier one
 * after, which narrows the sizes around the average; and a hard cut at {@link #MAX}.
 *
 * <p>Because a cut depends only on the 64 bytes before it, an insertion or deletion moves the
 * cuts of the chunk it falls in (and rarely the next one); every later chunk is cut as before,
 * so it keeps its SHA-256 and is stored once.
 *
 * <p>The gear table and the masks are part of the format in the sense that changing them cuts
 * every stream differently (nothing is lost, but nothing deduplicates against older chunks): the
 * table is derived from SHA-256, not drawn at random, and {@code ChunkerTest} pins the cuts.
 */
final class Chunker {
  /** No chunk but a stream's last is shorter. */
  static final int MIN = 512 << 10;
  /** Where the mask becomes easier; chunks of random data average about 2 MiB. */
  static final int AVERAGE = 2 << 20;
  /** No chunk is longer. */
  static final int MAX = 8 << 20;

  /** 21 bits must be zero before {@link #AVERAGE}, 19 after (FastCDC's normalization level 1). */
  private static final long MASK_SMALL = topBits(21);
  private static final long MASK_LARGE = topBits(19);
  private static final long[] GEAR = gear();

  private long hash;
  /** Bytes of the current chunk seen so far. */
  private int size;

  /**
   * Reads {@code b[off, off + len)} as the continuation of the current chunk.
   *
   * @return how many of those bytes end the chunk (it is cut after them, and the next chunk starts
   *     with the rest), or -1 when all of them belong to it and it goes on
   */
  int scan(byte[] b, int off, int len) {
    int base = size - off;  // the chunk's size after b[p] is base + p + 1
    int end = off + len;
    int p = Math.min(end, Math.max(off, MIN - base));  // FastCDC skips the first MIN bytes unhashed
    long h = hash;
    for (int stop = Math.min(end, AVERAGE - base); p < stop; ) {
      h = (h << 1) + GEAR[b[p++] & 0xff];
      if ((h & MASK_SMALL) == 0) {
        return cut(p - off);
      }
    }
    for (int stop = Math.min(end, MAX - base); p < stop; ) {
      h = (h << 1) + GEAR[b[p++] & 0xff];
      if ((h & MASK_LARGE) == 0) {
        return cut(p - off);
      }
    }
    if (base + p >= MAX) {
      return cut(p - off);
    }
    size = base + p;
    hash = h;
    return -1;
  }

  /** Ends the current chunk after {@code taken} bytes of this scan. */
  private int cut(int taken) {
    hash = 0;
    size = 0;
    return taken;
  }

  /** The mask of the top {@code n} bits: the bits that depend on the most bytes. */
  private static long topBits(int n) {
    return -1L << (64 - n);
  }

  /** 256 well-mixed 64-bit values: the first 8 bytes of SHA-256("stasis gear " + i). */
  private static long[] gear() {
    long[] table = new long[256];
    MessageDigest sha = DysnomiaChecksum.sha256();
    for (int i = 0; i < 256; i++) {
      byte[] d = sha.digest(("stasis gear " + i).getBytes(StandardCharsets.US_ASCII));
      long v = 0;
      for (int k = 0; k < 8; k++) {
        v = (v << 8) | (d[k] & 0xff);
      }
      table[i] = v;
    }
    return table;
  }
}
