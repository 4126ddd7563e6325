package dev.stasis.modules;

import dev.stasis.store.DumpSink;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A dump's sink that also hands every logical byte to a second stream as it passes (a restore
 * elsewhere that runs alongside the snapshot). The second stream is a bystander: when it fails,
 * it is dropped and the snapshot goes on.
 */
final class TeeSink implements DumpSink {
  private final DumpSink sink;
  private OutputStream tee;

  TeeSink(DumpSink sink, OutputStream tee) {
    this.sink = sink;
    this.tee = tee;
  }

  @Override
  public long transferFrom(InputStream in) throws IOException {
    return sink.transferFrom(new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          pass(new byte[] {(byte) b}, 0, 1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          pass(b, off, n);
        }
        return n;
      }
    });
  }

  @Override
  public OutputStream output() {
    OutputStream out = sink.output();
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        pass(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  private void pass(byte[] b, int off, int len) {
    if (tee == null) {
      return;
    }
    try {
      tee.write(b, off, len);
    } catch (IOException e) {
      end();
    }
  }

  /** Ends the second stream: its reader sees the end. */
  void end() {
    OutputStream t = tee;
    tee = null;
    if (t != null) {
      try {
        t.close();
      } catch (IOException e) {
        // a reader that is gone saw the end already
      }
    }
  }
}
