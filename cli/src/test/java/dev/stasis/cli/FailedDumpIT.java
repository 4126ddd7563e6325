package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dump that fails, or produces nothing, stores nothing: no snapshot, no checksum, no
 * generation, no staging left behind, and exit status 1. Its bytes were already staged when
 * the failure showed, so this is the abort path of a real ingest, not a check made up front.
 */
class FailedDumpIT {
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
  void aDumperExitingNonZeroStoresNothing() throws Exception {
    Result r = bin.stasis("snapshot", "--from-command", "printf partial; echo 'disk full' >&2; exit 7",
        "-C", "c", "-c", "x").exits(1);
    assertEquals("", r.out());
    assertTrue(r.stderr().contains("disk full\n") && r.stderr().contains("exited with status 7; nothing was stored (its messages are above)"),
        r.stderr());
    assertNothingStored();
  }

  @Test
  void anEmptyDumpStoresNothing() throws Exception {
    Result r = bin.stasis("snapshot", "--from-command", "true", "-C", "c", "-c", "x").exits(1);
    assertEquals("", r.out());
    assertTrue(r.stderr().contains("is empty; refusing to store an empty snapshot"), r.stderr());
    assertNothingStored();

    // The same from stdin.
    bin.stasis("snapshot", "--stdin", "-C", "c", "-c", "x").exits(1);
    assertNothingStored();
  }

  @Test
  void failuresTakeNoGenerationNumber() throws Exception {
    bin.stasis("snapshot", "--from-command", "printf partial; exit 7", "-C", "c", "-c", "x").exits(1);
    Result r = bin.stasis("snapshot", "--from-command", "printf complete", "-C", "c", "-c", "x").ok();
    assertEquals(List.of("generations/c/x/1"),
        Launchers.committed(store).stream().filter(p -> p.startsWith("generations/")).toList());
    assertEquals("complete", bin.stasis("dump", r.out().strip()).ok().out());
  }

  private void assertNothingStored() throws Exception {
    assertEquals(List.of(), Launchers.committed(store));
    assertEquals("", bin.dysnomiaSnapshots("--query-all").ok().out());
    Path staging = store.resolve(".stasis/tmp");
    if (Files.exists(staging)) {
      try (Stream<Path> left = Files.list(staging)) {
        assertEquals(List.of(), left.toList(), "staging left behind");
      }
    }
  }
}
