package dev.stasis.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A bounded pipe between two threads that write and read at the same time: chunks handed over
 * through a queue, so the writer fills one while the reader drains another. (The JDK's piped
 * streams hand over one buffer at a time, each side waiting for the other to empty or fill it,
 * and fail when the thread that last used the other end has ended.) Either side may stop: a
 * reader that closes makes the writer's next write fail; a writer that closes is the end.
 */
final class Pipe {
  private static final byte[] END = new byte[0];
  private static final int CHUNK = 1 << 18;

  private final BlockingQueue<byte[]> chunks;
  private volatile boolean readerClosed;

  /** A pipe holding at most {@code bytes} (rounded to 256 KiB chunks) between the two ends. */
  Pipe(int bytes) {
    this.chunks = new ArrayBlockingQueue<>(Math.max(2, bytes / CHUNK));
  }

  /** The writing end; closing it ends the stream. */
  OutputStream sink() {
    return new OutputStream() {
      private byte[] chunk = new byte[CHUNK];
      private int filled;
      private boolean closed;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
          throw new IOException("pipe closed");
        }
        while (len > 0) {
          int n = Math.min(len, CHUNK - filled);
          System.arraycopy(b, off, chunk, filled, n);
          filled += n;
          off += n;
          len -= n;
          if (filled == CHUNK) {
            flush();
          }
        }
      }

      @Override
      public void flush() throws IOException {
        if (filled > 0) {
          put(Arrays.copyOf(chunk, filled));
          filled = 0;
        }
      }

      @Override
      public void close() throws IOException {
        if (!closed) {
          try {
            flush();
          } finally {
            closed = true;
            put(END);
          }
        }
      }
    };
  }

  /** The reading end; closing it early makes the writer fail. */
  InputStream source() {
    return new InputStream() {
      private byte[] chunk = new byte[0];
      private int pos;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        while (pos == chunk.length) {
          if (chunk == END) {
            return -1;
          }
          try {
            chunk = chunks.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a pipe");
          }
          pos = 0;
          if (chunk == END) {
            return -1;
          }
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
      }

      @Override
      public void close() {
        readerClosed = true;
        chunks.clear();  // a writer waiting for room gets it, and fails at its next put
      }
    };
  }

  private void put(byte[] chunk) throws IOException {
    if (readerClosed) {
      if (chunk == END) {
        return;
      }
      throw new IOException("pipe closed by its reader");
    }
    try {
      chunks.put(chunk);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing a pipe");
    }
    if (readerClosed) {
      chunks.clear();
    }
  }
}
