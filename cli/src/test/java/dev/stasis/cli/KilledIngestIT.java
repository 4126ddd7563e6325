package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code bin/stasis snapshot} killed with -9 in the middle of its dump leaves nothing any
 * reader sees, and its staging file is removed by the next command that opens the store; the
 * staging of an ingest still running in another process is not.
 */
class KilledIngestIT {
  private static final String STAGING = "stasis: staging ";
  private static final int MIB = 1 << 20;

  @TempDir
  Path tmp;

  private Path store;
  private Launchers bin;

  @BeforeEach
  void setUp() {
    store = tmp.resolve("store");
    bin = new Launchers(store);
  }

  @Test
  void aKilledIngestLeavesNothingVisibleAndTheNextCommandRemovesItsStaging() throws Exception {
    Path staging;
    try (Running ingest = bin.start(ingest())) {
      // The ingest holds at most ~14 MiB in memory (its chunks, its read buffer, zstd jobs), so
      // after 32 MiB it is mid-dump when killed, with compressed bytes already in its staging file.
      writeRandom(ingest.stdin(), 32);
      staging = staging(ingest.awaitStderr(STAGING));
      ingest.killTree();
    }

    assertEquals(List.of(), Launchers.committed(store), "a killed ingest left something visible");
    assertTrue(Files.size(staging) > 0, "the killed ingest had staged nothing");

    // The next command sweeps it: gone, and its directory with it.
    Result list = bin.stasis("list", "--verbose").ok();
    assertEquals("", list.out());
    assertTrue(list.stderr().contains("removed 1 staging file(s) left by killed commands"), list.stderr());
    assertFalse(Files.exists(staging), "the killed ingest's staging file is still there");
    assertFalse(Files.exists(staging.getParent()), "the killed ingest's staging directory is still there");

    assertEquals("", bin.dysnomiaSnapshots("--query-all").ok().out());
    assertEquals(List.of(), Launchers.committed(store));
    bin.stasis("check").ok();
  }

  @Test
  void aLiveIngestsStagingSurvivesAnotherCommandAndThenCommits() throws Exception {
    byte[] dump = "the dump of a live ingest\n".repeat(50_000).getBytes(StandardCharsets.UTF_8);
    try (Running ingest = bin.start(ingest())) {
      Path staging = staging(ingest.awaitStderr(STAGING));
      ingest.stdin().write(dump, 0, dump.length / 2);
      ingest.stdin().flush();

      // Another command opens the store (and sweeps) while this one is mid-dump.
      Result list = bin.stasis("list", "--verbose").ok();
      assertEquals("", list.out());
      assertFalse(list.stderr().contains("removed"), list.stderr());
      assertTrue(Files.exists(staging), "a live ingest's staging file was removed by another command");
      assertEquals(List.of(), Launchers.committed(store));

      ingest.stdin().write(dump, dump.length / 2, dump.length - dump.length / 2);
      ingest.stdin().close();
      String id = ingest.finish().ok().out().strip();
      assertTrue(id.matches("c/x/[0-9a-f]{64}"), id);
      assertFalse(Files.exists(staging.getParent()), "the committed ingest left its staging directory");
      assertEquals(List.of("c/x/1"), generations());
      assertArrayEquals(dump, bin.stasis("dump", id).ok().stdout());
    }
    bin.stasis("check").ok();
  }

  @Test
  void aKilledIngestDoesNotStopTheNextOneFromCommitting() throws Exception {
    try (Running killed = bin.start(ingest())) {
      writeRandom(killed.stdin(), 2);
      killed.awaitStderr(STAGING);
      killed.killTree();
    }
    try (Running next = bin.start(ingest())) {
      // Opening the store, the next ingest sweeps the leftover before it stages its own dump.
      assertEquals("stasis: removed 1 staging file(s) left by killed commands", next.awaitStderr("stasis: removed "));
      next.stdin().write("state\n".getBytes(StandardCharsets.UTF_8));
      next.stdin().close();
      next.finish().ok();
    }
    assertEquals(List.of("c/x/1"), generations());
    assertEquals(List.of(), entries(store.resolve(".stasis/tmp")));
  }

  private static List<String> ingest() {
    return Launchers.launcher("stasis", "snapshot", "--stdin", "-C", "c", "-c", "x", "--verbose");
  }

  private static Path staging(String line) {
    Path staging = Path.of(line.substring(STAGING.length()));
    assertTrue(Files.exists(staging), "no staging file at " + staging);
    return staging;
  }

  private static void writeRandom(OutputStream out, int mebibytes) throws Exception {
    Random random = new Random(mebibytes);
    byte[] chunk = new byte[MIB];
    for (int i = 0; i < mebibytes; i++) {
      random.nextBytes(chunk);
      out.write(chunk);
    }
    out.flush();
  }

  private List<String> generations() throws Exception {
    return Launchers.committed(store).stream().filter(p -> p.startsWith("generations/"))
        .map(p -> p.substring("generations/".length())).toList();
  }

  private static List<Path> entries(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.toList();
    }
  }
}
