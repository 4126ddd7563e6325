package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacedZstdTest {
  @Test
  void aStreamWhoseLevelChangesIsSeveralFramesThatReadBackAsOneStream() throws IOException {
    byte[] data = sample(3 * PacedZstd.WINDOW * 4096);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PacedZstd zstd = new PacedZstd(out, 3);
    int at = 0;
    // behind for a window: down to the fastest level; then never behind: back up a step a window
    boolean[] behind = {true, false, false};
    for (boolean queued : behind) {
      for (int i = 0; i < PacedZstd.WINDOW; i++) {
        zstd.write(data, at, 4096);
        at += 4096;
        zstd.paced(queued);
      }
    }
    assertEquals(3, zstd.level());
    assertEquals(4, zstd.frames(), "3 -> 1 -> 2 -> 3: three changes, four frames");
    zstd.close();

    try (InputStream in = Compression.ZSTD.decompress(new ByteArrayInputStream(out.toByteArray()))) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void aLevelThatKeepsUpStaysAndOnlyMostlyBehindLowersIt() throws IOException {
    PacedZstd zstd = new PacedZstd(new ByteArrayOutputStream(), 3);
    for (int i = 0; i < PacedZstd.WINDOW; i++) {
      zstd.paced(i % 2 == 0);  // behind half the time: undecided, stays
    }
    assertEquals(3, zstd.level());
    for (int i = 0; i < PacedZstd.WINDOW; i++) {
      zstd.paced(false);
    }
    assertEquals(3, zstd.level(), "never above the level asked for");
    assertEquals(1, zstd.frames());
    zstd.close();
  }

  @Test
  void theIdAndTheLogicalBytesDoNotDependOnThePace() throws IOException {
    MemoryBackend backend = MemoryBackend.empty();
    Store store = Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(5));
    byte[] data = sample(6 << 20);
    IngestResult paced;
    try (Ingest ingest = store.ingest(new ComponentRef("c", "paced"), "dump.sql", Compression.ZSTD, "test",
        Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream(data));
      paced = ingest.commit();
    }
    IngestResult fixed;
    try (Ingest ingest = store.ingest(new ComponentRef("c", "fixed"), "dump.sql", Compression.ZSTD, 3, "test",
        Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream(data));
      fixed = ingest.commit();
    }
    assertEquals(fixed.snapshot().name(), paced.snapshot().name());
    try (SnapshotReader r = store.read(paced.snapshot())) {
      assertArrayEquals(data, r.logical().readAllBytes());
    }
  }

  /** Text with some repetition, as a dump has. */
  private static byte[] sample(int size) {
    Random random = new Random(9);
    StringBuilder b = new StringBuilder(size + 100);
    while (b.length() < size) {
      b.append(random.nextInt(1000)).append('\t').append("name-").append(random.nextInt(50)).append('\n');
    }
    return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }
}
