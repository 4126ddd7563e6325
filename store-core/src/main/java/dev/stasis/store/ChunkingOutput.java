package dev.stasis.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a chunked ingest's logical bytes go, in place of a compressor: they are cut into
 * content-defined chunks ({@link Chunker}) and each chunk is hashed as it is cut, on the sink's
 * thread, in the same pass. A chunk the store holds already is neither compressed nor written;
 * a new one is handed to one of {@link #WRITERS} threads that compress it (zstd) and commit it
 * under its name. Every chunk's index line goes to {@code index}, the staged file of the
 * snapshot, in stream order, so memory stays the same however long the stream.
 *
 * <p>{@link #close()} ends the last chunk, waits for the writers and throws what any of them
 * met, then closes {@code index}: the snapshot can be published only when every chunk it
 * lists is committed. Chunks committed by an ingest that then fails are nobody's; gc deletes
 * them. The ingest holds the shared store lock meanwhile, so no gc deletes a chunk this stream
 * found present before its index is published.
 */
final class ChunkingOutput extends OutputStream implements Abortable {
  /** Threads compressing and writing new chunks; each holds one chunk buffer. */
  static final int WRITERS = 2;
  /**
   * A chunk buffer's usual size: twice the average holds all but about one chunk in a hundred;
   * a longer chunk grows its buffer (up to {@link Chunker#MAX}), which is dropped after it.
   */
  private static final int BUFFER = 2 * Chunker.AVERAGE;

  private final OutputStream index;
  private final Store store;
  private final int level;
  private final Chunker chunker = new Chunker();
  private final MessageDigest sha = DysnomiaChecksum.sha256();
  /** Chunk buffers: the one being filled and one per writer. */
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(WRITERS + 1);
  private final ExecutorService writers;
  /** New chunks handed to a writer and not yet committed: not yet visible to {@link Chunks#has}. */
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final AtomicLong written = new AtomicLong();
  private byte[] current;
  private int filled;
  private long chunks;
  private long fresh;
  private long freshBytes;
  private volatile Throwable failure;
  private boolean closed;

  ChunkingOutput(OutputStream index, Store store, int level) throws IOException {
    this.index = index;
    this.store = store;
    this.level = level;
    for (int i = 0; i < WRITERS + 1; i++) {
      free.add(new byte[BUFFER]);
    }
    this.writers = Executors.newFixedThreadPool(WRITERS, r -> {
      Thread t = new Thread(r, "stasis-chunk-writer");
      t.setDaemon(true);
      return t;
    });
    index.write(Chunks.header());
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Threads.rethrow(failure);
    while (len > 0) {
      if (current == null) {
        current = take();
      }
      int cut = chunker.scan(b, off, len);
      int n = cut < 0 ? len : cut;
      if (filled + n > current.length) {
        current = Arrays.copyOf(current, Math.min(Chunker.MAX, Math.max(filled + n, 2 * current.length)));
      }
      System.arraycopy(b, off, current, filled, n);
      sha.update(b, off, n);
      filled += n;
      off += n;
      len -= n;
      if (cut >= 0) {
        endChunk();
      }
    }
  }

  /** Ends the chunk being filled: lists it, and writes it unless the store or a writer has it. */
  private void endChunk() throws IOException {
    String name = HexFormat.of().formatHex(sha.digest());
    int length = filled;
    index.write(Chunks.line(name, length));
    chunks++;
    if (pending.contains(name) || Chunks.has(store.backend(), name)) {
      filled = 0;  // the buffer is filled again
      if (current.length > BUFFER) {
        current = new byte[BUFFER];
      }
      return;
    }
    fresh++;
    freshBytes += length;
    pending.add(name);
    byte[] chunk = current;
    current = null;
    filled = 0;
    writers.execute(() -> {
      try {
        if (failure == null) {
          written.addAndGet(Chunks.write(store, name, chunk, length, level));
        }
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
      } finally {
        pending.remove(name);
        free.add(chunk.length > BUFFER ? new byte[BUFFER] : chunk);
      }
    });
  }

  private byte[] take() throws IOException {
    try {
      return free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while storing chunks");
    }
  }

  /** Chunks of the stream so far. */
  long chunks() {
    return chunks;
  }

  /** Chunks the store did not hold, which this stream wrote. */
  long freshChunks() {
    return fresh;
  }

  /** The logical bytes of those chunks. */
  long freshBytes() {
    return freshBytes;
  }

  /** The stored (compressed) bytes of those chunks, once closed. */
  long written() {
    return written.get();
  }

  /** Ends the last chunk, waits for every chunk to be committed, then ends the index. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (filled > 0) {
        endChunk();
      }
      awaitWriters();
      Threads.rethrow(failure);
    } finally {
      writers.shutdown();
    }
    index.close();
  }

  /** Waits until every buffer is back: no writer is busy. */
  private void awaitWriters() throws IOException {
    int back = current == null ? 0 : 1;
    try {
      for (; back < WRITERS + 1; back++) {
        free.take();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the chunks to be written");
    }
  }

  /** Stops the writers; what they committed stays for gc, the index is not ended. */
  @Override
  public void abort() {
    closed = true;
    failure = failure == null ? new IOException("the chunked ingest was aborted") : failure;
    writers.shutdownNow();
    boolean interrupted = false;
    while (true) {
      try {
        if (writers.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
