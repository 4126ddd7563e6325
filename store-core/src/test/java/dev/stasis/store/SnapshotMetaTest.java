package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotMetaTest {
  @Test
  void roundTripsWithAwkwardValues() {
    SnapshotMeta meta = new SnapshotMeta("dump.pgsql.zst", Compression.ZSTD, 1234, 99,
        Instant.parse("2026-11-25T10:15:30Z"), "pg_dump \\\n --flag=a=b", Map.of("server", "15.18"));
    assertEquals(meta, SnapshotMeta.parse(meta.toBytes()));
  }

  @Test
  void malformedRecordsAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> SnapshotMeta.parse("file=x\n".getBytes(StandardCharsets.UTF_8)));
  }
}
