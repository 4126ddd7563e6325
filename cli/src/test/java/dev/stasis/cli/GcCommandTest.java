package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import dev.stasis.modules.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stasis gc}: keep the newest N generations of each component and what they use. */
class GcCommandTest {
  @TempDir
  Path tmp;
  Path store;
  Path www;
  /** The ids of generations 1, 2 and 3 of directory/www. */
  List<String> ids = new ArrayList<>();

  @BeforeEach
  void threeGenerations() throws IOException {
    store = tmp.resolve("state");
    www = Trees.sample(tmp.resolve("www"));
    for (int i = 1; i <= 3; i++) {
      Trees.file(www, "index.html", "version " + i);
      CliRun r = CliRun.stasis(store, "snapshot", www.toString());
      assertEquals(0, r.code(), r.toString());
      ids.add(r.line().substring("directory/www/".length()));
    }
  }

  @Test
  void keepsTheNewestGenerationByDefault() throws IOException {
    CliRun r = CliRun.stasis(store, "gc");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.out());
    assertEquals(sorted(List.of("Removing old generation symlink: directory/www/1",
        "Removing old generation symlink: directory/www/2",
        "Removing old snapshot: directory/www/" + ids.get(0),
        "Removing old snapshot: directory/www/" + ids.get(1))), sorted(r.stderr().lines().toList()));
    assertEquals(List.of("3"), Trees.files(store.resolve("generations/directory/www")));
    assertEquals(List.of(ids.get(2) + "/state.tar.zst"), Trees.files(store.resolve("snapshots/directory/www")));
    assertEquals(List.of(ids.get(2)), Trees.files(store.resolve("checksums/directory/www")));
    assertEquals(List.of(ids.get(2)), Trees.files(store.resolve(".stasis/meta/directory/www")));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void keepThreeKeepsAllThree() throws IOException {
    SortedMap<String, String> before = Trees.describe(store.resolve("snapshots"));
    CliRun r = CliRun.stasis(store, "gc", "--keep", "3");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.stderr());
    assertEquals(List.of("1", "2", "3"), Trees.files(store.resolve("generations/directory/www")));
    assertEquals(before, Trees.describe(store.resolve("snapshots")));
  }

  @Test
  void keepZeroDeletesEverythingAndNumberingStartsAgain() throws IOException {
    CliRun r = CliRun.stasis(store, "gc", "--keep", "0");
    assertEquals(0, r.code(), r.toString());
    for (String area : List.of("generations", "snapshots", "checksums", ".stasis/meta")) {
      assertEquals(List.of(), Trees.files(store.resolve(area)), area);
    }
    assertEquals(List.of(), CliRun.stasis(store, "list").lines());
    CliRun again = CliRun.stasis(store, "snapshot", "--json", www.toString());
    assertEquals(1L, JsonReader.object(again.line()).get("generation"));
  }

  @Test
  void aSnapshotAKeptGenerationUsesStays() throws IOException {
    Trees.file(www, "index.html", "version 1");  // back to the first state: generation 4 points at it
    CliRun fourth = CliRun.stasis(store, "snapshot", www.toString());
    assertEquals("directory/www/" + ids.get(0), fourth.line());

    assertEquals(0, CliRun.stasis(store, "gc").code());
    assertEquals(List.of("4"), Trees.files(store.resolve("generations/directory/www")));
    assertEquals(List.of(ids.get(0) + "/state.tar.zst"), Trees.files(store.resolve("snapshots/directory/www")));
    assertEquals(0, CliRun.stasis(store, "restore", www.toString()).code());
  }

  @Test
  void dryRunPrintsThePlanAndDeletesNothing() throws IOException {
    SortedMap<String, String> before = Trees.describe(store);
    CliRun r = CliRun.stasis(store, "gc", "--keep", "1", "--dry-run");
    assertEquals(0, r.code(), r.toString());
    assertEquals(sorted(List.of("would delete generation directory/www/1: older than the newest 1",
        "would delete generation directory/www/2: older than the newest 1",
        "would delete snapshot directory/www/" + ids.get(0) + ": no kept generation points at it",
        "would delete snapshot directory/www/" + ids.get(1) + ": no kept generation points at it")),
        sorted(r.lines()));
    assertEquals("", r.stderr());
    SortedMap<String, String> after = Trees.describe(store);
    after.keySet().removeIf(k -> k.startsWith(".stasis/"));
    before.keySet().removeIf(k -> k.startsWith(".stasis/"));
    assertEquals(before, after);
  }

  @Test
  void onlyTheComponentAskedForIsCollected() throws IOException {
    Path other = Trees.sample(tmp.resolve("other"));
    CliRun.stasis(store, "snapshot", other.toString());
    Trees.file(other, "index.html", "changed");
    CliRun.stasis(store, "snapshot", other.toString());

    assertEquals(0, CliRun.stasis(store, "gc", "-c", "other").code());
    assertEquals(List.of("2"), Trees.files(store.resolve("generations/directory/other")));
    assertEquals(List.of("1", "2", "3"), Trees.files(store.resolve("generations/directory/www")));
  }

  @Test
  void leftoversOfACrashAreCollected() throws IOException {
    // a checksum whose snapshot directory is gone, as a crash between the two can leave
    DurableFiles.deleteTree(store.resolve("snapshots/directory/www/" + ids.get(0)));
    CliRun r = CliRun.stasis(store, "gc", "--keep", "2");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.stderr().contains("Removing leftover checksum: directory/www/" + ids.get(0)), r.stderr());
    List<String> kept = sorted(ids.subList(1, 3));
    assertEquals(kept, Trees.files(store.resolve("checksums/directory/www")));
    assertEquals(kept, Trees.files(store.resolve(".stasis/meta/directory/www")));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void aNewestGenerationLinkingOutsideTheStoreStopsGcBeforeItDeletesAnything() throws IOException {
    // the newest link points outside; keeping it alone would delete the last intact snapshot
    Path link = store.resolve("generations/directory/www/4");
    Files.createSymbolicLink(link, tmp.resolve("evil").resolve(ids.get(2)));
    assertRefused(List.of("gc"), "directory/www/4 -> " + tmp.resolve("evil").resolve(ids.get(2))
        + " (outside snapshots/directory/www/)");
    Files.delete(link);
    Files.createSymbolicLink(link, tmp.resolve("evil/abc"));
    assertRefused(List.of("gc", "--keep", "1", "--dry-run"), "directory/www/4 -> " + tmp.resolve("evil/abc"));
  }

  @Test
  void aKeptGenerationPointingAtNothingStopsGc() throws IOException {
    Path link = store.resolve("generations/directory/www/4");
    Files.createSymbolicLink(link, Path.of("../../../snapshots/directory/www/gone"));
    assertRefused(List.of("gc", "--keep", "2"),
        "directory/www/4 -> ../../../snapshots/directory/www/gone (no such snapshot)");
    Files.delete(link);
    Files.writeString(link, "a file where a link should be");
    assertRefused(List.of("gc"), "directory/www/4 (not a symbolic link)");
    CliRun dysnomia = CliRun.dysnomiaSnapshots(store, "--gc");
    assertEquals(3, dysnomia.code(), dysnomia.toString());
  }

  @Test
  void anOlderGenerationPointingAtNothingIsJustDeleted() throws IOException {
    DurableFiles.deleteTree(store.resolve("snapshots/directory/www/" + ids.get(0)));
    CliRun r = CliRun.stasis(store, "gc");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("3"), Trees.files(store.resolve("generations/directory/www")));
    assertEquals(List.of(ids.get(2) + "/state.tar.zst"), Trees.files(store.resolve("snapshots/directory/www")));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void emptySnapshotDirectoriesLeftByAKilledGcAreReportedAndThenRemoved() throws IOException {
    // a gc killed between unlinking a snapshot's file and removing its directory: the link is
    // gone, the directory is empty, the checksum and metadata are still there
    String id = ids.get(0);
    Files.delete(store.resolve("generations/directory/www/1"));
    Files.delete(store.resolve("snapshots/directory/www/" + id + "/state.tar.zst"));
    Files.createDirectories(store.resolve("snapshots/directory/www/leftover/sub"));  // several levels of one

    CliRun check = CliRun.stasis(store, "check");
    assertEquals(3, check.code(), check.toString());
    assertEquals(List.of("empty_directory directory/www/" + id + ": snapshot directory directory/www/" + id
            + " holds no file (left by an interrupted gc; the real Dysnomia takes it for a snapshot); stasis gc"
            + " removes it when no generation points at it",
        "empty_directory directory/www/leftover: snapshot directory directory/www/leftover holds no file (left by"
            + " an interrupted gc; the real Dysnomia takes it for a snapshot); stasis gc removes it when no generation"
            + " points at it"),
        check.lines().stream().sorted().toList());

    CliRun gc = CliRun.stasis(store, "gc", "--keep", "3");
    assertEquals(0, gc.code(), gc.toString());
    assertTrue(gc.stderr().contains("Removing empty snapshot directory: directory/www/" + id), gc.stderr());
    assertTrue(gc.stderr().contains("Removing empty snapshot directory: directory/www/leftover"), gc.stderr());
    assertFalse(Files.exists(store.resolve("snapshots/directory/www/" + id)));
    assertFalse(Files.exists(store.resolve("snapshots/directory/www/leftover")));
    assertEquals(sorted(ids.subList(1, 3)), Trees.files(store.resolve("checksums/directory/www")));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  /** gc and its dry run exit 3 naming the link, and nothing in the store changes. */
  private void assertRefused(List<String> args, String naming) throws IOException {
    SortedMap<String, String> before = Trees.describe(store);
    before.keySet().removeIf(k -> k.startsWith(".stasis/"));
    CliRun r = CliRun.stasis(store, args.toArray(String[]::new));
    assertEquals(3, r.code(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.stderr().contains(naming), r.stderr());
    assertTrue(r.stderr().contains("Nothing was deleted"), r.stderr());
    SortedMap<String, String> after = Trees.describe(store);
    after.keySet().removeIf(k -> k.startsWith(".stasis/"));
    assertEquals(before, after);
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
