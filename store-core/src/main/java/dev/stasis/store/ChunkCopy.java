package dev.stasis.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Copies a chunked snapshot between stores: the chunks the destination lacks, by name, then the
 * index, published with the engine's commit protocol. The index must match the source's
 * checksum record before anything is sent, and each chunk sent is verified on its way (it must
 * decompress to its length and hash to its name), so a damaged source publishes nothing. The
 * destination's shared lock is held from the first chunk to the publish: no gc there deletes a
 * chunk the index will list. Chunks the destination has are taken by their name (its
 * {@code check} verifies them).
 */
final class ChunkCopy {
  /** Chunks sent at once. */
  static final int COPIERS = 4;

  private ChunkCopy() {}

  /**
   * The chunks a destination holds: listed anew under its shared lock for each chunked snapshot
   * (a gc there may have run since the last one), and kept up to date as chunks are sent.
   */
  static final class Present {
    private final Store store;
    private Set<String> names;

    Present(Store store) {
      this.store = store;
    }

    /** Lists the destination's chunks; call holding its shared lock. */
    void list() throws IOException {
      Set<String> listed = new HashSet<>();
      store.backend().list(StoreLayout.CHUNKS, o -> listed.add(o.key().name()));
      names = listed;
    }

    boolean contains(String sha256) {
      return names.contains(sha256);
    }

  }

  /**
   * Sends the chunks of {@code entries} that {@code present} lacks, {@link #COPIERS} at a time
   * (on S3 each is a request or two of its own, whose latency adds up one by one), each read and
   * verified, then written as it is stored; returns the stored bytes sent. The first failure
   * stops the sending: chunks already committed stay for the next run (or gc), and no index
   * lists them.
   */
  private static long sendMissing(Store from, Store to, SnapshotRef snapshot, Chunks.IndexReader entries,
      Present present, Mirror.Listener listener) throws IOException {
    ExecutorService copiers = Executors.newFixedThreadPool(COPIERS, r -> {
      Thread t = new Thread(r, "stasis-chunk-copier");
      t.setDaemon(true);
      return t;
    });
    CompletionService<Integer> done = new ExecutorCompletionService<>(copiers);
    ThreadLocal<Chunks.Reader> readers = ThreadLocal.withInitial(() -> new Chunks.Reader(from.backend()));
    Set<String> queued = new HashSet<>();  // a chunk an index lists twice is sent once
    long sent = 0;
    int running = 0;
    try {
      for (Chunks.Entry e; (e = entries.next()) != null; ) {
        if (present.contains(e.sha256()) || !queued.add(e.sha256())) {
          continue;
        }
        if (running == COPIERS) {
          sent += collect(done, listener);
          running--;
        }
        Chunks.Entry chunk = e;
        long at = entries.offset() - e.length();
        done.submit(() -> {
          Chunks.Reader reader = readers.get();
          readVerified(from, snapshot, reader, chunk, at, listener);
          Chunks.writeStored(to, chunk.sha256(), reader.stored(), reader.storedLength());
          return reader.storedLength();
        });
        running++;
      }
      for (; running > 0; running--) {
        sent += collect(done, listener);
      }
      return sent;
    } finally {
      copiers.shutdownNow();
      Threads.awaitUninterruptibly(copiers);
    }
  }

  /** Waits for one copier; returns its stored bytes, or throws what it met. */
  private static int collect(CompletionService<Integer> done, Mirror.Listener listener) throws IOException {
    try {
      int n = done.take().get();
      listener.progress(n);
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while sending chunks");
    } catch (ExecutionException e) {
      Threads.rethrow(e.getCause());
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Reads a chunk from the source until it verifies, at most {@link SnapshotCopy#READS} times,
   * as a whole snapshot is read again: reads that all give the same wrong bytes are the stored
   * chunk's damage (exit 3); reads that differ are the transfer's (exit 1), the chunk possibly
   * intact. A missing chunk is the source's damage at once.
   */
  private static void readVerified(Store from, SnapshotRef snapshot, Chunks.Reader reader, Chunks.Entry e, long at,
      Mirror.Listener listener) throws IOException {
    Set<String> reads = new HashSet<>();
    for (int read = 1; ; read++) {
      try {
        reader.read(e);
        return;
      } catch (DamageException d) {
        if (d.kind() == CheckReport.Kind.MISSING_CHUNK || read == SnapshotCopy.READS) {
          reads.add(storedDigest(reader));
          if (d.kind() != CheckReport.Kind.MISSING_CHUNK && reads.size() > 1) {
            throw new StoreException("snapshot %s was damaged on its way from %s: %d reads of its chunk %s gave"
                + " %d different results, none right, so the transfer damages it and the stored chunk may be intact"
                + " (stasis check there tells); nothing of it was published", snapshot, from.location(snapshot),
                read, e.sha256(), reads.size());
          }
          IntegrityException refused = new IntegrityException("snapshot %s is damaged at the source at byte %d: %s;"
              + " nothing of it was published", snapshot, at, d.getMessage());
          refused.initCause(d);
          throw refused;
        }
        reads.add(storedDigest(reader));
        listener.retrying(snapshot, "chunk " + e.sha256() + " of snapshot " + snapshot + " read from "
            + from.location(snapshot) + " does not verify (" + d.getMessage() + "); reading it again (" + (read + 1)
            + " of " + SnapshotCopy.READS + ")");
      }
    }
  }

  /** The SHA-256 of the stored bytes the reader last read, to tell reads apart. */
  private static String storedDigest(Chunks.Reader reader) {
    MessageDigest d = DysnomiaChecksum.sha256();
    d.update(reader.stored(), 0, reader.storedLength());
    return java.util.HexFormat.of().formatHex(d.digest());
  }

  static SnapshotCopy.Copied copy(Store from, Store to, SnapshotRef snapshot, ObjectInfo file, String expected,
      boolean link, Mirror.Listener listener, Present present) throws IOException {
    byte[] index = Chunks.readIndex(from.backend(), file.key());
    String computed = Chunks.checksumOf(file.key(), index);
    if (!computed.equals(expected)) {
      throw new IntegrityException("Checksum mismatch detected for snapshot: %s, we have: '%s', we expect: '%s' (its"
          + " index is damaged at the source, %s; run stasis check there); nothing of it was published", snapshot,
          computed, expected, from.location(snapshot));
    }
    String name = file.key().name();
    long sent = 0;
    try (StoreLocks.Held shared = to.sharedLock("mirror " + snapshot)) {
      present.list();
      Chunks.IndexReader entries = new Chunks.IndexReader(new java.io.ByteArrayInputStream(index), snapshot.toString());
      sent += sendMissing(from, to, snapshot, entries, present, listener);
      try (ObjectWriter writer = to.receive(StoreLayout.snapshotFile(snapshot, name))) {
        writer.output().write(index);
        sent += index.length;
        listener.progress(index.length);
        SnapshotMeta meta = from.meta(snapshot).orElse(null);
        if (!link) {
          return new SnapshotCopy.Copied(null, to.publishUnlinked(writer, snapshot, name, expected, meta), sent);
        }
        IngestResult result = to.publish(writer, snapshot, name, expected, meta,
            meta == null ? -1 : meta.logicalSize(), sent);
        return new SnapshotCopy.Copied(result, result.deduplicated(), sent);
      }
    }
  }
}
