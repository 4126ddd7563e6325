package dev.stasis.cli;

import static dev.stasis.cli.ChunkedStore.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunked snapshots and kill -9, with {@code bin/stasis} as separate processes: an ingest killed
 * in the middle of its stream leaves chunks that no snapshot lists, which check does not mind and
 * gc deletes; a gc killed while it deletes chunks leaves every chunk a kept snapshot lists, and
 * the next gc finishes its work; and a gc while an ingest streams is locked out.
 */
class ChunkedKillIT {
  /** Only keeps a hang from stalling the build; nothing waits for it to pass. */
  private static final long GUARD_SECONDS = 300;
  private static final String REMOVING_CHUNK = "Removing unreferenced chunk: ";

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

  /** {@code bin/stasis snapshot --stdin … --compression chunked} of {@code bytes}, to its end; the path it prints. */
  private String snapshot(byte[] bytes) throws Exception {
    try (Running running = bin.start(ingest())) {
      running.stdin().write(bytes);
      running.stdin().close();
      return running.finish().ok().out().strip();
    }
  }

  /** The chunks the gc's stderr says it removed. */
  private static Set<String> removedChunks(Result gc) {
    Set<String> removed = new TreeSet<>();
    gc.stderr().lines().filter(l -> l.startsWith(REMOVING_CHUNK))
        .forEach(l -> removed.add(l.substring(REMOVING_CHUNK.length())));
    return removed;
  }

  /** {@code mebibytes} MiB of noise, the same first n MiB for every length. */
  private static byte[] noise(int mebibytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < mebibytes; i++) {
      out.writeBytes(ChunkedStore.random(100 + i, MIB));
    }
    return out.toByteArray();
  }

  /** Streams {@code base} and 60 MiB of noise into a chunked ingest, and kills it with -9 before its stdin ends. */
  private void killMidStream(byte[] base) throws Exception {
    try (Running killed = bin.start(ingest())) {
      // What the ingest has read but not committed is bounded, and well under 40 MiB: six 1 MiB
      // read buffers, a pool of twelve 1 MiB segments for the chunks being cut, named and
      // written, and a pipe's worth. So once all 80 MiB went into the pipe, it has committed new
      // chunks of 20 MiB or more: chunk files that no index lists yet. Its stdin is still open:
      // it is in the middle of its stream.
      killed.stdin().write(base);
      killed.stdin().write(noise(60));
      killed.stdin().flush();
      killed.killTree();
    }
  }

  @Test
  void anIngestKilledMidStreamLeavesChunksThatCheckIgnoresAndGcDeletes() throws Exception {
    byte[] base = ChunkedStore.random(1, 20 * MIB);
    String kept = snapshot(base);
    Set<String> keptChunks = ChunkedStore.names(store, kept);
    assertEquals(keptChunks, ChunkedStore.chunkFiles(store));

    killMidStream(base);
    Set<String> orphans = ChunkedStore.chunkFiles(store);
    assertTrue(orphans.containsAll(keptChunks));
    orphans.removeAll(keptChunks);
    assertFalse(orphans.isEmpty(), "the killed ingest had committed no chunk of its own");

    // Nothing visible came of it; check reads every chunk any snapshot lists, and finds all well.
    assertEquals(List.of(kept), bin.dysnomiaSnapshots("--query-all").ok().lines());
    bin.stasis("check").ok();

    // gc deletes exactly the chunks the killed ingest left.
    Result gc = bin.stasis("gc", "--keep", "1").ok();
    assertEquals(orphans, removedChunks(gc), gc.stderr());
    assertEquals(keptChunks, ChunkedStore.chunkFiles(store));
    bin.stasis("check").ok();

    // And the next chunked snapshot works, on top of what is left.
    byte[] next = ChunkedStore.insert(base, 10 * MIB, ChunkedStore.random(2, 4 * MIB));
    String path = snapshot(next);
    assertEquals(List.of(kept, path), bin.dysnomiaSnapshots("--query-all").ok().lines());
    assertArrayEquals(next, bin.stasis("dump", path).ok().stdout());
    bin.stasis("check").ok();
  }

  @Test
  void aSnapshotAfterAKilledIngestUsesTheChunksItCommittedAndTheyVerify() throws Exception {
    byte[] base = ChunkedStore.random(1, 20 * MIB);
    String first = snapshot(base);
    Set<String> before = ChunkedStore.chunkFiles(store);
    killMidStream(base);
    Set<String> orphans = ChunkedStore.chunkFiles(store);
    orphans.removeAll(before);
    assertFalse(orphans.isEmpty(), "the killed ingest had committed no chunk of its own");

    // The same stream but shorter: cut where the killed one was cut up to its last chunk, so the
    // chunks the killed ingest committed are found in the store and not written again. Each was
    // committed whole (or not at all) by the killed process: check reads them all.
    byte[] again = ChunkedStore.insert(base, base.length, noise(40));
    String path = snapshot(again);
    Set<String> listed = ChunkedStore.names(store, path);
    Set<String> reused = new TreeSet<>(listed);
    reused.retainAll(orphans);
    assertFalse(reused.isEmpty(), "no chunk of the killed ingest was used");
    Set<String> written = new TreeSet<>(listed);
    written.removeAll(before);
    written.removeAll(orphans);
    assertEquals(written.size(), ChunkedStore.attr(store, path, "new-chunks"));
    assertEquals(List.of(first, path), bin.dysnomiaSnapshots("--query-all").ok().lines());
    bin.stasis("check").ok();
    assertArrayEquals(again, bin.stasis("dump", path).ok().stdout());

    // gc keeps what the newest lists, the killed ingest's chunks among them, and deletes the rest.
    bin.stasis("gc", "--keep", "1").ok();
    assertEquals(listed, ChunkedStore.chunkFiles(store));
    bin.stasis("check").ok();
  }

  @Test
  void aGcKilledWhileItDeletesChunksLeavesEveryChunkOfTheKeptSnapshots() throws Exception {
    // 30 generations sharing their beginning and end; each has 2 MiB of its own in the middle,
    // so two or three chunks each that only it lists: a gc keeping one deletes some 60 chunks.
    byte[] head = ChunkedStore.random(1, 4 * MIB);
    byte[] tail = ChunkedStore.random(2, 4 * MIB);
    byte[] newest = null;
    for (int i = 0; i < 30; i++) {
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      stream.write(head);
      stream.write(ChunkedStore.random(100 + i, 2 * MIB));
      stream.write(tail);
      newest = stream.toByteArray();
      CliRun r = CliRun.stasisWithInput(store, newest, "snapshot", "--stdin", "-C", "c", "-c", "x", "--name", "blob",
          "--compression", "chunked");
      assertEquals(0, r.code(), r.toString());
    }
    List<String> all = bin.dysnomiaSnapshots("--query-all").ok().lines();
    assertEquals(30, all.size());
    String kept = all.get(29);
    Set<String> keptChunks = ChunkedStore.names(store, kept);
    Set<String> doomed = ChunkedStore.chunkFiles(store);
    doomed.removeAll(keptChunks);
    assertTrue(doomed.size() >= 30, doomed.size() + " chunks to delete");

    // Kill the gc as soon as the first chunk file is deleted (inotify tells, no polling): gc
    // deletes chunks last, after the generations and snapshots, so it has then committed to the
    // plan and is in the middle of the chunks or just past them.
    Result killed;
    Set<String> left = new TreeSet<>(doomed);
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      try (Stream<Path> fanOut = Files.list(store.resolve(".stasis/chunks"))) {
        for (Path dir : fanOut.toList()) {
          dir.register(watcher, StandardWatchEventKinds.ENTRY_DELETE);
        }
      }
      try (Running gc = bin.start(Launchers.launcher("stasis", "gc", "--keep", "1"))) {
        gc.stdin().close();
        assertNotNull(watcher.poll(GUARD_SECONDS, TimeUnit.SECONDS), "gc deleted no chunk");
        gc.killTree();
        killed = gc.finish();
      }
      left.removeIf(c -> !Files.exists(ChunkedStore.chunkFile(store, c)));
    }
    // How far it got (for whoever reads the log): 137 is killed, 0 finished before the kill.
    System.err.println("gc killed with exit " + killed.exit() + ", " + left.size() + " of " + doomed.size()
        + " unreferenced chunks left");
    assertTrue(left.size() < doomed.size());

    // The generations and snapshots were deleted before any chunk; every chunk of the kept one is there.
    assertEquals(List.of(kept), bin.dysnomiaSnapshots("--query-all").ok().lines());
    assertTrue(ChunkedStore.chunkFiles(store).containsAll(keptChunks));
    bin.stasis("check").ok();

    // The next gc deletes what the killed one did not get to, and no more.
    Result again = bin.stasis("gc", "--keep", "1").ok();
    assertEquals(keptChunks, ChunkedStore.chunkFiles(store));
    assertEquals(left, removedChunks(again), again.stderr());
    bin.stasis("check").ok();
    assertArrayEquals(newest, bin.stasis("dump", kept).ok().stdout());
  }

  /**
   * A chunked ingest holds the store's shared lock from its first byte to its commit: the chunks
   * it has written are listed by no index until then, and a gc that ran meanwhile would take them
   * for garbage. So gc (either face) is locked out (exit 5, naming the ingest) and deletes nothing.
   */
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
