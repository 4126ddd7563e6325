package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dysnomia-snapshots} on the store the real Dysnomia 0.10.2 wrote
 * (src/test/resources/dysnomia-0.10.2-store.txt describes it).
 */
class DysnomiaSnapshotsCommandTest {
  /** files/webdata-comp generations 1..11, then pgc/testdb 1..3, as the fixture's links say. */
  private static final List<String> ALL = List.of(
      "files/webdata-comp/9eaadcfb816799aee50e887683f02bfc2356118a3e88201f2a0ef7ff9b31fb87",
      "files/webdata-comp/ad906e6cc5a2f4ba3f9c40a6d0c88e5b7bd99140b80cb5a3714dbe831e626737",
      "files/webdata-comp/a569f953eab28190c7b7ad0d4f36516001cce571875ea6ff37f385450350030e",
      "files/webdata-comp/302b64a631cb3493e0ef3338018fa0eb2f051bdaafd718c4cb0857138efb976a",
      "files/webdata-comp/2e620402e1db6b817e5b038f09a52203c22e668c15a27dd39e70b7b06213e2f1",
      "files/webdata-comp/7e8386ee9c4db06be61a822e05b7f29cfd06451a230d00509c1e023c45aafb0e",
      "files/webdata-comp/129a77c8368fe1a9cd7e8e75fcbe7b6304389c7c14bb9fc2aea373021830ba9a",
      "files/webdata-comp/5b7f287d2a9dde7e7ca3eeef3523f2e3e7afc2acdbf008e6782fdae01f627150",
      "files/webdata-comp/456ce150239503a89e298b52b899e4944f2ce87ab6f8389776af9c7946de4654",
      "files/webdata-comp/fa722c1f7b3c0cfe13b4d1d535c2608bf5e3c283c9a4f9deeb04f63199939bea",
      "files/webdata-comp/ad98dd398c83f153372c6c27c5e64ed91e3eb16b799f897b593d0f88e0aa731a",
      "pgc/testdb/692b2a524d4a5391377d804d99689f244ccbe7d476c1452dcf8074c7f7cf4d3d",
      "pgc/testdb/5d780c8a4d3f5ac001005cf6241a1431a5bee7b43a33da509e8a88ad1337f297",
      "pgc/testdb/9111c1e686d0894e650edd0b93feba10f149ed07eb1fd601a3ecc1640f2bdba0");
  private static final List<String> FILES = ALL.subList(0, 11);
  private static final String LATEST_FILES = ALL.get(10);
  private static final String LATEST_PGC = ALL.get(13);
  private static final String MISSING = "pgc/testdb/" + "0".repeat(64);

  @TempDir
  Path tmp;
  Path state;

  @BeforeEach
  void unpackTheFixture() throws Exception {
    Path fixture = Path.of(getClass().getResource("/dysnomia-0.10.2-store.tar.gz").toURI());
    Process tar = new ProcessBuilder("tar", "xzf", fixture.toString(), "-C", tmp.toString()).inheritIO().start();
    assertEquals(0, tar.waitFor());
    state = tmp.resolve("state");
  }

  @Test
  void queryAllListsGenerationsInNumericOrder() {
    CliRun r = run("--query-all");
    assertEquals(0, r.code(), r.toString());
    assertEquals(ALL, r.lines());
    assertEquals("", r.stderr());
  }

  @Test
  void queryLatestListsTheNewestOfEachComponent() {
    assertEquals(List.of(LATEST_FILES, LATEST_PGC), run("--query-latest").lines());
  }

  @Test
  void theContainerAndComponentOptionsFilter() {
    assertEquals(FILES, run("--query-all", "--container", "files", "--component", "/some/path/webdata-comp").lines());
    assertEquals(ALL.subList(11, 14), run("--query-all", "-C", "pgc").lines());
    assertEquals(List.of(LATEST_PGC), run("--query-latest", "-c", "testdb").lines());
    assertEquals(List.of(), run("--query-all", "-C", "files", "-c", "testdb").lines());
  }

  @Test
  void checkOfTheRealToolsStoreIsClean() {
    CliRun r = run("--query-all", "--check");
    assertEquals(0, r.code(), r.toString());
    assertEquals(ALL, r.lines());
    assertEquals("", r.stderr());
  }

  @Test
  void checkFindsATamperedSnapshot() throws IOException {
    String damaged = FILES.get(4);
    Path file = storedFile(damaged);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);

    CliRun r = run("--query-all", "--check");
    assertEquals(3, r.code(), r.toString());
    assertEquals(ALL, r.lines());
    assertTrue(r.stderr().contains("Checksum mismatch detected for snapshot: " + damaged), r.stderr());
    // only what the query printed is checked
    assertEquals(0, run("--query-latest", "--check").code());
  }

  @Test
  void stasisListsAndRestoresWhatTheRealToolStored() throws IOException {
    CliRun list = CliRun.stasis(state, "list", "-C", "files");
    assertEquals(11, list.lines().size(), list.toString());
    assertTrue(list.lines().get(10).startsWith("files/webdata-comp  11  ad98dd39"), list.toString());

    Path webdata = tmp.resolve("webdata");
    CliRun r = CliRun.stasis(state, "restore", webdata.toString(), "-C", "files", "-c", "webdata-comp");
    assertEquals(0, r.code(), r.toString());
    assertEquals("version 11\n", Files.readString(webdata.resolve("state/file.txt")));
    r = CliRun.stasis(state, "restore", webdata.toString(), "-C", "files", "-c", "webdata-comp", "--generation", "1");
    assertEquals(0, r.code(), r.toString());
    assertEquals("version 1\n", Files.readString(webdata.resolve("state/file.txt")));
  }

  @Test
  void resolvePrintsWhereSnapshotsAre() {
    CliRun r = run("--resolve", ALL.get(0), LATEST_PGC);
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of(state + "/snapshots/" + ALL.get(0), state + "/snapshots/" + LATEST_PGC), r.lines());

    CliRun missing = run("--resolve", MISSING);
    assertEquals(4, missing.code(), missing.toString());
    assertEquals("", missing.out());
    assertTrue(missing.stderr().contains(MISSING), missing.stderr());
  }

  @Test
  void printMissingPrintsOnlyTheMissing() {
    String otherMissing = "files/webdata-comp/" + "f".repeat(64);
    CliRun r = run("--print-missing", ALL.get(3), MISSING, LATEST_FILES, otherMissing);
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of(MISSING, otherMissing), r.lines());
  }

  @Test
  void malformedPathsAreUsageErrors() {
    for (String bad : List.of("a/b", "../x/y/z", "../x/y", "a/b/c/d")) {
      for (String op : List.of("--resolve", "--print-missing")) {
        CliRun r = run(op, MISSING, bad);
        assertEquals(2, r.code(), op + " " + bad + ": " + r);
        assertEquals("", r.out(), "validated before any is used: " + r);
      }
    }
  }

  @Test
  void gcKeepsTheNewestTwoOfEachComponent() throws IOException {
    CliRun r = run("--gc", "--keep", "2");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.stderr().lines().anyMatch("Removing old generation symlink: files/webdata-comp/1"::equals), r.stderr());
    assertTrue(r.stderr().contains("Removing old snapshot: " + ALL.get(0)), r.stderr());
    assertEquals(List.of("10", "11"), Trees.files(state.resolve("generations/files/webdata-comp")));
    assertEquals(List.of("2", "3"), Trees.files(state.resolve("generations/pgc/testdb")));
    assertEquals(List.of(FILES.get(9), FILES.get(10), ALL.get(12), LATEST_PGC), run("--query-all", "--check").lines());
    assertEquals(List.of(ALL.get(0)), run("--print-missing", ALL.get(0), ALL.get(12)).lines());
  }

  @Test
  void gcDryRunRemovesNothing() throws IOException {
    SortedMap<String, String> before = Trees.describe(state);
    CliRun r = run("--gc", "--dry-run");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.lines().contains("generation files/webdata-comp/1: older than the newest 1"), r.toString());
    SortedMap<String, String> after = Trees.describe(state);
    after.keySet().removeIf(k -> k.startsWith(".stasis"));  // the lock file, stasis's own
    assertEquals(before, after);
  }

  @Test
  void importMovesASnapshotIntoTheStore() throws IOException {
    Path fresh = tmp.resolve("fresh");
    Path dir = copyOfSnapshot(LATEST_PGC);
    CliRun r = CliRun.dysnomiaSnapshots(fresh, "--import", "-C", "pgc", "-c", "testdb", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertFalse(Files.exists(dir), "removed once stored, as Dysnomia's mv");
    assertEquals(List.of(LATEST_PGC), CliRun.dysnomiaSnapshots(fresh, "--query-all", "--check").lines());
    assertArrayEquals(Files.readAllBytes(state.resolve("checksums").resolve(LATEST_PGC)),
        Files.readAllBytes(fresh.resolve("checksums").resolve(LATEST_PGC)));
  }

  @Test
  void aCorruptedImportStoresNothingAndKeepsTheSource() throws IOException {
    Path fresh = tmp.resolve("fresh");
    Path dir = copyOfSnapshot(LATEST_PGC);
    Path file = dir.resolve("dump.pgsql.xz");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);

    CliRun r = CliRun.dysnomiaSnapshots(fresh, "--import", "-C", "pgc", "-c", "testdb", dir.toString());
    assertEquals(3, r.code(), r.toString());
    assertArrayEquals(bytes, Files.readAllBytes(file));
    assertEquals(List.of(), CliRun.dysnomiaSnapshots(fresh, "--query-all").lines());
    assertEquals(List.of(), Trees.files(fresh.resolve("snapshots")));
  }

  @Test
  void importNeedsAContainerAndAComponent() throws IOException {
    Path dir = copyOfSnapshot(LATEST_PGC);
    CliRun noContainer = run("--import", "-c", "testdb", dir.toString());
    assertEquals(2, noContainer.code(), noContainer.toString());
    assertTrue(noContainer.stderr().contains("No container specified"), noContainer.stderr());
    CliRun noComponent = run("--import", "-C", "pgc", dir.toString());
    assertEquals(2, noComponent.code(), noComponent.toString());
    assertTrue(noComponent.stderr().contains("No component specified"), noComponent.stderr());
    assertTrue(Files.isDirectory(dir));
  }

  @Test
  void oneOperationAtATime() {
    CliRun none = run();
    assertEquals(2, none.code(), none.toString());
    assertTrue(none.stderr().contains("No operation specified!"), none.stderr());
    assertEquals(2, run("--query-all", "--query-latest").code());
    assertEquals(2, run("--gc", "--resolve", ALL.get(0)).code());
    CliRun checkAlone = run("--check");
    assertEquals(2, checkAlone.code(), checkAlone.toString());
    assertEquals(2, run("--gc", "--check").code());
    assertEquals(2, run("--gc", "--keep", "-1").code());
  }

  @Test
  void longOptionsMayBeAbbreviatedAsGetoptAllows() {
    CliRun r = run("--query-l");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of(LATEST_FILES, LATEST_PGC), r.lines());
    assertEquals(FILES, run("--query-a", "--cont", "files").lines());
  }

  private CliRun run(String... args) {
    return CliRun.dysnomiaSnapshots(state, args);
  }

  private Path storedFile(String path) throws IOException {
    try (Stream<Path> files = Files.list(state.resolve("snapshots").resolve(path))) {
      return files.findFirst().orElseThrow();
    }
  }

  /** A copy of a fixture snapshot directory outside the store, under its own name. */
  private Path copyOfSnapshot(String path) throws IOException {
    Path file = storedFile(path);
    Path dir = Files.createDirectories(tmp.resolve("incoming").resolve(file.getParent().getFileName()));
    Files.copy(file, dir.resolve(file.getFileName()));
    return dir;
  }
}
