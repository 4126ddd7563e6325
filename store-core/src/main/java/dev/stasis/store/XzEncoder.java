package dev.stasis.store;

import java.io.IOException;
import java.io.OutputStream;

/**
 * What the two multi-threaded xz encoders ({@link SystemXz}, {@link ParallelXz}) share: the life
 * of the stream — open; failed, its failure kept and thrown again; aborted; closed — and a close
 * that finishes the compression and closes the target, whether or not finishing failed.
 */
abstract class XzEncoder extends OutputStream implements Abortable {
  enum State { OPEN, FAILED, ABORTED, CLOSED }

  final OutputStream target;
  State state = State.OPEN;
  Throwable failure;

  XzEncoder(OutputStream target) {
    this.target = target;
  }

  /** Compresses what is left and hands all of it to the target; throws if any of it failed. */
  abstract void finish() throws IOException;

  /** Stops the encoder's threads or process and waits for them. */
  abstract void stop();

  /** Told that {@link #finish()} failed with {@code e}, before the target is closed. */
  void finishFailed(Throwable e) {}

  /** Told that everything reached the target, before it is closed. */
  void finished() {}

  /** Finishes the compression and closes the target; throws unless all of it reached the target. */
  @Override
  public void close() throws IOException {
    if (state == State.ABORTED || state == State.CLOSED) {
      return;
    }
    try {
      if (state == State.FAILED) {
        throw new IOException("xz failed earlier: " + failure.getMessage(), failure);
      }
      finish();
    } catch (IOException | RuntimeException | Error e) {
      finishFailed(e);
      state = State.CLOSED;
      try {
        target.close();
      } catch (IOException | RuntimeException suppressed) {
        if (suppressed != e) {  // a target that failed may throw the very same exception again
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    state = State.CLOSED;
    finished();
    target.close();
  }

  /** Stops the encoder and waits for it; the target stays open for its owner to discard. */
  @Override
  public void abort() {
    if (state == State.OPEN) {
      state = State.ABORTED;
      stop();
    }
  }

  void requireOpen() throws IOException {
    if (state == State.FAILED) {
      throw new IOException("xz failed earlier: " + failure.getMessage(), failure);
    }
    if (state != State.OPEN) {
      throw new IOException("the xz stream is closed");
    }
  }
}
