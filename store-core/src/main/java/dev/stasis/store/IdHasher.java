package dev.stasis.store;

import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * The thread of an {@link Ingest} that hashes the logical chunks into the snapshot's id, beside
 * the sink that compresses and writes the same chunks: the feeding thread only reads, so a
 * dumper's pipe is drained while the chunks before are hashed (a dumper that waits on a full
 * pipe holds its database's snapshot open longer). Each chunk is handed back once hashed.
 */
final class IdHasher implements Runnable {
  private final MessageDigest digest = DysnomiaChecksum.sha256();
  private final BlockingQueue<byte[]> queue;
  private final int[] lengths;
  private final Consumer<byte[]> done;
  private final byte[] end = new byte[0];
  private final Thread thread;
  private int putAt;
  private int takeAt;
  private volatile boolean aborted;

  /** @param chunks the most chunks in flight; {@code done} takes each one back once hashed */
  IdHasher(int chunks, Consumer<byte[]> done) {
    this.queue = new ArrayBlockingQueue<>(chunks + 1);
    this.lengths = new int[chunks + 1];
    this.done = done;
    this.thread = new Thread(this, "stasis-ingest-id");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code length} bytes of {@code chunk}; never waits (there are never more chunks than room). */
  void put(byte[] chunk, int length) {
    lengths[putAt] = length;
    putAt = (putAt + 1) % lengths.length;
    queue.add(chunk);
  }

  /** Waits until every chunk queued is hashed; returns the id's digest. */
  byte[] finish() throws InterruptedIOException {
    queue.add(end);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing");
    }
    return digest.digest();
  }

  /** Stops hashing; chunks still queued are handed back unhashed. Idempotent. */
  void abort() {
    aborted = true;
    if (thread.isAlive()) {
      queue.offer(end);
      Threads.joinUninterruptibly(thread);
    }
  }

  @Override
  public void run() {
    while (true) {
      byte[] chunk;
      try {
        chunk = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (chunk == end) {
        return;
      }
      int length = lengths[takeAt];
      takeAt = (takeAt + 1) % lengths.length;
      if (!aborted) {
        digest.update(chunk, 0, length);
      }
      done.accept(chunk);
    }
  }
}
