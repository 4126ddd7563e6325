package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.modules.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/dysnomia} and {@code bin/dysnomia-snapshots} as separate processes on the packaged
 * jar, through a component's whole life on the {@code directory} type, as a deployment tool such
 * as Disnix would call them.
 */
class DysnomiaFaceIT {
  @TempDir
  Path tmp;

  private Path store;
  private Path containerFile;
  private Path component;
  private Path state;
  private Launchers bin;

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("state");
    Path srv = tmp.resolve("srv");
    containerFile = DysnomiaHost.write(tmp.resolve("containers/files"),
        "# the files container", "type=directory", "directoryRoot='" + srv + "'");
    component = Trees.sample(tmp.resolve("components/webapp"));
    state = srv.resolve("webapp");
    bin = new Launchers(store);
  }

  private Result dysnomia(String operation) throws Exception {
    return bin.dysnomia("--operation", operation, "--container", containerFile.toString(),
        "--component", component.toString()).ok();
  }

  @Test
  void aComponentsLifeThroughTheLaunchers() throws Exception {
    dysnomia("activate");
    assertEquals(Trees.files(component), Trees.files(state));
    assertTrue(Files.isRegularFile(store.resolve("activated/files/webapp")));

    dysnomia("snapshot");
    Trees.file(state, "index.html", "written by the service");
    SortedMap<String, String> changed = Trees.describe(state);
    dysnomia("snapshot");

    List<String> all = bin.dysnomiaSnapshots("--query-all").ok().lines();
    assertEquals(2, all.size(), all.toString());
    assertTrue(all.get(0).matches("files/webapp/[0-9a-f]{64}") && all.get(1).matches("files/webapp/[0-9a-f]{64}"),
        all.toString());
    assertEquals(List.of(all.get(1)), bin.dysnomiaSnapshots("--query-latest", "-C", "files").ok().lines());

    Trees.file(state, "index.html", "defaced");
    Files.delete(state.resolve("latest"));
    dysnomia("restore");
    assertEquals(changed, Trees.describe(state));

    dysnomia("deactivate");
    assertTrue(Files.isRegularFile(store.resolve("garbage/files/webapp")));
    assertTrue(Files.notExists(store.resolve("activated/files/webapp")));
    assertEquals(changed, Trees.describe(state));

    dysnomia("collect-garbage");
    assertTrue(Files.notExists(state));
    assertTrue(Files.notExists(store.resolve("garbage/files/webapp")));
    // the state is gone, its snapshots stay
    assertEquals(all, bin.dysnomiaSnapshots("--query-all").ok().lines());
    bin.dysnomiaSnapshots("--query-all", "--check").ok();
  }

  @Test
  void aUsageErrorExitsTwoWithDysnomiasMessage() throws Exception {
    Result r = bin.dysnomia("--component", component.toString(), "--container", containerFile.toString()).exits(2);
    assertTrue(r.stderr().contains("ERROR: No operation specified!"), r.stderr());
    assertEquals("", r.out());
  }

  @Test
  void helpExitsZeroAndListsTheExitCodes() throws Exception {
    Result r = bin.dysnomia("--help").ok();
    assertTrue(r.out().startsWith("Usage: dysnomia"), r.out());
    assertTrue(r.out().contains("--operation"), r.out());
    assertTrue(r.out().contains("Exit codes:"), r.out());
    for (String code : List.of("0   ok", "1   the operation failed", "2   usage error", "3   integrity error",
        "4   not found", "5   locked")) {
      assertTrue(r.out().contains(code), code + " missing from:\n" + r.out());
    }
    assertEquals("", r.stderr());
    assertTrue(Files.notExists(store), "--help touched the store");
  }
}
