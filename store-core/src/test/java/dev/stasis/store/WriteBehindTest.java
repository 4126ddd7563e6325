package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WriteBehindTest {
  @Test
  void unevenWritesArriveWholeAndInOrderByClose() throws IOException {
    byte[] data = new byte[1_000_003];
    new Random(1).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WriteBehind w = new WriteBehind(out, 4096);
    Random sizes = new Random(2);
    for (int off = 0; off < data.length; ) {
      int n = Math.min(data.length - off, sizes.nextInt(10_000));
      w.write(data, off, n);
      off += n;
    }
    w.write(7);
    w.close();
    byte[] expected = java.util.Arrays.copyOf(data, data.length + 1);
    expected[data.length] = 7;
    assertArrayEquals(expected, out.toByteArray());
    assertEquals(List.of(), threads());
  }

  @Test
  void aFailedWriteReachesTheWriterAndNothingAfterItIsWritten() throws IOException {
    IOException disk = new IOException("No space left on device");
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream failing = new OutputStream() {
      @Override
      public void write(int b) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (written.size() >= 2 * 1024) {
          throw disk;
        }
        written.write(b, off, len);
      }
    };
    WriteBehind w = new WriteBehind(failing, 1024);
    IOException seen = assertThrows(IOException.class, () -> {
      byte[] kib = new byte[1024];
      for (int i = 0; i < 1000; i++) {
        w.write(kib);
      }
      w.close();
    });
    assertSame(disk, seen);
    assertSame(disk, assertThrows(IOException.class, w::close));
    assertEquals(2 * 1024, written.size());
    assertEquals(List.of(), threads());
  }

  @Test
  void abortDropsWhatIsQueuedAndEndsItsThread() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WriteBehind w = new WriteBehind(out, 1024);
    w.write(new byte[100]);
    w.abort();
    assertEquals(0, out.size(), "a buffer never handed off is dropped");
    assertThrows(IOException.class, () -> w.write(1));
    assertTrue(threads().isEmpty());
  }

  private static List<String> threads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.equals("stasis-write-behind")).toList();
  }
}
