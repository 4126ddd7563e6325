package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot and restore of a container's component through its module, by {@code dysnomia}
 * and by {@code stasis snapshot/restore -C FILE -c COMPONENT}: any generation, none at all, a
 * damaged one, and the container's {@code compression=} property.
 */
class DysnomiaRestoreTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path containerFile;
  Path component;
  Path state;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    containerFile = host.directoryContainer("files");
    component = Trees.sample(host.component("files", "webapp"));
    state = host.srv.resolve("webapp");
    host.ok("-o", "activate", "-C", "files", "-c", "webapp");
  }

  /** Three generations, each with another index.html; returns the state each one holds. */
  private List<SortedMap<String, String>> threeGenerations() throws IOException {
    List<SortedMap<String, String>> states = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Trees.file(state, "index.html", "version " + i);
      states.add(Trees.describe(state));
      host.ok("-o", "snapshot", "-C", "files", "-c", "webapp");
    }
    assertEquals(3, host.all().size());
    return states;
  }

  @Test
  void restoresAnyGenerationThroughBothFaces() throws IOException {
    List<SortedMap<String, String>> states = threeGenerations();

    host.ok("-o", "restore", "-C", "files", "-c", "webapp", "--generation", "1");
    assertEquals(states.get(0), Trees.describe(state));

    // the stasis face takes the container file and the component by path, through the same module
    CliRun r = host.stasis("restore", "-C", containerFile.toString(), "-c", component.toString(), "--generation", "2");
    assertEquals(0, r.code(), r.toString());
    assertEquals(states.get(1), Trees.describe(state));

    host.ok("-o", "restore", "-C", "files", "-c", "webapp");
    assertEquals(states.get(2), Trees.describe(state));
    assertEquals(List.of("webapp"), DysnomiaHost.names(host.srv));
  }

  @Test
  void anUnknownGenerationIsNotFoundAndChangesNothing() throws IOException {
    threeGenerations();
    SortedMap<String, String> live = Trees.describe(state);
    CliRun r = host.dysnomia("-o", "restore", "-C", "files", "-c", "webapp", "--generation", "9");
    assertEquals(4, r.code(), r.toString());
    assertEquals(live, Trees.describe(state));
  }

  @Test
  void nothingToRestoreIsAMessageNotAFailure() throws IOException {
    Trees.file(state, "index.html", "never snapshotted");
    SortedMap<String, String> live = Trees.describe(state);

    CliRun r = host.ok("-o", "restore", "-C", "files", "-c", "webapp");
    assertTrue(r.stderr().contains("files/webapp has no snapshot to restore"), r.stderr());
    assertEquals("", r.out());
    assertEquals(live, Trees.describe(state));
    assertEquals(List.of("webapp"), DysnomiaHost.names(host.srv));
  }

  @Test
  void stasisSnapshotOfAContainerFileGoesThroughTheModule() throws IOException {
    CliRun first = host.stasis("snapshot", "-C", containerFile.toString(), "-c", component.toString());
    assertEquals(0, first.code(), first.toString());
    assertEquals(host.all(), List.of(first.line()));
    // the module's dump: the directory's deterministic tar, zstd by default
    assertEquals("state.tar.zst", host.storedFile(first.line()).getFileName().toString());

    // dysnomia's snapshot of the same state is the same dump: no new generation
    host.ok("-o", "snapshot", "-C", "files", "-c", "webapp");
    assertEquals(List.of(first.line()), host.all());
    // and the module's tar is the one `stasis snapshot DIR` makes of the state directory
    CliRun dir = host.stasis("snapshot", state.toString());
    assertEquals(0, dir.code(), dir.toString());
    assertEquals(id(first.line()), id(dir.line()));

    Trees.file(state, "index.html", "changed");
    CliRun second = host.stasis("snapshot", "-C", containerFile.toString(), "-c", component.toString());
    assertEquals(0, second.code(), second.toString());
    assertEquals(List.of(first.line(), second.line()), host.snapshots("--query-all", "-C", "files").lines());
  }

  private static String id(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  @Test
  void theContainersCompressionPropertyPicksTheStoredFormat() throws IOException {
    host.directoryContainer("archive", "compression=xz");
    Trees.sample(host.component("archive", "docs"));
    host.ok("-o", "activate", "-C", "archive", "-c", "docs");
    Path docs = host.srv.resolve("docs");
    SortedMap<String, String> snapshotted = Trees.describe(docs);
    host.ok("-o", "snapshot", "-C", "archive", "-c", "docs");

    List<String> all = host.all();
    assertEquals(1, all.size(), all.toString());
    assertTrue(all.get(0).startsWith("archive/docs/"), all.get(0));
    assertEquals("state.tar.xz", host.storedFile(all.get(0)).getFileName().toString());

    Trees.file(docs, "index.html", "changed");
    host.ok("-o", "restore", "-C", "archive", "-c", "docs");
    assertEquals(snapshotted, Trees.describe(docs));
  }

  @Test
  void aDamagedGenerationIsRefusedByBothFaces() throws IOException {
    threeGenerations();
    String oldest = host.all().get(0);
    host.damage(oldest);
    Trees.file(state, "index.html", "live data");
    SortedMap<String, String> live = Trees.describe(state);

    CliRun dysnomia = host.dysnomia("-o", "restore", "-C", "files", "-c", "webapp", "--generation", "1");
    assertEquals(3, dysnomia.code(), dysnomia.toString());
    CliRun stasis = host.stasis("restore", "-C", containerFile.toString(), "-c", component.toString(),
        "--generation", "1");
    assertEquals(3, stasis.code(), stasis.toString());

    assertEquals(live, Trees.describe(state));
    assertEquals(List.of("webapp"), DysnomiaHost.names(host.srv));
    // the undamaged newest generation still restores
    host.ok("-o", "restore", "-C", "files", "-c", "webapp");
    assertEquals("version 3", Files.readString(state.resolve("index.html")));
  }
}
