package dev.stasis.store;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** What the engine's worker threads share: handing a failure over, and waiting for a thread or a pool to end. */
final class Threads {
  private Threads() {}

  /** Throws {@code t} (a worker thread's failure) on the calling thread, as it was thrown there; nothing for null. */
  static void rethrow(Throwable t) throws IOException {
    if (t instanceof IOException e) {
      throw e;
    } else if (t instanceof RuntimeException e) {
      throw e;
    } else if (t instanceof Error e) {
      throw e;
    }
  }

  /** Waits for {@code thread} to end, even when interrupted; the interrupt is kept for the caller. */
  static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for {@code pool}, shut down, to finish its tasks, even when interrupted; the interrupt is kept. */
  static void awaitUninterruptibly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
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
