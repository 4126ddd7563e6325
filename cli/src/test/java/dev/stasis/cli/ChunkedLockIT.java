package dev.stasis.cli;

import static dev.stasis.cli.ChunkedStore.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunked ingest holds the store's shared lock from its first byte to its commit: the chunks
 * it has written are listed by no index until then, and a gc that ran meanwhile would take them
 * for garbage. So gc (either face) is locked out (exit 5, naming the ingest) and deletes nothing.
 */
class ChunkedLockIT {
  @TempDir
  Path tmp;
  Path store;
  Launchers bin;

  @BeforeEach
  void setUp() {
    store = tmp.resolve("store");
    bin = new Launchers(store);
  }

  private static List<String> ingest() {
    return Launchers.launcher("stasis", "snapshot", "--stdin", "-C", "c", "-c", "x", "--name", "blob",
        "--compression", "chunked", "--verbose");
  }

  @Test
  void gcIsLockedOutWhileAChunkedIngestStreamsAndItsChunksSurvive() throws Exception {
    byte[] old = ChunkedStore.random(1, 4 * MIB);
    try (Running first = bin.start(ingest())) {
      first.stdin().write(old);
      first.stdin().close();
      first.finish().ok();
    }
    Set<String> oldChunks = ChunkedStore.chunkFiles(store);

    byte[] dump = ChunkedStore.random(2, 48 * MIB);
    String path;
    try (Running ingest = bin.start(ingest())) {
      // It takes the lock before it stages anything.
      ingest.awaitStderr("stasis: staging ");
      // What it has read but not committed stays under 20 MiB (read buffers, chunk segments, a
      // pipe's worth): after 40 MiB in the pipe, chunks of 20 MiB or more are committed, which no
      // index lists yet.
      ingest.stdin().write(dump, 0, 40 * MIB);
      ingest.stdin().flush();
      Set<String> during = ChunkedStore.chunkFiles(store);
      assertTrue(during.size() > oldChunks.size(), "the ingest has written no chunk yet");

      Result gc = bin.stasis("gc", "--lock-wait", "0").exits(5);
      assertTrue(gc.stderr().contains("Held by: chunked ingest of c/x (shared), pid " + ingest.pid()), gc.stderr());
      Result dysnomiaGc = bin.dysnomiaSnapshots("--gc", "--lock-wait", "0").exits(5);
      assertTrue(dysnomiaGc.stderr().contains("chunked ingest of c/x"), dysnomiaGc.stderr());
      // (the ingest goes on committing what it had read meanwhile)
      assertTrue(ChunkedStore.chunkFiles(store).containsAll(during), "a locked-out gc deleted chunks");

      ingest.stdin().write(dump, 40 * MIB, dump.length - 40 * MIB);
      ingest.stdin().close();
      path = ingest.finish().ok().out().strip();
    }
    assertEquals(2, bin.dysnomiaSnapshots("--query-all").ok().lines().size());
    bin.stasis("check").ok();
    assertArrayEquals(dump, bin.stasis("dump", path).ok().stdout());

    // Now gc runs, and keeps every chunk of the newest snapshot.
    Result gc = bin.stasis("gc", "--keep", "1").ok();
    assertFalse(gc.stderr().isEmpty());
    assertEquals(new TreeSet<>(ChunkedStore.names(store, path)), ChunkedStore.chunkFiles(store));
    bin.stasis("check").ok();
  }
}
