package dev.stasis.store;

import static dev.stasis.store.XzInputs.BLOCK;
import static dev.stasis.store.XzInputs.LEVEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;

class ParallelXzTest {
  @TempDir Path dir;

  @Test
  void everyInputComesBackThroughXzAndStasis() throws Exception {
    for (Map.Entry<String, byte[]> input : XzInputs.all().entrySet()) {
      byte[] compressed = compress(input.getValue(), 2, input.getValue().length);
      XzInputs.assertReadable(input.getValue(), compressed, dir);
    }
  }

  @Test
  void withoutXzOnThePathJavaCompressesReadably() throws Exception {
    byte[] data = XzInputs.sql(200_000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream xz = Compression.xz(out, Compression.XZ_PRESET, SystemXz.find("/nonexistent"))) {
      assertInstanceOf(ParallelXz.class, xz);
      xz.write(data);
    }
    XzInputs.assertReadable(data, out.toByteArray(), dir);
  }

  @Test
  void sameInputSameBytesWithAnyWorkersAndWrites() throws Exception {
    byte[] data = XzInputs.mixed(5 * BLOCK + 4321);
    byte[] first = compress(data, 2, data.length);
    assertTrue(first.length < data.length / 2, "compressed at all");
    assertArrayEquals(first, compress(data, 2, data.length), "run again");
    assertArrayEquals(first, compress(data, 1, 7_777), "one worker, uneven writes");
    assertArrayEquals(first, compress(data, 3, 300_007), "three workers");
  }

  @Test
  void theTargetsFailureIsThrownAsItIs() throws Exception {
    IOException full = new IOException("No space left on device");
    OutputStream failing = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw full;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw full;
      }
    };
    ParallelXz xz = ParallelXz.start(failing, new LZMA2Options(LEVEL), BLOCK, 2);
    IOException e = assertThrows(IOException.class, () -> {
      try (xz) {
        xz.write(XzInputs.random(8 * BLOCK, 4));
      }
    });
    assertSame(full, e);
    assertThrows(IOException.class, () -> xz.write(1), "no writes after a failure");
  }

  @Test
  void abortLeavesTheTargetOpenAndRefusesWrites() throws Exception {
    boolean[] closed = {false};
    OutputStream target = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    ParallelXz xz = ParallelXz.start(target, new LZMA2Options(LEVEL), BLOCK, 2);
    xz.write(XzInputs.sql(5 * BLOCK));
    xz.abort();
    xz.close();
    assertFalse(closed[0], "the owner discards the target");
    assertThrows(IOException.class, () -> xz.write(1));
  }

  private static byte[] compress(byte[] data, int workers, int writeSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelXz xz = ParallelXz.start(out, new LZMA2Options(LEVEL), BLOCK, workers)) {
      for (int at = 0; at < data.length; at += writeSize) {
        xz.write(data, at, Math.min(writeSize, data.length - at));
      }
    }
    return out.toByteArray();
  }
}
