package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.store.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The subversion-repository type against real {@code svnadmin} and {@code svn}: repositories
 * in {@code svnBaseDir}, dumped with {@code svnadmin dump}, loaded beside and swapped in.
 */
class SubversionModuleTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path base;
  Path repo;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    base = tmp.resolve("svn");
    repo = base.resolve("project");
    host.container("svn", "type=subversion-repository", "svnBaseDir=" + base);
    host.component("svn", "project");
  }

  /** Runs a command to its end and returns its stdout; it must succeed. */
  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    return out;
  }

  /** Commits a new directory: one more revision. */
  private void commit(String dir) throws IOException {
    run("svn", "mkdir", "-q", "-m", "add " + dir, "file://" + repo + "/" + dir);
  }

  private int youngest() throws IOException {
    return Integer.parseInt(run("svnlook", "youngest", repo.toString()).strip());
  }

  private byte[] dumpOfLive() throws IOException {
    Process p = new ProcessBuilder("svnadmin", "dump", "--quiet", repo.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      assertEquals(0, p.waitFor());
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    return out;
  }

  @Test
  void activateLoadsTheInitialDumpsOnceAndSnapshotsDeduplicate() throws IOException {
    Path seed = tmp.resolve("seed");
    run("svnadmin", "create", seed.toString());
    run("svn", "mkdir", "-q", "-m", "trunk", "file://" + seed + "/trunk");
    Files.createDirectories(host.components.resolve("svn/project/subversion-repositories"));
    Files.write(host.components.resolve("svn/project/subversion-repositories/01-initial.dump"),
        run("svnadmin", "dump", "--quiet", seed.toString()).getBytes(StandardCharsets.ISO_8859_1));

    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    assertEquals(1, youngest());
    assertEquals(run("svnlook", "uuid", seed.toString()), run("svnlook", "uuid", repo.toString()));
    commit("branches");
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    assertEquals(2, youngest(), "a second activate must not touch the repository");

    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    assertEquals(1, host.all().size(), "an unchanged repository dumps to the same snapshot");
    commit("tags");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    List<String> all = host.all();
    assertEquals(2, all.size());
    assertTrue(host.storedFile(all.get(1)).getFileName().toString().equals("dump.zst"));
  }

  @Test
  void restoreKeepsTheLiveRepositorysHooksAndConfiguration() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    // what an administrator set up after the repository was made: a dump does not carry it
    Path hook = DysnomiaHost.script(repo.resolve("hooks/pre-commit"), "#!/bin/sh", "exit 0");
    Files.writeString(repo.resolve("conf/svnserve.conf"), "[general]\nanon-access = none\n");
    Path extra = Files.writeString(repo.resolve("conf/authz-extra"), "[/]\n* = r\n");
    commit("mistake");

    host.ok("-o", "restore", "-C", "svn", "-c", "project");
    assertEquals(1, youngest());
    assertTrue(Files.isExecutable(hook), "the pre-commit hook is gone");
    assertEquals("[general]\nanon-access = none\n", Files.readString(repo.resolve("conf/svnserve.conf")));
    assertEquals("[/]\n* = r\n", Files.readString(extra));
    commit("after");  // the hook runs, and lets it in
    assertEquals(2, youngest());
  }

  @Test
  void restoreBringsBackTheNewestOrAnOlderGeneration() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    byte[] atOne = dumpOfLive();
    commit("branches");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    byte[] atTwo = dumpOfLive();

    commit("mistake");
    host.ok("-o", "restore", "-C", "svn", "-c", "project");
    assertEquals(2, youngest());
    assertEquals(new String(atTwo, StandardCharsets.ISO_8859_1), new String(dumpOfLive(), StandardCharsets.ISO_8859_1));
    host.ok("-o", "restore", "-C", "svn", "-c", "project", "--generation", "1");
    assertEquals(new String(atOne, StandardCharsets.ISO_8859_1), new String(dumpOfLive(), StandardCharsets.ISO_8859_1));
    assertEquals(List.of("project"), DysnomiaHost.names(base), "nothing left beside the repository");
  }

  @Test
  void aDamagedSnapshotIsFoundAndNeverRestored() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    commit("more");
    byte[] live = dumpOfLive();
    host.damage(host.all().get(0));

    assertEquals(3, host.snapshots("--query-all", "--check").code());
    CliRun r = host.dysnomia("-o", "restore", "-C", "svn", "-c", "project");
    assertEquals(3, r.code(), r.toString());
    assertEquals(new String(live, StandardCharsets.ISO_8859_1), new String(dumpOfLive(), StandardCharsets.ISO_8859_1));
    assertEquals(List.of("project"), DysnomiaHost.names(base));
  }

  @Test
  void aLoadFailingHalfWayLeavesTheLiveRepositoryAsItWas() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    byte[] live = dumpOfLive();
    // a dump whose first revision loads and whose second is garbage: svnadmin load fails midway
    String good = run("svnadmin", "dump", "--quiet", repo.toString());
    Path snapshot = Files.createDirectories(tmp.resolve("import/broken-1"));
    // svnadmin load commits revision 1, then fails on revision 2's delete of a path that does not exist
    Files.writeString(snapshot.resolve("dump"), good + "Revision-number: 2\nProp-content-length: 10\n"
        + "Content-length: 10\n\nPROPS-END\n\nNode-path: nothere\nNode-action: delete\n\n", StandardCharsets.ISO_8859_1);
    assertEquals(0, host.snapshots("--import", "-C", "svn", "-c", "project", snapshot.toString()).code());

    CliRun r = host.dysnomia("-o", "restore", "-C", "svn", "-c", "project");
    assertNotEquals(0, r.code(), r.toString());
    assertTrue(r.stderr().contains("svnadmin load"), r.stderr());
    assertEquals(new String(live, StandardCharsets.ISO_8859_1), new String(dumpOfLive(), StandardCharsets.ISO_8859_1));
    assertEquals(List.of("project"), DysnomiaHost.names(base));
  }

  @Test
  void restoresWhatTheRealDysnomiaStoredUnderARevisionNumber() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    commit("branches");
    byte[] live = dumpOfLive();
    // Dysnomia's subversion-repository module: snapshots/<c>/<comp>/<revision>/dump.xz
    Path snapshot = Files.createDirectories(tmp.resolve("import/2"));
    try (InputStream in = new java.io.ByteArrayInputStream(live);
        OutputStream out = Compression.XZ.compress(Files.newOutputStream(snapshot.resolve("dump.xz")))) {
      in.transferTo(out);
    }
    assertEquals(0, host.snapshots("--import", "-C", "svn", "-c", "project", snapshot.toString()).code());
    assertEquals(List.of("svn/project/2"), host.all());

    DurableFiles.deleteTree(repo);
    run("svnadmin", "create", repo.toString());
    host.ok("-o", "restore", "-C", "svn", "-c", "project");
    assertEquals(2, youngest());
    assertEquals(new String(live, StandardCharsets.ISO_8859_1), new String(dumpOfLive(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void deactivateKeepsTheRepositoryAndCollectGarbageDropsItOnlyWhenMarked() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    host.ok("-o", "collect-garbage", "-C", "svn", "-c", "project");
    assertEquals(1, youngest(), "not marked: nothing collected");
    host.ok("-o", "deactivate", "-C", "svn", "-c", "project");
    assertEquals(1, youngest(), "deactivate keeps the data");
    host.ok("-o", "collect-garbage", "-C", "svn", "-c", "project");
    assertFalse(Files.exists(repo));
    assertFalse(Files.exists(host.marker("garbage", "svn", "project")));
  }

  @Test
  void aMissingRepositoryIsNotFoundAndNothingIsStored() throws IOException {
    CliRun r = host.dysnomia("-o", "snapshot", "-C", "svn", "-c", "project");
    assertEquals(4, r.code(), r.toString());
    assertEquals(List.of(), host.all());
    assertFalse(Files.exists(host.store.resolve("snapshots")));
  }

  @Test
  void theDumpIsSvnadminsOwnBytes() throws IOException {
    host.ok("-o", "activate", "-C", "svn", "-c", "project");
    commit("trunk");
    host.ok("-o", "snapshot", "-C", "svn", "-c", "project");
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(dumpOfLive());
    CliRun dump = host.stasis("dump", "svn/project");
    assertEquals(0, dump.code(), dump.toString());
    assertEquals(expected.toString(StandardCharsets.ISO_8859_1), new String(dump.stdout(), StandardCharsets.ISO_8859_1));
  }
}
