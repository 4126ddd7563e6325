package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stasis mirror} between two local stores: order, verification, retention, dry run, usage. */
class MirrorCommandTest {
  @TempDir
  Path tmp;
  Path source;
  Path destination;
  /** The snapshot paths of pgc/testdb's generations 1, 2 and 3: A, B, A. */
  List<String> aba;

  @BeforeEach
  void aSourceWithAnAbaHistory() throws IOException {
    source = tmp.resolve("source");
    destination = tmp.resolve("mirror");
    String a = dump(source, "state A\n");
    String b = dump(source, "state B\n");
    assertEquals(a, dump(source, "state A\n"));
    aba = List.of(a, b, a);
    Path www = Trees.sample(tmp.resolve("www"));
    assertEquals(0, CliRun.stasis(source, "snapshot", www.toString()).code());
  }

  /** Snapshots {@code content} as pgc/testdb in {@code store}; returns its path. */
  static String dump(Path store, String content) {
    CliRun r = CliRun.stasisWithInput(store, content.getBytes(StandardCharsets.UTF_8),
        "snapshot", "--stdin", "-C", "pgc", "-c", "testdb", "--name", "dump.sql");
    assertEquals(0, r.code(), r.toString());
    return r.line();
  }

  private CliRun mirror(String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("mirror", "--from", source.toString(), "--to",
        destination.toString()));
    args.addAll(List.of(extra));
    return CliRun.stasis(source, args.toArray(String[]::new));
  }

  private static List<String> queryAll(Path store) {
    CliRun r = CliRun.dysnomiaSnapshots(store, "--query-all");
    assertEquals(0, r.code(), r.toString());
    return r.lines();
  }

  @Test
  void aMirrorHasTheSourcesNamesInTheSourcesOrderAndASecondSendsNothing() {
    CliRun first = mirror("--progress");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().startsWith("sent 3 snapshot(s) ("), first.out());
    assertTrue(first.out().strip().endsWith("), skipped 0, linked 4 generation(s), 0 failed"), first.out());
    assertTrue(first.stderr().contains("3/3 snapshot(s)"), first.stderr());
    assertTrue(first.stderr().contains("stasis: generation 3 of pgc/testdb: "), first.stderr());
    assertEquals(queryAll(source), queryAll(destination));
    assertEquals(aba, queryAll(destination).stream().filter(p -> p.startsWith("pgc/")).toList());
    assertEquals(0, CliRun.dysnomiaSnapshots(destination, "--query-all", "--check").code());

    CliRun second = mirror("--json");
    assertEquals(0, second.code(), second.toString());
    Map<String, Object> summary = JsonReader.object(second.out());
    assertEquals(0L, summary.get("sent"));
    assertEquals(0L, summary.get("linked"));
    assertEquals(3L, summary.get("skipped"));
    assertEquals(0L, summary.get("bytes"));
    assertEquals(List.of(), summary.get("failures"));
  }

  @Test
  void aDamagedSourceSnapshotIsRefusedAndNothingIsLinkedForItOrAfterIt() throws IOException {
    String c = dump(source, "state C\n");
    Path stored = source.resolve("snapshots").resolve(aba.get(1)).resolve("dump.sql.zst");
    byte[] bytes = Files.readAllBytes(stored);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(stored, bytes);

    CliRun r = mirror("--json", "--keep", "1");

    assertEquals(3, r.code(), r.toString());
    assertTrue(r.stderr().contains("stasis: refused " + aba.get(1) + ": Checksum mismatch detected for snapshot: "
        + aba.get(1)), r.stderr());
    Map<String, Object> summary = JsonReader.object(r.out());
    List<?> failures = (List<?>) summary.get("failures");
    assertEquals(1, failures.size());
    Map<?, ?> failure = (Map<?, ?>) failures.get(0);
    assertEquals(aba.get(1), failure.get("snapshot"));
    assertEquals(true, failure.get("integrity"));
    assertEquals(2L, failure.get("generations_left"), "A again and C");
    assertEquals(0L, summary.get("collected"), "no retention after a failure");
    assertEquals(List.of(aba.get(0)), queryAll(destination).stream().filter(p -> p.startsWith("pgc/")).toList());
    assertTrue(queryAll(destination).stream().anyMatch(p -> p.startsWith("directory/www/")), "www went on");
    assertFalse(Files.exists(destination.resolve("snapshots").resolve(aba.get(1))));
    assertFalse(Files.exists(destination.resolve("checksums").resolve(aba.get(1))));
    assertFalse(Files.exists(destination.resolve("snapshots").resolve(c)));
    assertEquals(List.of(), Trees.files(destination.resolve(".stasis/tmp")));
  }

  /** A's file and checksum under B's name: they agree with each other, but the name says B. */
  @Test
  void aSnapshotStoredUnderAnotherSnapshotsNameIsRefusedWithExit3() throws IOException {
    for (String area : List.of("snapshots", "checksums")) {
      Path b = source.resolve(area).resolve(aba.get(1));
      Path a = source.resolve(area).resolve(aba.get(0));
      Path from = area.equals("snapshots") ? a.resolve("dump.sql.zst") : a;
      Path to = area.equals("snapshots") ? b.resolve("dump.sql.zst") : b;
      Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    CliRun r = mirror();

    assertEquals(3, r.code(), r.toString());
    assertTrue(r.stderr().contains("stasis: refused " + aba.get(1) + ": snapshot " + aba.get(1)
        + " does not match its name"), r.stderr());
    assertEquals(List.of(aba.get(0)), queryAll(destination).stream().filter(p -> p.startsWith("pgc/")).toList());
    assertFalse(Files.exists(destination.resolve("snapshots").resolve(aba.get(1))));
  }

  /** The case: A mirrored, then B and A again; the next mirror must bring B and A, not "A is there". */
  @Test
  void aStateThatComesBackAfterAMirrorGoesAcrossWithTheStateBetween() {
    Path alone = tmp.resolve("alone");
    String a = dump(alone, "state A\n");
    assertEquals(0, CliRun.stasis(alone, "mirror", "--from", alone.toString(), "--to", destination.toString()).code());
    String b = dump(alone, "state B\n");
    dump(alone, "state A\n");

    CliRun r = CliRun.stasis(alone, "mirror", "--from", alone.toString(), "--to", destination.toString());

    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().strip().endsWith("), skipped 1, linked 2 generation(s), 0 failed"), r.out());
    assertEquals(List.of(a, b, a), queryAll(destination));
  }

  /** A snapshot object deleted at the destination: sent again, never called skipped. */
  @Test
  void aSnapshotDeletedAtTheDestinationIsSentAgain() throws IOException {
    assertEquals(0, mirror().code());
    Files.delete(destination.resolve("snapshots").resolve(aba.get(2)).resolve("dump.sql.zst"));

    CliRun dry = mirror("--dry-run");
    CliRun r = mirror("--json");

    assertEquals(0, dry.code(), dry.toString());
    assertEquals(List.of("would send " + aba.get(2) + " again, missing at the destination though its generation 3"
        + " points at it"), dry.lines().stream().map(l -> l.replaceAll(" \\(.*\\)$", "")).toList());
    assertEquals(0, r.code(), r.toString());
    Map<String, Object> summary = JsonReader.object(r.out());
    assertEquals(1L, summary.get("sent"));
    assertEquals(2L, summary.get("skipped"), "B and www; A was missing");
    assertEquals(0L, summary.get("linked"));
    assertEquals(queryAll(source), queryAll(destination));
    assertEquals(0, CliRun.dysnomiaSnapshots(destination, "--query-all", "--check").code());
  }

  @Test
  void keepLeavesTheNewestGenerationsAtTheDestination() {
    CliRun r = mirror("--keep", "1", "-C", "pgc");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of(aba.get(2)), queryAll(destination));
    assertTrue(r.stderr().contains("Removing old generation symlink: pgc/testdb/1"), r.stderr());
    assertEquals(4, queryAll(source).size(), "the source keeps everything");
  }

  @Test
  void dryRunPrintsWhatWouldBeSentAndLinkedAndChangesNothing() throws IOException {
    SortedMap<String, String> before = Trees.describe(source);
    CliRun r = mirror("--dry-run", "-c", "testdb");
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("would send " + aba.get(0), "would link " + aba.get(0) + " as generation 1",
        "would send " + aba.get(1), "would link " + aba.get(1) + " as generation 2",
        "would link " + aba.get(2) + " as generation 3"),
        r.lines().stream().map(l -> l.replaceAll(" \\(.*\\)$", "")).toList());
    assertFalse(Files.exists(destination), "a dry run created the destination");
    assertEquals(before, Trees.describe(source));

    CliRun json = mirror("--dry-run", "--json");
    assertEquals(0, json.code(), json.toString());
    Map<String, Object> plan = JsonReader.object(json.out());
    assertEquals(true, plan.get("dry_run"));
    assertEquals(3L, plan.get("sent"));
    assertEquals(4L, plan.get("linked"));
    assertEquals(4, ((List<?>) plan.get("plan")).size());
    assertFalse(Files.exists(destination));
  }

  @Test
  void usageErrorsExit2AndAMissingSourceExits4() {
    assertEquals(2, CliRun.stasis(source, "mirror", "--to", destination.toString()).code());
    assertEquals(2, CliRun.stasis(source, "mirror", "--from", source.toString()).code());
    CliRun same = CliRun.stasis(source, "mirror", "--from", source.toString(), "--to",
        source.resolve("../source").toString());
    assertEquals(2, same.code(), same.toString());
    assertTrue(same.stderr().contains("the same store"), same.stderr());
    assertEquals(2, CliRun.stasis(source, "mirror", "--from", "s3://b-1/x", "--to", "s3://b-1/x/").code());
    CliRun keep0 = mirror("--keep", "0");
    assertEquals(2, keep0.code(), keep0.toString());
    assertTrue(keep0.stderr().contains("--keep must be 1 or more"), keep0.stderr());
    assertEquals(2, mirror("--store", source.toString()).code());
    assertEquals(2, CliRun.stasis(source, "mirror", "--from", source.toString(), "--to", "s3://b-1/x",
        "--s3-part-size", "1MiB").code(), "S3's parts are 5 MiB at least");
    assertEquals(4, CliRun.stasis(source, "mirror", "--from", tmp.resolve("nope").toString(), "--to",
        destination.toString()).code());
    assertFalse(Files.exists(destination));
  }

  /**
   * Disnix's way between two stores, through dysnomia-snapshots: for each of the source's
   * snapshots in --query-all order, send it if --print-missing names it and import it, else
   * import the destination's own copy (which only links it). The result is the mirror's.
   */
  @Test
  void theDisnixFlowOfPrintMissingThenImportGivesWhatMirrorGives() throws IOException {
    Path disnix = tmp.resolve("disnix");
    for (String path : queryAll(source)) {
      String[] p = path.split("/");
      CliRun missing = CliRun.dysnomiaSnapshots(disnix, "--print-missing", path);
      assertEquals(0, missing.code(), missing.toString());
      Path dir;
      if (missing.lines().equals(List.of(path))) {
        dir = tmp.resolve("transfer").resolve(p[2]);
        Files.createDirectories(dir);
        Path from = source.resolve("snapshots").resolve(path);
        try (var files = Files.list(from)) {
          for (Path f : files.toList()) {
            Files.copy(f, dir.resolve(f.getFileName()));
          }
        }
      } else {
        dir = Path.of(CliRun.dysnomiaSnapshots(disnix, "--resolve", path).line());
      }
      CliRun imported = CliRun.dysnomiaSnapshots(disnix, "--import", "-C", p[0], "-c", p[1], dir.toString());
      assertEquals(0, imported.code(), imported.toString());
    }
    assertEquals(0, mirror().code());

    assertEquals(queryAll(destination), queryAll(disnix));
    assertEquals(queryAll(source), queryAll(disnix));
    for (String path : queryAll(source)) {
      assertEquals(Files.readString(destination.resolve("checksums").resolve(path)),
          Files.readString(disnix.resolve("checksums").resolve(path)));
    }
    assertEquals(0, CliRun.dysnomiaSnapshots(disnix, "--query-all", "--check").code());
  }
}
