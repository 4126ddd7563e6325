package dev.stasis.store;

import java.io.IOException;

/** What the engine's worker threads share: handing a failure over, and waiting for a thread to end. */
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
}
