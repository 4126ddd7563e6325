package dev.stasis.store;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.tukaani.xz.LZMA2Options;

/**
 * How a snapshot's file is stored; the file name says which ({@code dump.pgsql.zst},
 * {@code dump.pgsql.xz}, {@code dump.pgsql}). xz with Dysnomia's file names is what the real
 * Dysnomia can restore.
 */
public enum Compression {
  ZSTD("zstd", ".zst"),
  XZ("xz", ".xz"),
  NONE("none", ""),
  /**
   * Content-defined chunks, each stored once per store (zstd), and an index as the snapshot's
   * file ({@link Chunks}): a new generation costs its changed chunks only. Read through the
   * store ({@link Store#read}), never by {@link #decompress}; the real Dysnomia cannot restore it.
   */
  CHUNKED("chunked", ".cdc");

  /** The longest suffix {@link #fileName(String)} appends: a logical file name must leave room for it. */
  static final int LONGEST_SUFFIX = ".zst".length();  // .cdc is as long

  /** zstd's own default level. */
  static final int ZSTD_LEVEL = 3;
  /**
   * zstd's own compressing threads, one per core here: the writing thread only feeds them, so
   * compression spreads over both cores while the ingest's threads wait.
   */
  static final int ZSTD_WORKERS = 2;
  /** Bytes per zstd job: 2 MiB keeps a process near 80 MiB resident (the default, 8 MiB at level 3, nears 120). */
  static final int ZSTD_JOB = 2 << 20;
  /** xz's own default preset, as the {@code xz} command uses. */
  static final int XZ_PRESET = 6;
  /**
   * Most threads for xz, in the child process or in Java: at preset 6 each holds about 140 MiB
   * (a 94 MiB encoder and its blocks' buffers), so memory stays bounded on a machine of many cores.
   */
  static final int XZ_MAX_THREADS = 4;

  private final String word;
  private final String suffix;

  Compression(String word, String suffix) {
    this.word = word;
    this.suffix = suffix;
  }

  /** The name on the command line: {@code zstd}, {@code xz} or {@code none}. */
  public String word() {
    return word;
  }

  /** The stored file's name for a logical file name: {@code dump.pgsql} becomes {@code dump.pgsql.zst}. */
  public String fileName(String logical) {
    return logical + suffix;
  }

  /**
   * Returns {@code logical} if it can be a stored file's name in every compression: safe as a
   * path segment ({@link Names#requireSafe(String, String)}) with room left for the suffix.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static String requireLogicalName(String logical) {
    return Names.requireSafe(logical, "file name", LONGEST_SUFFIX);
  }

  /** The logical file name for a stored one: the inverse of {@link #fileName(String)}. */
  public String logicalName(String stored) {
    return stored.substring(0, stored.length() - suffix.length());
  }

  /** Compression by its command-line word. */
  public static Compression parse(String word) {
    for (Compression c : values()) {
      if (c.word.equals(word.toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression '" + word + "' (zstd, xz, none or chunked)");
  }

  /** Compression of a stored file, judged by its name. */
  public static Compression ofFileName(String name) {
    for (Compression c : List.of(ZSTD, XZ, CHUNKED)) {
      if (name.endsWith(c.suffix)) {
        return c;
      }
    }
    return NONE;
  }

  /** The level used unless one is asked for: zstd's and xz's own defaults (a chunk's: zstd's); 0 for none. */
  public int defaultLevel() {
    return switch (this) {
      case ZSTD, CHUNKED -> ZSTD_LEVEL;
      case XZ -> XZ_PRESET;
      case NONE -> 0;
    };
  }

  /** Wraps {@code out} at the default level; closing the result finishes the stream and closes {@code out}. */
  public OutputStream compress(OutputStream out) throws IOException {
    return compress(out, defaultLevel());
  }

  /**
   * Wraps {@code out} at {@code level} (zstd 1 to 19 and negative fast levels, xz 0 to 9,
   * ignored for none); closing the result finishes the stream and closes {@code out}.
   */
  public OutputStream compress(OutputStream out, int level) throws IOException {
    return switch (this) {
      case ZSTD -> zstd(out, level);
      case XZ -> xz(out, level, SystemXzOnPath.FOUND);
      case NONE -> out;
      case CHUNKED -> throw new IllegalStateException("chunked snapshots are ingested through the store");
    };
  }

  /**
   * xz in blocks of a fixed size, with {@code systemXz} as a multi-threaded child process when
   * given, else in Java on several threads. The same input gives the same bytes on every run
   * and with any number of threads (but the two encoders differ from each other; both are .xz
   * that {@code xz -d} reads).
   */
  static OutputStream xz(OutputStream out, int level, Optional<Path> systemXz) throws IOException {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("xz levels are 0 to 9, not " + level);
    }
    int threads = Math.min(Runtime.getRuntime().availableProcessors(), XZ_MAX_THREADS);
    LZMA2Options options = new LZMA2Options(level);
    int blockSize = xzBlockSize(options);
    if (systemXz.isPresent()) {
      return SystemXz.start(systemXz.get(), out, level, blockSize, threads);
    }
    return ParallelXz.start(out, options, blockSize, Math.min(threads, xzWorkersThatFit(options, blockSize)));
  }

  /**
   * xz's own block size in multi-threaded mode: three times the dictionary, at least 1 MiB
   * (24 MiB at preset 6). Given explicitly, so no other xz version's default changes the bytes.
   */
  static int xzBlockSize(LZMA2Options options) {
    return Math.max(1 << 20, 3 * options.getDictSize());
  }

  /** Java workers that half the heap's free room holds, at least one (which the old one-thread encoder needed too). */
  private static int xzWorkersThatFit(LZMA2Options options, int blockSize) {
    Runtime runtime = Runtime.getRuntime();
    long room = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, room / 2 / ParallelXz.memoryPerWorker(options, blockSize)));
  }

  /** The {@code xz} command on PATH, looked up once. */
  private static final class SystemXzOnPath {
    static final Optional<Path> FOUND = SystemXz.find(System.getenv("PATH"));
  }

  private static OutputStream zstd(OutputStream out, int level) throws IOException {
    return zstdStream(out, level);
  }

  /** zstd as stasis writes it: a frame checksum, {@link #ZSTD_WORKERS} threads, {@link #ZSTD_JOB} jobs. */
  static ZstdOutputStreamNoFinalizer zstdStream(OutputStream out, int level) throws IOException {
    return new ZstdOutputStreamNoFinalizer(out, level).setChecksum(true).setWorkers(ZSTD_WORKERS)
        .setJobSize(ZSTD_JOB);
  }

  /** Wraps {@code in} to read the logical bytes back. */
  public InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case ZSTD -> new ZstdCompressorInputStream(in);
      case XZ -> new XZCompressorInputStream(in, true);
      case NONE -> in;
      case CHUNKED -> throw new IllegalStateException("chunked snapshots are read through the store");
    };
  }
}
