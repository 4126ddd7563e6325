package dev.stasis.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a chunked ingest's logical bytes go, in place of a compressor: they are cut into
 * content-defined chunks ({@link Chunker}) on the sink's thread as they arrive, in the same pass
 * that hashes them into the id (on the {@link IdHasher}'s). Each cut chunk goes to a hashing
 * thread, which names it by its SHA-256 and writes its index line to {@code index} (the staged
 * file of the snapshot) in stream order: a chunk the store holds already is neither compressed
 * nor written, a new one goes to one of {@link #WRITERS} threads that compress it (zstd) and
 * commit it under its name. Cutting, naming and the id's hash run on three threads, so on two
 * cores a re-run costs about one and a half passes of SHA-256, not two. A chunk is held in
 * segments of 1 MiB from a fixed pool ({@link #SEGMENTS}), so memory stays the same however long
 * the stream and however long its chunks, and nothing is allocated per chunk.
 *
 * <p>{@link #close()} ends the last chunk, waits for the hashing thread and the writers and
 * throws what any of them met, then closes {@code index}: the snapshot can be published only
 * when every chunk it lists is committed. Chunks committed by an ingest that then fails are
 * nobody's; gc deletes them. The ingest holds the shared store lock meanwhile, so no gc deletes
 * a chunk this stream found present before its index is published.
 */
final class ChunkingOutput extends OutputStream implements Abortable {
  /** Threads compressing and writing new chunks. */
  static final int WRITERS = 2;
  static final int SEGMENT = 1 << 20;
  /**
   * Segments in all: the longest chunk and four more, so chunks of the average size being
   * filled, named and written seldom wait for each other. (Any pool that holds the longest chunk
   * cannot deadlock: every chunk but the one being filled is complete and gives its segments
   * back.)
   */
  static final int SEGMENTS = Chunker.MAX / SEGMENT + 4;

  /** A chunk: its bytes in full segments but the last, which holds {@code length % SEGMENT} or is full. */
  record Cut(List<byte[]> segments, int length) {
    /** Feeds the chunk's bytes to {@code sink} a segment at a time. */
    void forEach(SegmentSink sink) throws IOException {
      int left = length;
      for (byte[] segment : segments) {
        int n = Math.min(left, segment.length);
        sink.accept(segment, n);
        left -= n;
      }
    }
  }

  /** What takes a chunk's segments. */
  interface SegmentSink {
    void accept(byte[] segment, int length) throws IOException;
  }

  private static final Cut END = new Cut(List.of(), 0);

  private final OutputStream index;
  private final Store store;
  private final int level;
  private final boolean paced;
  private final Chunker chunker = new Chunker();
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(SEGMENTS);
  private final BlockingQueue<Cut> cuts = new ArrayBlockingQueue<>(SEGMENTS);
  private final Thread namer;
  private final ExecutorService writers;
  /** New chunks handed to a writer and not yet committed: not yet visible to {@link Chunks#has}. */
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  /** Writer tasks queued or running. */
  private final AtomicInteger writing = new AtomicInteger();
  private final AtomicLong written = new AtomicLong();
  /** The chunk being filled: its segments, the bytes in it. */
  private List<byte[]> current = new ArrayList<>();
  private int filled;
  /** Counted by the naming thread; read after it ended. */
  private long chunks;
  private long fresh;
  private long freshBytes;
  private volatile Throwable failure;
  private boolean closed;

  /**
   * @param paced whether a chunk handed over while every writer is busy (the stream waits for
   *     compression) goes at level 1 instead of {@code level}, as {@link PacedZstd} does for a
   *     whole stream; the chunks' names never depend on it
   */
  ChunkingOutput(OutputStream index, Store store, int level, boolean paced) throws IOException {
    this.index = index;
    this.store = store;
    this.level = level;
    this.paced = paced;
    for (int i = 0; i < SEGMENTS; i++) {
      free.add(new byte[SEGMENT]);
    }
    index.write(Chunks.header());
    this.writers = Executors.newFixedThreadPool(WRITERS, r -> {
      Thread t = new Thread(r, "stasis-chunk-writer");
      t.setDaemon(true);
      return t;
    });
    this.namer = new Thread(this::name, "stasis-chunk-namer");
    namer.setDaemon(true);
    namer.start();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Threads.rethrow(failure);
    while (len > 0) {
      int cut = chunker.scan(b, off, len);
      int n = cut < 0 ? len : cut;
      append(b, off, n);
      off += n;
      len -= n;
      if (cut >= 0) {
        handOn(new Cut(current, filled));
      }
    }
  }

  /** Copies bytes into the chunk being filled, taking segments as it needs them. */
  private void append(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int room = current.size() * SEGMENT - filled;
      if (room == 0) {
        current.add(take(free));
        room = SEGMENT;
      }
      int n = Math.min(len, room);
      System.arraycopy(b, off, current.get(current.size() - 1), SEGMENT - room, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  private void handOn(Cut cut) throws IOException {
    current = new ArrayList<>();
    filled = 0;
    try {
      cuts.put(cut);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while storing chunks");
    }
  }

  /** The naming thread: names each chunk, lists it, and writes it unless the store or a writer has it. */
  private void name() {
    MessageDigest sha = DysnomiaChecksum.sha256();
    while (true) {
      Cut cut;
      try {
        cut = cuts.take();
      } catch (InterruptedException e) {
        failure = failure == null ? new InterruptedIOException("interrupted while naming chunks") : failure;
        return;
      }
      if (cut == END) {
        return;
      }
      if (failure != null) {
        giveBack(cut);
        continue;
      }
      try {
        cut.forEach((segment, n) -> sha.update(segment, 0, n));
        String name = HexFormat.of().formatHex(sha.digest());
        index.write(Chunks.line(name, cut.length()));
        chunks++;
        if (pending.contains(name) || Chunks.has(store.backend(), name)) {
          giveBack(cut);
        } else {
          fresh++;
          freshBytes += cut.length();
          write(name, cut);
        }
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
        giveBack(cut);
      }
    }
  }

  /** Hands a new chunk to a writer, at level 1 when both are busy: compression is what the stream waits for. */
  private void write(String name, Cut cut) {
    int at = paced && writing.get() >= WRITERS ? PacedZstd.FASTEST : level;
    pending.add(name);
    writing.incrementAndGet();
    writers.execute(() -> {
      try {
        if (failure == null) {
          written.addAndGet(Chunks.write(store, name, cut, at));
        }
      } catch (IOException | RuntimeException | Error e) {
        failure = e;
      } finally {
        pending.remove(name);
        writing.decrementAndGet();
        giveBack(cut);
      }
    });
  }

  /** Returns a chunk's segments to the pool. */
  private void giveBack(Cut cut) {
    free.addAll(cut.segments());
  }

  private static <T> T take(BlockingQueue<T> queue) throws IOException {
    try {
      return queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while storing chunks");
    }
  }

  /** Chunks of the stream, once closed. */
  long chunks() {
    return chunks;
  }

  /** Chunks the store did not hold, which this stream wrote, once closed. */
  long freshChunks() {
    return fresh;
  }

  /** The logical bytes of those chunks, once closed. */
  long freshBytes() {
    return freshBytes;
  }

  /** The stored (compressed) bytes of those chunks, once closed. */
  long written() {
    return written.get();
  }

  /** Ends the last chunk, waits for every chunk to be named and committed, then ends the index. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (filled > 0) {
        handOn(new Cut(current, filled));
      }
      handOn(END);
      Threads.joinUninterruptibly(namer);
      for (int back = 0; back < SEGMENTS; back++) {
        take(free);  // every segment back: no writer is busy
      }
      Threads.rethrow(failure);
    } finally {
      writers.shutdown();
    }
    index.close();
  }

  /** Stops the naming thread and the writers; what they committed stays for gc, the index is not ended. */
  @Override
  public void abort() {
    closed = true;
    failure = failure == null ? new IOException("the chunked ingest was aborted") : failure;
    namer.interrupt();
    Threads.joinUninterruptibly(namer);
    writers.shutdownNow();
    Threads.awaitUninterruptibly(writers);
  }
}
