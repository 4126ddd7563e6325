package dev.stasis.modules.postgresql;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * A stream whose first and last bytes are edited and whose middle passes through untouched, read
 * straight into the caller's buffer: for a dump's {@code \restrict} line near its start and its
 * closing {@code unrestrict} line at its end, without copying the gigabytes between. The last
 * {@code tailSize} bytes are held back until the source ends, then edited and given out. On a
 * stream shorter than the head, the head edit and then the tail edit see all of it.
 */
final class EdgeEdit extends InputStream {
  private final InputStream in;
  private final int headSize;
  private final UnaryOperator<byte[]> head;
  private final int tailSize;
  private final UnaryOperator<byte[]> tail;
  /** Bytes read (and edited, for the head) but not given out yet: {@code pending[start, end)}. */
  private byte[] pending = new byte[0];
  private int start;
  private int end;
  private boolean started;
  private boolean ended;
  private boolean tailEdited;

  EdgeEdit(InputStream in, int headSize, UnaryOperator<byte[]> head, int tailSize, UnaryOperator<byte[]> tail) {
    this.in = in;
    this.headSize = headSize;
    this.head = head;
    this.tailSize = tailSize;
    this.tail = tail;
  }

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
    if (!started) {
      started = true;
      byte[] first = in.readNBytes(headSize);
      ended = first.length < headSize;
      hold(head.apply(first));
    }
    while (true) {
      if (ended) {
        if (!tailEdited) {
          tailEdited = true;
          hold(tail.apply(Arrays.copyOfRange(pending, start, end)));
        }
        return start == end ? -1 : give(b, off, len);
      }
      int held = end - start;
      if (held > tailSize) {
        return give(b, off, Math.min(len, held - tailSize));
      }
      if (len > tailSize + held) {
        // in place: what is held, then the source's bytes, in the caller's buffer; the last
        // tailSize bytes go back into holding
        System.arraycopy(pending, start, b, off, held);
        int n = in.read(b, off + held, len - held);
        if (n < 0) {
          ended = true;
          continue;
        }
        int total = held + n;
        int keep = Math.min(tailSize, total);
        hold(Arrays.copyOfRange(b, off + total - keep, off + total));
        if (total > keep) {
          return total - keep;
        }
      } else {
        if (pending.length - end < 8192) {
          int kept = end - start;
          pending = Arrays.copyOfRange(pending, start, start + Math.max(kept + 8192, 2 * kept));
          end -= start;
          start = 0;
        }
        int n = in.read(pending, end, pending.length - end);
        if (n < 0) {
          ended = true;
        } else {
          end += n;
        }
      }
    }
  }

  private void hold(byte[] bytes) {
    pending = bytes;
    start = 0;
    end = bytes.length;
  }

  private int give(byte[] b, int off, int len) {
    int n = Math.min(len, end - start);
    System.arraycopy(pending, start, b, off, n);
    start += n;
    return n;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
