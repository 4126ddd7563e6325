package dev.stasis.fs;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

/**
 * Writes a staging file back to the disk while it is still being written: after every
 * {@link #STEP} bytes a thread of its own syncs the data so far ({@code fdatasync}), so the
 * commit's final sync has little left and the writer is not throttled by a mountain of dirty
 * pages. The writer never waits for it.
 *
 * <p>An error of a background sync is kept and thrown by {@link #check()} before the commit's
 * own sync: the kernel reports a write-back error to one sync of a file only, so the commit's
 * sync alone could miss it.
 */
final class Writeback {
  static final long STEP = 32L << 20;

  private final FileChannel channel;
  private final Object lock = new Object();
  private Thread thread;
  private long written;
  private long requested;
  private long synced;
  private boolean stopped;
  private IOException failure;

  Writeback(FileChannel channel) {
    this.channel = channel;
  }

  /** Counts {@code n} bytes written; asks for a sync each {@link #STEP}. */
  void wrote(int n) {
    long before = written;
    written += n;
    if (before / STEP == written / STEP) {
      return;
    }
    synchronized (lock) {
      requested = written;
      if (thread == null) {
        thread = new Thread(this::run, "stasis-writeback");
        thread.setDaemon(true);
        thread.start();
      }
      lock.notifyAll();
    }
  }

  /** Throws what a background sync met, if anything. */
  void check() throws IOException {
    synchronized (lock) {
      if (failure != null) {
        throw new IOException("writing back " + failure.getMessage(), failure);
      }
    }
  }

  /** Stops the thread, waiting for a sync under way. */
  void stop() {
    Thread t;
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
      t = thread;
    }
    if (t == null) {
      return;
    }
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (true) {
      synchronized (lock) {
        while (!stopped && requested == synced) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (stopped) {
          return;
        }
        synced = requested;
      }
      try {
        channel.force(false);
      } catch (ClosedChannelException closed) {
        return;  // aborted or committed meanwhile
      } catch (IOException e) {
        synchronized (lock) {
          if (failure == null) {
            failure = e;
          }
        }
        return;
      }
    }
  }
}
