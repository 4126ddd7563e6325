package dev.stasis.store;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * One snapshot being ingested: logical bytes written to {@link #output()} are hashed into the
 * id, compressed, hashed into Dysnomia's checksum and written to staging, with bounded memory.
 * {@link #commit()} publishes the snapshot and links a generation; closing without commit
 * discards the staging.
 *
 * <p>Threads share the work. The caller's fills chunks from a small pool; an {@link IdHasher}
 * hashes them into the id while a sink thread compresses them, hashes the stored bytes into the
 * checksum and hands them to a writing thread. The chunks go round, so nothing is allocated
 * per chunk, and the caller's thread only reads: a dumper's pipe is drained as it fills.
 *
 * <p>When the component's newest snapshot holds a file of the same name, the sink first only
 * compares the stream with it ({@link Comparison}): an unchanged dump is neither compressed nor
 * written, and links nothing new; a changed one is written from the snapshot's matched prefix on.
 *
 * <pre>{@code
 * try (Ingest ingest = store.ingest(component, "dump.sql", Compression.ZSTD, "mysqldump", Map.of())) {
 *   ingest.transferFrom(dumper.getInputStream());
 *   if (dumper.waitFor() != 0) throw new StoreException("dumper failed");  // no commit: nothing stored
 *   ingest.commit();
 * }
 * }</pre>
 */
public final class Ingest implements Closeable, DumpSink {
  static final int CHUNK = 1 << 20;

  private final Store store;
  private final ComponentRef component;
  private final String file;
  private final Compression compression;
  private final String source;
  private final Map<String, String> attributes;
  private final ObjectWriter staged;
  /** The newest snapshot the stream is compared with, or null. */
  private final Comparison comparison;
  private final IngestSink sink;
  private final Thread sinkThread;
  private final IdHasher hasher;
  /** A chunked ingest's shared store lock, held from start to end (see {@link ChunkingOutput}); else null. */
  private StoreLocks.Held chunkLock;
  private final Feed feed = new Feed();
  private long logical;
  private LongConsumer progress = total -> { };
  private boolean done;

  Ingest(Store store, ComponentRef component, String file, Compression compression, int level, boolean paced,
      String source, Map<String, String> attributes, ObjectWriter staged, Comparison comparison,
      StoreLocks.Held chunkLock) throws IOException {
    this.store = store;
    this.chunkLock = chunkLock;
    this.component = component;
    this.file = file;
    this.compression = compression;
    this.source = source;
    this.attributes = attributes;
    this.staged = staged;
    this.comparison = comparison;
    try {
      this.sink = new IngestSink(compression, level, paced, staged.output(), DysnomiaChecksum.startOneFile(file),
          comparison, compression == Compression.CHUNKED ? store : null);
    } catch (IOException | RuntimeException e) {
      staged.close();
      if (comparison != null) {
        comparison.close();
      }
      if (chunkLock != null) {
        chunkLock.close();
      }
      throw e;
    }
    this.sinkThread = new Thread(sink, "stasis-ingest-sink");
    sinkThread.setDaemon(true);
    sinkThread.start();
    this.hasher = new IdHasher(IngestSink.CHUNKS, sink::release);
  }

  /**
   * Tells {@code listener} the logical bytes received so far, each time a chunk (1 MiB) is
   * handed on and at the end, on the thread that feeds the ingest: for progress displays.
   */
  public Ingest onProgress(LongConsumer listener) {
    this.progress = listener;
    return this;
  }

  /** Where the logical bytes go. Closing it does not commit. */
  @Override
  public OutputStream output() {
    return new FilterOutputStream(feed) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() {}
    };
  }

  /** Copies {@code in} to its end into this ingest, reading straight into the chunks; returns the byte count. */
  @Override
  public long transferFrom(InputStream in) throws IOException {
    long total = 0;
    for (int n; (n = feed.readFrom(in)) >= 0; ) {
      total += n;
    }
    return total;
  }

  /** Logical bytes received so far, for progress reports. */
  public long logicalBytes() {
    return logical + feed.filled;
  }

  /** Where the staging is, for diagnostics. */
  public String describeStaging() {
    return staged.describe();
  }

  /**
   * Ends the stream and publishes the snapshot: call only once the source ended and whatever
   * produced it succeeded.
   *
   * @throws StoreException if the stream was empty (a dumper that printed nothing failed)
   */
  public IngestResult commit() throws IOException {
    if (done) {
      throw new IllegalStateException("ingest already committed or closed");
    }
    done = true;
    try {
      feed.handOff();
      byte[] digest = hasher.finish();
      SnapshotId id = logical == 0 ? null : new SnapshotId(HexFormat.of().formatHex(digest));
      sink.finish(true, id);
      awaitSink();
      sink.rethrow();
      if (logical == 0) {
        throw new StoreException("the dump of %s is empty; refusing to store an empty snapshot", component);
      }
      if (sink.unchanged) {
        return store.linkPublished(comparison.snapshot(), comparison.checksum(), logical, comparison.storedSize());
      }
      String checksum = DysnomiaChecksum.format(sink.checksum.digest());
      SnapshotMeta meta = new SnapshotMeta(file, compression, logical, sink.stored,
          Instant.now(), source, withChunkCounts(attributes), id);
      SnapshotRef natural = component.snapshot(id.name());
      if (compression == Compression.XZ && storedInAnotherForm(natural)) {
        // The real Dysnomia restores only dump.*.xz: keep the other form, and store this one
        // beside it under the name Dysnomia gives its own snapshots, the SHA-256 of the file.
        SnapshotName dysnomias = new SnapshotName(HexFormat.of().formatHex(sink.file.digest()));
        return store.publish(staged, component.snapshot(dysnomias), file, checksum, meta, logical, sink.stored,
            true);
      }
      return store.publish(staged, natural, file, checksum, meta, logical, sink.stored, false);
    } finally {
      close();
    }
  }

  /**
   * For a chunked stream, its counts beside the module's attributes: {@code chunks}, and
   * {@code new-chunks} and {@code new-bytes}, what it did not find in the store (logical bytes).
   */
  private Map<String, String> withChunkCounts(Map<String, String> attributes) {
    ChunkingOutput c = sink.chunking();
    if (c == null) {
      return attributes;
    }
    Map<String, String> all = new java.util.TreeMap<>(attributes);
    all.put("chunks", Long.toString(c.chunks()));
    all.put("new-chunks", Long.toString(c.freshChunks()));
    all.put("new-bytes", Long.toString(c.freshBytes()));
    return all;
  }

  /** Whether {@code snapshot} is committed with a file that is not this ingest's (another compression). */
  private boolean storedInAnotherForm(SnapshotRef snapshot) throws IOException {
    List<ObjectInfo> files = store.files(snapshot);
    return files.size() == 1 && !files.get(0).key().name().equals(file) && store.exists(snapshot);
  }

  /** Discards the staging unless committed. Idempotent. */
  @Override
  public void close() {
    done = true;
    hasher.abort();
    if (sinkThread.isAlive()) {
      sink.finish(false, null);
      Threads.joinUninterruptibly(sinkThread);
    }
    staged.close();
    if (chunkLock != null) {
      chunkLock.close();
      chunkLock = null;
    }
  }

  private void awaitSink() throws InterruptedIOException {
    try {
      sinkThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while finishing the ingest of " + component);
    }
  }

  /** The caller's side: fills chunks, hands each to the hasher and the sink. */
  private final class Feed extends OutputStream {
    private byte[] chunk;
    private int filled;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      requireOpen();
      while (len > 0) {
        if (chunk == null) {
          chunk = sink.takeFree();
        }
        int n = Math.min(len, CHUNK - filled);
        System.arraycopy(b, off, chunk, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == CHUNK) {
          handOff();
        }
      }
    }

    /** Reads once from {@code in} into the current chunk; -1 at its end. */
    int readFrom(InputStream in) throws IOException {
      requireOpen();
      if (chunk == null) {
        chunk = sink.takeFree();
      }
      int n = in.read(chunk, filled, CHUNK - filled);
      if (n > 0) {
        filled += n;
        if (filled == CHUNK) {
          handOff();
        }
      }
      return n;
    }

    /** Passes the current chunk on to be hashed and stored; a chunk only half full too, at the end. */
    void handOff() throws IOException {
      if (chunk == null) {
        return;
      }
      if (filled == 0) {
        sink.giveBack(chunk);
      } else {
        logical += filled;
        sink.put(chunk, filled, 2);  // held by the sink and the hasher until both are done
        hasher.put(chunk, filled);
        progress.accept(logical);
      }
      chunk = null;
      filled = 0;
    }

    private void requireOpen() throws IOException {
      if (done) {
        throw new IllegalStateException("ingest already committed or closed");
      }
      sink.rethrow();
    }
  }
}
