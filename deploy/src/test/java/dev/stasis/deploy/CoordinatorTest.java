package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment commands over local targets with directory services. */
class CoordinatorTest {
  @TempDir
  Path tmp;
  Fleet fleet;

  @BeforeEach
  void setUp() {
    fleet = new Fleet(tmp);
  }

  @Test
  void snapshotCopiesEachServicesSnapshotToTheCoordinatorOnce() throws Exception {
    Path d = fleet.deployment("d.toml", "www=t1", "files=t2");
    Trees.sample(fleet.state("t1", "www"));
    Trees.file(fleet.state("t2", "files"), "a.txt", "files of t2\n");
    List<Outcome> first = fleet.run(d, (c, m) -> c.snapshot(m.select(List.of())));
    assertEquals(List.of("done", "done"), first.stream().map(Outcome::status).toList(), first.toString());
    assertTrue(first.get(0).detail().contains("sent to the coordinator"), first.get(0).detail());
    try (Store coord = Fleet.open(fleet.coordinatorDir)) {
      assertEquals(2, coord.generations(Scope.all()).size());
      assertEquals(first.get(0).snapshot(), coord.latest(new ComponentRef("directory", "www")).orElseThrow()
          .snapshotRef().toString());
    }
    List<Outcome> again = fleet.run(d, (c, m) -> c.snapshot(m.select(List.of("www"))));
    assertEquals("unchanged", again.get(0).status());
    assertTrue(again.get(0).detail().contains("the coordinator has it"), again.get(0).detail());
    try (Store coord = Fleet.open(fleet.coordinatorDir)) {
      assertEquals(2, coord.generations(Scope.all()).size(), "nothing new at the coordinator");
    }
  }

  @Test
  void aMigrationMovesTheFilesAndKeepsTheOldStateUnlessAsked() throws Exception {
    Path old = fleet.deployment("old.toml", "www=t1", "files=t2");
    Path now = fleet.deployment("new.toml", "www=t2", "files=t2");
    Trees.sample(fleet.state("t1", "www"));
    Trees.file(fleet.state("t2", "files"), "a.txt", "stays\n");
    var before = Trees.describe(fleet.state("t1", "www"));

    List<Outcome> moved = fleet.run(now, (c, m) -> c.migrate(Manifest.read(old), false, false, false));
    assertEquals(1, moved.size(), moved.toString());
    assertEquals("done", moved.get(0).status(), moved.toString());
    assertEquals(before, Trees.describe(fleet.state("t2", "www")));
    assertEquals(before, Trees.describe(fleet.state("t1", "www")), "the old state is kept without --delete-state");

    List<Outcome> rerun = fleet.run(now, (c, m) -> c.migrate(Manifest.read(old), false, false, false));
    assertEquals("unchanged", rerun.get(0).status(), rerun.toString());

    Trees.file(fleet.state("t2", "www"), "written-after.txt", "new writes on t2\n");
    List<Outcome> deleting = fleet.run(now, (c, m) -> c.migrate(Manifest.read(old), true, false, false));
    assertEquals("done", deleting.get(0).status(), deleting.toString());
    assertFalse(Files.exists(fleet.state("t1", "www")), "--delete-state removes the old state");
    assertTrue(Files.exists(fleet.state("t2", "www").resolve("written-after.txt")),
        "a rerun does not restore again over what was written since");
  }

  @Test
  void aDryRunChangesNothing() throws Exception {
    Path old = fleet.deployment("old.toml", "www=t1");
    Path now = fleet.deployment("new.toml", "www=t2");
    Trees.sample(fleet.state("t1", "www"));
    List<Outcome> plan = fleet.run(now, (c, m) -> c.migrate(Manifest.read(old), true, false, true));
    assertEquals("planned", plan.get(0).status());
    assertFalse(Files.exists(fleet.store("t1")), "no snapshot taken");
    assertFalse(Files.exists(fleet.state("t2", "www")));
    assertFalse(Files.exists(fleet.coordinatorDir.resolve("snapshots")));
  }

  @Test
  void aMigrationThatFailsHalfWayDeletesNothingAndARerunCompletesIt() throws Exception {
    Path old = fleet.deployment("old.toml", "www=t1", "files=t1");
    Path now = fleet.deployment("new.toml", "www=t2", "files=t3");
    Trees.sample(fleet.state("t1", "www"));
    Trees.file(fleet.state("t1", "files"), "f.txt", "files\n");
    Files.writeString(fleet.store("t3"), "not a directory: t3's store cannot be opened");

    List<Outcome> failed = fleet.run(now, (c, m) -> c.migrate(Manifest.read(old), true, false, false));
    Outcome files = failed.stream().filter(o -> o.subject().equals("files")).findFirst().orElseThrow();
    Outcome www = failed.stream().filter(o -> o.subject().equals("www")).findFirst().orElseThrow();
    assertEquals("failed", files.status(), failed.toString());
    assertTrue(files.detail().contains("nothing deleted"), files.detail());
    assertEquals("done", www.status(), failed.toString());
    assertTrue(www.detail().contains("old state kept: another service failed"), www.detail());
    assertTrue(Files.exists(fleet.state("t1", "www")) && Files.exists(fleet.state("t1", "files")));

    Files.delete(fleet.store("t3"));
    List<Outcome> rerun = fleet.run(now, (c, m) -> c.migrate(Manifest.read(old), true, false, false));
    assertTrue(rerun.stream().allMatch(o -> o.status().equals("done")), rerun.toString());
    assertEquals("files\n", Files.readString(fleet.state("t3", "files").resolve("f.txt")));
    assertFalse(Files.exists(fleet.state("t1", "www")) || Files.exists(fleet.state("t1", "files")));
  }

  @Test
  void restoreBringsBackOnlyServicesPlacedAnewUnlessNoUpgrade() throws Exception {
    Path d = fleet.deployment("d.toml", "www=t1", "files=t2");
    Trees.sample(fleet.state("t1", "www"));
    Trees.file(fleet.state("t2", "files"), "a.txt", "v1\n");
    fleet.run(d, (c, m) -> c.snapshot(m.select(List.of())));
    Files.writeString(fleet.state("t1", "www").resolve("later.txt"), "later\n");
    Files.writeString(fleet.state("t2", "files").resolve("a.txt"), "v2\n");

    Path previous = fleet.deployment("prev.toml", "www=t1");
    List<Outcome> upgrade = fleet.run(d, (c, m) -> c.restore(m.select(List.of()),
        Optional.of(List.copyOf(Manifest.read(previous).services().values())), false));
    assertEquals(List.of("skipped", "done"), upgrade.stream().map(Outcome::status).toList(), upgrade.toString());
    assertEquals("v1\n", Files.readString(fleet.state("t2", "files").resolve("a.txt")), "files is new: restored");
    assertTrue(Files.exists(fleet.state("t1", "www").resolve("later.txt")), "www was there before: left alone");

    List<Outcome> all = fleet.run(d, (c, m) -> c.restore(m.select(List.of()),
        Optional.of(List.copyOf(Manifest.read(previous).services().values())), true));
    assertEquals(List.of("done", "done"), all.stream().map(Outcome::status).toList(), all.toString());
    assertFalse(Files.exists(fleet.state("t1", "www").resolve("later.txt")), "--no-upgrade restores www too");
  }

  @Test
  void cleanSnapshotsKeepsNOnEveryTargetAndTheCoordinator() throws Exception {
    Path d = fleet.deployment("d.toml", "www=t1", "files=t2");
    Trees.file(fleet.state("t2", "files"), "a.txt", "x\n");
    for (int i = 0; i < 3; i++) {
      Trees.file(fleet.state("t1", "www"), "n.txt", "version " + i + "\n");
      fleet.run(d, (c, m) -> c.snapshot(m.select(List.of())));
    }
    List<Outcome> cleaned = fleet.run(d, (c, m) -> c.clean(1, List.of()));
    assertTrue(cleaned.stream().noneMatch(Outcome::failed), cleaned.toString());
    try (Store t1 = Fleet.open(fleet.store("t1"))) {
      assertEquals(1, t1.generations(Scope.all()).size(), "www's three generations on t1: one left");
    }
    try (Store t2 = Fleet.open(fleet.store("t2"))) {
      assertEquals(1, t2.generations(Scope.all()).size());
    }
    try (Store coord = Fleet.open(fleet.coordinatorDir)) {
      assertEquals(2, coord.generations(Scope.all()).size(), "one of www, one of files");
      assertEquals("version 2\n", Files.readString(fleet.state("t1", "www").resolve("n.txt")));
      assertEquals(List.of(1L, 1L), List.of(coord.generations(Scope.of(new ComponentRef("directory", "www"))).size(),
          coord.generations(Scope.of(new ComponentRef("directory", "files"))).size()).stream()
          .map(Integer::longValue).toList());
    }
  }
}
