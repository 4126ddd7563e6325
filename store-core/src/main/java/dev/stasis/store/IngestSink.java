package dev.stasis.store;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sink thread of an {@link Ingest}: compresses, hashes and writes the chunks in order. After a failure it
 * only returns chunks to the pool, so the feeding side never waits forever; the failure
 * reaches the caller at its next write or at commit.
 *
 * <p>With a {@link Comparison} it first only compares the chunks with the newest snapshot's
 * logical bytes; the compressor starts at the first chunk that differs (after the matched
 * prefix is replayed into it), or never, when the whole stream was that snapshot's.
 */
final class IngestSink implements Runnable {
  /** Chunks in flight: read, being hashed into the id, being compressed and written. */
  static final int CHUNKS = 6;
  private static final int WRITE_BUFFER = 1 << 20;

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS);
  /** Each chunk's holders: the sink and the id's hasher; the last to finish returns it. */
  private final Map<byte[], AtomicInteger> holders = new IdentityHashMap<>();
  private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(CHUNKS + 1);
  private final int[] lengths = new int[CHUNKS + 1];
  /** Dysnomia's checksum of the stored bytes, complete once the stream finished. */
  final MessageDigest checksum;
  /** The stored file's own SHA-256, for xz only (Dysnomia names its xz snapshots by it). */
  final MessageDigest file = DysnomiaChecksum.sha256();
  private final WriteBehind writeBehind;
  private final Counter counter;
  private final Compression compression;
  private final int level;
  private final boolean paced;
  /** Where a chunked stream's chunks go; null for the other forms. */
  private final Store chunkStore;
  /** Null until the sink writes: the first differing chunk, or the start when nothing is compared. */
  private OutputStream compressor;
  private Comparison comparison;
  /** The stream's id, known to the feeding side before it ends the stream; read by the comparison. */
  private SnapshotId id;
  /** Whether the stream was the compared snapshot's, once the stream finished: nothing was written. */
  volatile boolean unchanged;
  private final byte[] end = new byte[0];
  private final byte[] abort = new byte[0];
  private int putAt;
  private int takeAt;
  /** The stored bytes, once the stream finished. */
  volatile long stored;
  private volatile Throwable failure;

  /** @param paced zstd at a level that follows the stream's pace ({@link PacedZstd}) */
  IngestSink(Compression compression, int level, boolean paced, OutputStream staging, MessageDigest checksum,
      Comparison comparison) throws IOException {
    this(compression, level, paced, staging, checksum, comparison, null);
  }

  /** @param chunkStore for {@link Compression#CHUNKED}: the store its chunks go to */
  IngestSink(Compression compression, int level, boolean paced, OutputStream staging, MessageDigest checksum,
      Comparison comparison, Store chunkStore) throws IOException {
    for (int i = 0; i < CHUNKS; i++) {
      byte[] chunk = new byte[Ingest.CHUNK];
      holders.put(chunk, new AtomicInteger());
      free.add(chunk);
    }
    this.checksum = checksum;
    // the file's own SHA-256 too, for xz: Dysnomia names an xz snapshot by it (see commit)
    this.writeBehind = new WriteBehind(staging, WRITE_BUFFER);
    this.counter = new Counter(writeBehind, checksum, compression == Compression.XZ ? file : null);
    this.compression = compression;
    this.level = level;
    this.paced = paced && (compression == Compression.ZSTD || compression == Compression.CHUNKED);
    this.chunkStore = chunkStore;
    this.comparison = comparison;
    if (comparison == null) {
      try {
        this.compressor = newCompressor();
      } catch (IOException | RuntimeException e) {
        writeBehind.abort();
        throw e;
      }
    }
  }

  byte[] takeFree() throws IOException {
    try {
      return free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while ingesting");
    }
  }

  void giveBack(byte[] chunk) {
    free.add(chunk);
  }

  /** Takes a chunk back from one of its {@code holders}; the last one returns it to the pool. */
  void release(byte[] chunk) {
    if (holders.get(chunk).decrementAndGet() == 0) {
      free.add(chunk);
    }
  }

  /**
   * Queues {@code length} bytes of {@code chunk}, which {@code holders} (this sink and others)
   * each {@link #release} once done with it; lengths ride in a ring beside the queue.
   */
  void put(byte[] chunk, int length, int holders) throws IOException {
    this.holders.get(chunk).set(holders);
    lengths[putAt] = length;
    putAt = (putAt + 1) % lengths.length;
    try {
      full.put(chunk);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while ingesting");
    }
  }

  /**
   * Ends the stream: {@code complete} finishes the compressed file (or finds it unchanged),
   * otherwise it is dropped.
   *
   * @param id the whole stream's id, when complete and not empty (else null)
   */
  void finish(boolean complete, SnapshotId id) {
    this.id = id;  // published to the sink thread by the queue's put below
    boolean interrupted = false;
    while (true) {
      try {
        full.put(complete ? end : abort);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A chunked stream's chunking, for its counts; null for the other forms. */
  ChunkingOutput chunking() {
    return compressor instanceof ChunkingOutput c ? c : null;
  }

  /** Throws what failed on the sink thread, as it was thrown there. */
  void rethrow() throws IOException {
    Threads.rethrow(failure);
  }

  @Override
  public void run() {
    try {
      while (true) {
        byte[] chunk = full.take();
        if (chunk == end && failure == null) {
          finishStream();
          return;
        }
        if (chunk == end || chunk == abort) {
          discard();
          return;
        }
        int length = lengths[takeAt];
        takeAt = (takeAt + 1) % lengths.length;
        if (failure == null) {
          try {
            write(chunk, length);
          } catch (IOException | RuntimeException | Error e) {
            failure = e;
          }
        }
        release(chunk);
      }
    } catch (InterruptedException e) {
      failure = new InterruptedIOException("the ingest was interrupted");
      discard();
    }
  }

  private void write(byte[] chunk, int length) throws IOException {
    if (comparison != null) {
      if (comparison.matches(chunk, length)) {
        return;
      }
      startWriting();
    }
    compressor.write(chunk, 0, length);
    if (compressor instanceof PacedZstd z) {  // (a chunked stream paces itself by its writers)
      z.paced(full.size() >= 2);  // chunks waiting for this sink: it is what the stream waits for
    }
  }

  private OutputStream newCompressor() throws IOException {
    if (compression == Compression.CHUNKED) {
      return new ChunkingOutput(counter, chunkStore, level, paced);
    }
    return paced ? new PacedZstd(counter, level) : compression.compress(counter, level);
  }

  /** Starts the compressed file, with the prefix the comparison had found equal. */
  private void startWriting() throws IOException {
    compressor = newCompressor();
    Comparison c = comparison;
    comparison = null;
    c.replay(compressor);
  }

  /** Drops the compressed stream unfinished: an xz child process or worker threads stop now. */
  private void discard() {
    if (comparison != null) {
      comparison.close();
    }
    if (compressor instanceof Abortable a) {
      a.abort();
    }
    writeBehind.abort();
  }

  private void finishStream() {
    try {
      if (comparison != null) {
        if (id != null && comparison.sameAs(id)) {
          comparison.close();
          writeBehind.abort();  // nothing was written
          unchanged = true;
          return;
        }
        startWriting();
      }
      compressor.close();
      stored = counter.count + (compressor instanceof ChunkingOutput c ? c.written() : 0);
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      discard();
    }
  }

  /** Counts and digests what passes through, without buffering. */
  private static final class Counter extends FilterOutputStream {
    private final MessageDigest digest;
    private final MessageDigest also;
    long count;

    /** @param also a second digest of the same bytes, or null */
    Counter(OutputStream out, MessageDigest digest, MessageDigest also) {
      super(out);
      this.digest = digest;
      this.also = also;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      digest.update(b, off, len);
      if (also != null) {
        also.update(b, off, len);
      }
      out.write(b, off, len);
      count += len;
    }
  }
}
