package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class CompressionTest {
  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "CHUNKED", mode = EnumSource.Mode.EXCLUDE)
  void roundTripsAndNamesFiles(Compression c) throws IOException {
    byte[] data = "CREATE TABLE t (x int);\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = c.compress(out)) {
      z.write(data);
    }
    try (InputStream in = c.decompress(new ByteArrayInputStream(out.toByteArray()))) {
      assertArrayEquals(data, in.readAllBytes());
    }
    String stored = c.fileName("dump.sql");
    assertEquals(c, Compression.ofFileName(stored));
    assertEquals("dump.sql", c.logicalName(stored));
    assertEquals(c, Compression.parse(c.word().toUpperCase()));
  }

  @Test
  void dysnomiaFileNames() {
    assertEquals("dump.pgsql.xz", Compression.XZ.fileName("dump.pgsql"));
    assertEquals("state.tar.zst", Compression.ZSTD.fileName("state.tar"));
    assertThrows(IllegalArgumentException.class, () -> Compression.parse("gzip"));
  }
}
