package dev.stasis.deploy;

import dev.stasis.store.IngestResult;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoredFile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Copies one snapshot from one machine's store to another's, as Disnix's snapshot copy does:
 * not sent when the destination has it (only made its newest generation there), else streamed
 * from the sender straight into the receiver, which verifies it in the same pass. Nothing is
 * staged on the machine in between.
 */
final class Transfer {
  private static final int PIPE = 4 << 20;

  private Transfer() {}

  /**
   * Makes {@code snapshot}, which {@code from} has, present and newest at {@code to}.
   *
   * @return whether bytes were sent
   */
  static boolean copy(Machine from, Machine to, SnapshotRef snapshot) throws IOException {
    if (to.has(snapshot)) {
      to.link(snapshot);
      return false;
    }
    StoredFile file = from.stored(snapshot);
    Pipe pipe = new Pipe(PIPE);
    InputStream pipeIn = pipe.source();
    OutputStream pipeOut = pipe.sink();
    Throwable[] senderFailed = new Throwable[1];
    Thread sender = new Thread(() -> {
      try (pipeOut) {
        from.send(file, pipeOut);
      } catch (IOException | RuntimeException | Error e) {
        senderFailed[0] = e;
      }
    }, "send " + snapshot);
    sender.start();
    IngestResult received;
    try (InputStream in = new SenderChecked(pipeIn, sender, senderFailed)) {
      received = to.receive(file, in);
    } finally {
      pipeIn.close();  // a sender still writing fails at once instead of waiting for a reader
      join(sender);
    }
    if (senderFailed[0] != null) {
      throw rethrow(senderFailed[0]);
    }
    return !received.deduplicated();
  }

  private static void join(Thread t) throws IOException {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while sending a snapshot");
    }
  }

  private static IOException rethrow(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw (Error) t;
  }

  /** The pipe's bytes; at their end, the sender's failure (if it failed) instead of a clean end. */
  private static final class SenderChecked extends FilterInputStream {
    private final Thread sender;
    private final Throwable[] failed;

    SenderChecked(InputStream in, Thread sender, Throwable[] failed) {
      super(in);
      this.sender = sender;
      this.failed = failed;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) {
        checkSender();
      }
      return n;
    }

    @Override
    public int read() throws IOException {
      int n = super.read();
      if (n < 0) {
        checkSender();
      }
      return n;
    }

    private void checkSender() throws IOException {
      join(sender);
      if (failed[0] instanceof IOException io) {
        throw io;
      }
      if (failed[0] instanceof RuntimeException r) {
        throw r;
      }
      if (failed[0] != null) {
        throw new UncheckedIOException(new IOException(failed[0]));
      }
    }
  }
}
