package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * Dysnomia's whole life cycle of a component on the built-in {@code directory} type, through
 * {@code dysnomia} and {@code dysnomia-snapshots}: activate, snapshot, query, gc, restore,
 * deactivate, collect-garbage, with the markers and the state checked on disk at each step.
 */
class DysnomiaDirectoryFlowTest {
  private static final String[] ON_WEBAPP = {"-C", "files", "-c", "webapp"};

  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path seed;
  Path state;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    host.directoryContainer("files");
    seed = Trees.sample(host.component("files", "webapp"));
    state = host.srv.resolve("webapp");
  }

  private CliRun run(String operation) {
    return host.ok(args(operation));
  }

  private static String[] args(String operation, String... more) {
    List<String> all = new ArrayList<>(List.of("-o", operation));
    all.addAll(List.of(ON_WEBAPP));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void activateSeedsTheStateFromTheComponentOnceAndMarksItActive() throws IOException {
    run("activate");

    // the component's files, links kept as links, in <directoryRoot>/<component name>
    assertEquals(Trees.files(seed), Trees.files(state));
    assertEquals(Files.readString(seed.resolve("index.html")), Files.readString(state.resolve("index.html")));
    assertEquals(Path.of("data/a.txt"), Files.readSymbolicLink(state.resolve("latest")));
    assertTrue(Files.isRegularFile(host.marker("activated", "files", "webapp")));
    assertTrue(Files.notExists(host.marker("garbage", "files", "webapp")));

    // the service changes its state; activating again must not seed over it
    Trees.file(state, "index.html", "written by the service");
    Trees.file(state, "uploads/photo.jpg", "jpeg");
    SortedMap<String, String> live = Trees.describe(state);
    run("activate");
    assertEquals(live, Trees.describe(state));
    assertTrue(Files.isRegularFile(host.marker("activated", "files", "webapp")));
  }

  @Test
  void activateWithoutComponentContentsCreatesAnEmptyState() throws IOException {
    // a component path that does not exist (given as a path, so no lookup) seeds nothing
    host.ok("-o", "activate", "-C", "files", "-c", tmp.resolve("nowhere/blank").toString());
    Path blank = host.srv.resolve("blank");
    assertTrue(Files.isDirectory(blank));
    assertEquals(List.of(), Trees.files(blank));
    assertTrue(Files.isRegularFile(host.marker("activated", "files", "blank")));
  }

  @Test
  void snapshotsBecomeGenerationsThatQueryGcAndRestoreSee() throws IOException {
    run("activate");
    assertEquals(List.of(), host.all());
    run("snapshot");
    List<String> first = host.all();
    assertEquals(1, first.size(), first.toString());
    assertTrue(first.get(0).matches("files/webapp/[0-9a-f]{64}"), first.get(0));

    // unchanged state: the same dump, so no new generation
    run("snapshot");
    assertEquals(first, host.all());

    Trees.file(state, "index.html", "second version");
    SortedMap<String, String> second = Trees.describe(state);
    run("snapshot");
    List<String> both = host.all();
    assertEquals(2, both.size(), both.toString());
    assertEquals(first.get(0), both.get(0));
    assertNotEquals(first.get(0), both.get(1));
    assertEquals(List.of(both.get(1)), host.snapshots("--query-latest").lines());
    assertEquals(0, host.snapshots("--query-all", "--check").code());

    // gc keeps the newest generation only, and drops the snapshot only the old one used
    CliRun gc = host.snapshots("--gc", "--keep", "1");
    assertEquals(0, gc.code(), gc.toString());
    assertEquals(List.of(both.get(1)), host.all());
    assertTrue(Files.notExists(host.store.resolve("snapshots").resolve(both.get(0))));

    // restore brings back exactly what the newest generation holds
    Trees.file(state, "index.html", "defaced");
    Files.delete(state.resolve("data/a.txt"));
    Trees.file(state, "junk.txt", "junk");
    CliRun restored = run("restore");
    assertEquals(second, Trees.describe(state));
    assertTrue(restored.stderr().contains("restored " + both.get(1)), restored.stderr());
    assertEquals(List.of("webapp"), DysnomiaHost.names(host.srv));
  }

  @Test
  void deactivateKeepsTheDataAndCollectGarbageDropsItOnlyWhenMarked() throws IOException {
    run("activate");
    Trees.file(state, "index.html", "written by the service");
    SortedMap<String, String> live = Trees.describe(state);
    run("snapshot");
    List<String> stored = host.all();

    // not deactivated: collect-garbage refuses to drop anything
    CliRun refused = run("collect-garbage");
    assertTrue(refused.stderr().contains("not marked as garbage"), refused.stderr());
    assertEquals(live, Trees.describe(state));

    run("deactivate");
    assertTrue(Files.notExists(host.marker("activated", "files", "webapp")));
    assertTrue(Files.isRegularFile(host.marker("garbage", "files", "webapp")));
    assertEquals(live, Trees.describe(state));

    // activating again takes the garbage mark back, keeps the data, and protects it again
    run("activate");
    assertTrue(Files.isRegularFile(host.marker("activated", "files", "webapp")));
    assertTrue(Files.notExists(host.marker("garbage", "files", "webapp")));
    assertEquals(live, Trees.describe(state));
    run("collect-garbage");
    assertEquals(live, Trees.describe(state));

    run("deactivate");
    run("collect-garbage");
    assertTrue(Files.notExists(state));
    assertTrue(Files.notExists(host.marker("garbage", "files", "webapp")));
    assertTrue(Files.notExists(host.marker("activated", "files", "webapp")));
    // the data went, its snapshots did not: a redeployment can restore it
    assertEquals(stored, host.all());
    run("restore");
    assertEquals(live, Trees.describe(state));
  }

  @Test
  void aSnapshotOfStateNeverActivatedIsNotFoundAndStoresNothing() throws IOException {
    CliRun r = host.dysnomia(args("snapshot"));
    assertEquals(4, r.code(), r.toString());
    assertEquals(List.of(), Launchers.committed(host.store));
    assertTrue(Files.notExists(state));
  }

  @Test
  void tamperingIsFoundByCheckAndRefusedByRestore() throws IOException {
    run("activate");
    run("snapshot");
    String path = host.all().get(0);
    host.damage(path);

    CliRun check = host.snapshots("--query-all", "--check");
    assertEquals(3, check.code(), check.toString());
    assertTrue(check.stderr().contains(path) || check.out().contains(path), check.toString());

    Trees.file(state, "index.html", "live data");
    SortedMap<String, String> live = Trees.describe(state);
    CliRun restore = host.dysnomia(args("restore"));
    assertEquals(3, restore.code(), restore.toString());
    assertEquals(live, Trees.describe(state));
    // nothing prepared beside the live state is left behind
    assertEquals(List.of("webapp"), DysnomiaHost.names(host.srv));
  }
}
