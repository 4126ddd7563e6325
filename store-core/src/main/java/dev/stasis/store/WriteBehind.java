package dev.stasis.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A buffered stream whose buffers are written to the stream underneath by a thread of its own,
 * so the writing thread goes on hashing and compressing while the kernel copies and throttles
 * (a write of 1 MiB into a file can take milliseconds once dirty pages pile up). Buffers go
 * round a small pool: memory is bounded and nothing is allocated per buffer.
 *
 * <p>A failed write reaches the writing thread at its next write or at {@link #close()};
 * after it, buffers are only returned. {@link #close()} writes what is left and waits for
 * it; it does not close the stream underneath (whose owner commits or aborts it).
 * {@link #abort()} drops what is queued.
 */
final class WriteBehind extends OutputStream {
  private static final int BUFFERS = 3;

  private final OutputStream out;
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final int[] lengths = new int[BUFFERS + 1];
  private final byte[] end = new byte[0];
  private final Thread writer;
  private int putAt;
  private int takeAt;
  private byte[] buffer;
  private int filled;
  private volatile Throwable failure;
  private boolean closed;
  private boolean endQueued;

  WriteBehind(OutputStream out, int bufferSize) {
    this.out = out;
    for (int i = 0; i < BUFFERS; i++) {
      free.add(new byte[bufferSize]);
    }
    this.writer = new Thread(this::run, "stasis-write-behind");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    requireOpen();
    while (len > 0) {
      if (buffer == null) {
        buffer = take(free);
      }
      int n = Math.min(len, buffer.length - filled);
      System.arraycopy(b, off, buffer, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == buffer.length) {
        handOff();
      }
    }
  }

  /** Writes what is buffered and waits until the stream underneath has it all; throws what failed. */
  @Override
  public void close() throws IOException {
    if (closed) {
      rethrow();
      return;
    }
    closed = true;
    try {
      handOff();
      end();
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
    rethrow();
  }

  /** Drops what is queued (a write under way finishes) and stops the writing thread; idempotent. */
  void abort() {
    closed = true;
    if (failure == null) {
      failure = new IOException("write-behind aborted");
    }
    boolean interrupted = false;
    while (true) {
      try {
        end();
        break;
      } catch (InterruptedIOException e) {
        interrupted = true;
      } catch (IOException e) {
        break;  // cannot happen: end() only waits
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Queues the end once (the queue always has room for it) and waits for the writing thread. */
  private void end() throws IOException {
    if (!endQueued) {
      put(end);
      endQueued = true;
    }
    join();
  }

  private void handOff() throws IOException {
    if (buffer == null) {
      return;
    }
    if (filled == 0) {
      free.offer(buffer);
    } else {
      lengths[putAt] = filled;
      putAt = (putAt + 1) % lengths.length;
      put(buffer);
    }
    buffer = null;
    filled = 0;
  }

  private void run() {
    try {
      while (true) {
        byte[] b = full.take();
        if (b == end) {
          if (failure == null) {
            out.flush();
          }
          return;
        }
        int length = lengths[takeAt];
        takeAt = (takeAt + 1) % lengths.length;
        if (failure == null) {
          out.write(b, 0, length);
        }
        free.add(b);
      }
    } catch (InterruptedException e) {
      failure = new InterruptedIOException("write-behind interrupted");
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      free.clear();  // nothing more is written: let a writer waiting for a buffer see the failure
      for (int i = 0; i < BUFFERS; i++) {
        free.add(new byte[0]);
      }
    }
  }

  private void requireOpen() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    rethrow();
  }

  private void rethrow() throws IOException {
    Threads.rethrow(failure);
  }

  private byte[] take(BlockingQueue<byte[]> queue) throws IOException {
    try {
      byte[] b = queue.take();
      if (b.length == 0) {
        rethrow();
      }
      return b;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
  }

  private void put(byte[] b) throws IOException {
    try {
      full.put(b);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
  }

  private void join() throws IOException {
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
  }
}
