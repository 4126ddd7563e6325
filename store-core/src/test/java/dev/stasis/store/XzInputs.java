package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Inputs for the xz tests and the two readers every output must satisfy: {@code xz -d} and {@link Compression#decompress}. */
final class XzInputs {
  /** Small blocks at preset 0 (256 KiB dictionary) make several blocks of a MiB, quickly. */
  static final int LEVEL = 0;
  static final int BLOCK = 256 << 10;

  private XzInputs() {}

  /** The system's xz; skips the test where there is none. */
  static Path systemXz() {
    assumeTrue(OnPath.XZ.isPresent(), "no xz (5.2 or later) on PATH");
    return OnPath.XZ.get();
  }

  private static final class OnPath {
    static final Optional<Path> XZ = SystemXz.find(System.getenv("PATH"));
  }

  /** Named inputs: empty, one byte, a little SQL, several blocks of SQL with random bytes, random. */
  static Map<String, byte[]> all() {
    return Map.of(
        "empty", new byte[0],
        "one byte", new byte[] {'x'},
        "small", sql(10_000),
        "multi-block", mixed(3 * BLOCK + 12_345),
        "random", random(BLOCK + 777, 3));
  }

  static byte[] sql(int size) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; s.length() < size; i++) {
      s.append(i).append('\t').append(i % 97).append("\tcustomer ").append(i * 7919 % 10007).append("\t\\N\n");
    }
    return s.substring(0, size).getBytes(StandardCharsets.UTF_8);
  }

  /** SQL text with a run of random bytes every 40 KiB, so blocks compress unevenly. */
  static byte[] mixed(int size) {
    byte[] data = sql(size);
    Random random = new Random(7);
    for (int at = 0; at + 1024 < size; at += 40 << 10) {
      byte[] noise = new byte[1024];
      random.nextBytes(noise);
      System.arraycopy(noise, 0, data, at, noise.length);
    }
    return data;
  }

  static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** Asserts that both {@code xz -d} and stasis's own reader give back {@code expected}. */
  static void assertReadable(byte[] expected, byte[] compressed, Path dir) throws IOException, InterruptedException {
    try (InputStream in = Compression.XZ.decompress(new ByteArrayInputStream(compressed))) {
      assertArrayEquals(expected, in.readAllBytes(), "stasis's reader");
    }
    assertArrayEquals(expected, xzcat(compressed, dir), "xz -d");
  }

  /** What {@code xz -d} (xzcat, as Dysnomia restores) makes of {@code compressed}. */
  static byte[] xzcat(byte[] compressed, Path dir) throws IOException, InterruptedException {
    Path in = Files.createTempFile(dir, "in", ".xz");
    Path out = Files.createTempFile(dir, "out", "");
    Files.write(in, compressed);
    Process xz = new ProcessBuilder(systemXz().toString(), "--decompress", "--stdout", in.toString())
        .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    assertEquals(0, xz.waitFor(), "xz -d exit status");
    return Files.readAllBytes(out);
  }
}
