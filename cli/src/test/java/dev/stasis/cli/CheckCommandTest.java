package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import dev.stasis.store.DysnomiaChecksum;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stasis check}: every problem, one line each, exit 3 when there is any. */
class CheckCommandTest {
  @TempDir
  Path tmp;
  Path store;
  String first;
  String second;

  @BeforeEach
  void twoSnapshots() throws IOException {
    store = tmp.resolve("state");
    Path www = Trees.sample(tmp.resolve("www"));
    first = CliRun.stasis(store, "snapshot", www.toString()).line();
    Trees.file(www, "index.html", "second");
    second = CliRun.stasis(store, "snapshot", www.toString()).line();
  }

  @Test
  void aCleanStoreChecksClean() {
    CliRun r = CliRun.stasis(store, "check");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.stderr().contains("checked 2 snapshot(s): all good"), r.stderr());
  }

  @Test
  void aTamperedSnapshotIsAMismatch() throws IOException {
    tamper(first);
    CliRun r = CliRun.stasis(store, "check");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.line().startsWith("mismatch " + first + ": Checksum mismatch detected for snapshot: " + first),
        r.toString());
  }

  @Test
  void aSnapshotWhoseContentIsNotItsNameIsAMismatchOfItsName() throws IOException {
    // a self-consistent swap: the first snapshot's file and checksum under the second's name
    Path secondDir = store.resolve("snapshots").resolve(second);
    Files.copy(store.resolve("snapshots").resolve(first).resolve("state.tar.zst"), secondDir.resolve("state.tar.zst"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(store.resolve("checksums").resolve(first), store.resolve("checksums").resolve(second),
        StandardCopyOption.REPLACE_EXISTING);
    for (String[] command : new String[][] {{"check"}, {"check", "--json"}}) {
      CliRun r = CliRun.stasis(store, command);
      assertEquals(3, r.code(), r.toString());
      assertTrue(r.out().contains(second.substring(second.lastIndexOf('/') + 1)), r.toString());
      assertTrue(r.out().contains("name_mismatch"), r.toString());
    }
    CliRun query = CliRun.dysnomiaSnapshots(store, "--query-all", "--check");
    assertEquals(3, query.code(), query.toString());
    assertTrue(query.stderr().contains(second), query.toString());
  }

  @Test
  void aCorruptedZstdFrameUnderAMatchingChecksumIsDamageNamingTheSnapshot() throws IOException {
    // damage that the checksum record was made to match: only decompressing tells
    Path file = store.resolve("snapshots").resolve(second).resolve("state.tar.zst");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(file, bytes);
    MessageDigest digest = DysnomiaChecksum.startOneFile("state.tar.zst");
    Files.writeString(store.resolve("checksums").resolve(second),
        DysnomiaChecksum.format(digest.digest(bytes)));

    CliRun check = CliRun.stasis(store, "check");
    assertEquals(3, check.code(), check.toString());
    assertTrue(check.out().contains(second), check.toString());
    for (String[] command : new String[][] {{"dump", second}, {"restore", tmp.resolve("www").toString(),
        "--snapshot", second}}) {
      CliRun r = CliRun.stasis(store, command);
      assertEquals(3, r.code(), r.toString());
      assertTrue(r.stderr().contains(second), r.toString());
      assertFalse(r.stderr().toLowerCase(java.util.Locale.ROOT).contains("restored"), r.toString());
    }
  }

  @Test
  void aDeletedChecksumIsMissing() throws IOException {
    Files.delete(store.resolve("checksums").resolve(second));
    CliRun r = CliRun.stasis(store, "check");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.line().startsWith("missing_checksum " + second + ": "), r.toString());
  }

  @Test
  void aMalformedChecksumIsReported() throws IOException {
    Files.writeString(store.resolve("checksums").resolve(second), "md5:0123");
    CliRun r = CliRun.stasis(store, "check");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.line().startsWith("malformed_checksum " + second + ": "), r.toString());
  }

  @Test
  void aGenerationPointingAtNothingIsDangling() throws IOException {
    Path gens = Files.createDirectories(store.resolve("generations/c/x"));
    Files.createSymbolicLink(gens.resolve("1"), Path.of("../../../snapshots/c/x/gone"));
    CliRun r = CliRun.stasis(store, "check");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.line().startsWith("dangling_generation c/x/1: "), r.toString());
  }

  @Test
  void aGenerationLinkingOutsideTheStoreIsReportedEvenWhenItsLastSegmentNamesASnapshot() throws IOException {
    // the real Dysnomia follows the link to the copy outside; stasis would read the one inside
    String name = second.substring(second.lastIndexOf('/') + 1);
    Path outside = Files.createDirectories(tmp.resolve("elsewhere").resolve(name));
    Files.copy(store.resolve("snapshots").resolve(second).resolve("state.tar.zst"), outside.resolve("state.tar.zst"));
    Path link = store.resolve("generations/directory/www/2");
    Files.delete(link);
    Files.createSymbolicLink(link, outside);
    Path elsewhere = store.resolve("generations/directory/www/3");
    Files.createSymbolicLink(elsewhere, Path.of("../../../snapshots/directory/other/" + name));

    CliRun r = CliRun.stasis(store, "check");
    assertEquals(3, r.code(), r.toString());
    assertEquals(List.of("stray_generation directory/www/2: generation directory/www/2 links to " + outside
            + ", not into this store's snapshots/directory/www/ (as ../../../snapshots/directory/www/<name>)",
        "stray_generation directory/www/3: generation directory/www/3 links to ../../../snapshots/directory/other/"
            + name + ", not into this store's snapshots/directory/www/ (as ../../../snapshots/directory/www/<name>)"),
        r.lines().stream().filter(l -> l.startsWith("stray_generation")).toList());
    CliRun query = CliRun.dysnomiaSnapshots(store, "--query-all", "--check");
    assertEquals(3, query.code(), query.toString());
    assertTrue(query.stderr().contains("generation directory/www/2 links to " + outside), query.toString());
  }

  @Test
  void aLinkThatIsNoGenerationIsReportedToo() throws IOException {
    Files.writeString(store.resolve("generations/directory/www/3"), "not a link");
    Files.createSymbolicLink(store.resolve("generations/directory/www/4"), Path.of("/"));
    CliRun r = CliRun.stasis(store, "check");
    assertEquals(3, r.code(), r.toString());
    assertEquals(List.of("stray_generation directory/www/3: generation directory/www/3 is not a symbolic link",
        "stray_generation directory/www/4: generation directory/www/4 links to /, not into this store's"
            + " snapshots/directory/www/ (as ../../../snapshots/directory/www/<name>)"), r.lines());
  }

  @Test
  void everyProblemIsReportedNotJustTheFirst() throws IOException {
    tamper(first);
    Files.delete(store.resolve("checksums").resolve(second));
    Path gens = Files.createDirectories(store.resolve("generations/c/x"));
    Files.createSymbolicLink(gens.resolve("1"), Path.of("../../../snapshots/c/x/gone"));

    CliRun r = CliRun.stasis(store, "check", "--json");
    assertEquals(3, r.code(), r.toString());
    List<Map<String, Object>> problems = JsonReader.arrayOfObjects(r.line());
    assertEquals(List.of("dangling_generation c/x/1", "mismatch " + first, "missing_checksum " + second),
        problems.stream().map(p -> p.get("kind") + " " + p.get("subject")).sorted().toList());
    assertTrue(problems.stream().allMatch(p -> ((String) p.get("message")).length() > 0), problems.toString());
    assertTrue(r.stderr().contains("3 problem(s)"), r.stderr());
  }

  @Test
  void theScopeLimitsWhatIsChecked() throws IOException {
    tamper(first);
    assertEquals(3, CliRun.stasis(store, "check", "-C", "directory").code());
    CliRun other = CliRun.stasis(store, "check", "-C", "pg");
    assertEquals(0, other.code(), other.toString());
  }

  /** Overwrites the stored file of {@code path} with other, well-formed bytes. */
  private void tamper(String path) throws IOException {
    try (Stream<Path> files = Files.list(store.resolve("snapshots").resolve(path))) {
      Path file = files.findFirst().orElseThrow();
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length - 1] ^= 0x01;
      Files.write(file, bytes);
    }
  }
}
