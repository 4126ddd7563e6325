package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.Key;
import dev.stasis.store.ObjectInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staging sweep between processes: opening a store removes the staging of killed writers
 * and must leave alone that of writers still streaming a dump in another process. The writers
 * here are separate JVMs ({@link StagingWriter}): the sweep tells them apart by their OS lock,
 * which only another process can see.
 */
class StagingAcrossProcessesTest {
  @TempDir
  Path root;

  @Test
  void aLiveWritersStagingIsKeptAndAKilledWritersIsSweptByTheNextOpen() throws Exception {
    Path staging;
    try (ChildJvm writer = ChildJvm.start(StagingWriter.class, root.toString())) {
      staging = Path.of(writer.readLine());
      assertTrue(staging.startsWith(root.resolve(".stasis").resolve("tmp")), staging.toString());
      assertEquals(StagingWriter.SIZE, Files.size(staging));

      // Another command opening the store while the dump streams must not take it for a leftover.
      assertEquals(0, FsBackend.open(root).sweptStaging());
      assertTrue(Files.exists(staging), "a live ingest's staging file was removed");
      assertEquals(StagingWriter.SIZE, Files.size(staging));

      writer.kill();
    }
    // Nothing cleans up after kill -9: the file stays until a command opens the store.
    assertTrue(Files.exists(staging), "staging vanished without a sweep");

    FsBackend next = FsBackend.open(root);
    assertEquals(1, next.sweptStaging());
    assertFalse(Files.exists(staging), "the killed writer's staging file is still there");
    assertFalse(Files.exists(staging.getParent()), "the killed writer's staging directory is still there");
    assertEquals(List.of(), entries(root.resolve(".stasis").resolve("tmp")));
    assertEquals(List.of(), listed(next));
    assertEquals(0, FsBackend.open(root).sweptStaging());
  }

  @Test
  void aWriterKilledWhileItsStagingIsWrittenBackLeavesNothingVisibleAndIsSwept() throws Exception {
    long size = 2 * Writeback.STEP + 12_345;  // two background syncs asked for, the last bytes not yet synced
    Path staging;
    try (ChildJvm writer = ChildJvm.start(StagingWriter.class, root.toString(), Long.toString(size))) {
      staging = Path.of(writer.readLine());
      assertEquals(size, Files.size(staging));
      writer.kill();
    }
    FsBackend next = FsBackend.open(root);
    assertEquals(1, next.sweptStaging());
    assertFalse(Files.exists(staging.getParent()), "the killed writer's staging directory is still there");
    assertEquals(List.of(), listed(next));
  }

  @Test
  void theSweepTellsLiveAndKilledWritersApartWhenBothAreThere() throws Exception {
    try (ChildJvm killed = ChildJvm.start(StagingWriter.class, root.toString());
        ChildJvm live = ChildJvm.start(StagingWriter.class, root.toString())) {
      Path dead = Path.of(killed.readLine());
      Path alive = Path.of(live.readLine());
      killed.kill();

      assertEquals(1, FsBackend.open(root).sweptStaging());
      assertFalse(Files.exists(dead), "the killed writer's staging file is still there");
      assertTrue(Files.exists(alive), "the live writer's staging file was removed");
      assertEquals(List.of(alive.getParent()), entries(root.resolve(".stasis").resolve("tmp")));

      // The live writer aborts when its stdin ends, and removes its own staging.
      assertEquals(0, live.finish());
      assertFalse(Files.exists(alive.getParent()), "an aborted writer left its staging behind");
    }
    assertEquals(0, FsBackend.open(root).sweptStaging());
  }

  @Test
  void aWriterThatAbortsLeavesNothingForTheSweep() throws Exception {
    Path staging;
    try (ChildJvm writer = ChildJvm.start(StagingWriter.class, root.toString())) {
      staging = Path.of(writer.readLine());
      assertEquals(0, writer.finish());
    }
    assertFalse(Files.exists(staging.getParent()));
    FsBackend next = FsBackend.open(root);
    assertEquals(0, next.sweptStaging());
    assertEquals(List.of(), listed(next));
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static List<ObjectInfo> listed(FsBackend backend) throws IOException {
    List<ObjectInfo> all = new ArrayList<>();
    backend.list(Key.ROOT, all::add);
    return all;
  }
}
