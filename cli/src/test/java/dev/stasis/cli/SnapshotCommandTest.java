package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stasis snapshot} of a directory, stdin and a command, and {@code stasis dump} of what it stored. */
class SnapshotCommandTest {
  private static final String SHA256_PATH = "[a-z]+/[a-z]+/[0-9a-f]{64}";

  @TempDir
  Path tmp;
  Path store;
  Path www;

  @BeforeEach
  void setUp() throws IOException {
    store = tmp.resolve("state");
    www = Trees.sample(tmp.resolve("www"));
  }

  @Test
  void snapshotOfADirectoryIsStoredInDysnomiasLayout() throws IOException {
    CliRun r = CliRun.stasis(store, "snapshot", www.toString());
    assertEquals(0, r.code(), r.toString());
    String path = r.line();
    assertTrue(path.matches("directory/www/[0-9a-f]{64}"), path);

    assertEquals(List.of("state.tar.zst"), Trees.files(store.resolve("snapshots").resolve(path)));
    assertTrue(Files.readString(store.resolve("checksums").resolve(path)).matches("sha256:[0-9a-f]{64}"));
    assertEquals(Path.of("../../../snapshots/" + path),
        Files.readSymbolicLink(store.resolve("generations/directory/www/1")));

    CliRun list = CliRun.stasis(store, "list");
    assertEquals(0, list.code(), list.toString());
    String[] columns = list.line().split(" {2}");
    assertEquals(List.of("directory/www", "1", path.substring(path.lastIndexOf('/') + 1)),
        List.of(columns[0], columns[1], columns[2]));
    assertEquals("zstd", columns[6]);
  }

  @Test
  void anUnchangedDirectoryMakesNoNewGeneration() {
    String first = CliRun.stasis(store, "snapshot", www.toString()).line();
    CliRun again = CliRun.stasis(store, "snapshot", www.toString());
    assertEquals(0, again.code(), again.toString());
    assertEquals(first, again.line());
    assertTrue(again.stderr().contains("unchanged"), again.stderr());
    assertEquals(1, CliRun.stasis(store, "list").lines().size());
  }

  @Test
  void generationsAreListedInNumericOrder() throws IOException {
    List<String> snapshots = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      Trees.file(www, "index.html", "version " + i + "\n");
      CliRun r = CliRun.stasis(store, "snapshot", www.toString());
      assertEquals(0, r.code(), r.toString());
      snapshots.add(r.line().substring("directory/www/".length()));
    }
    List<String> lines = CliRun.stasis(store, "list").lines();
    assertEquals(LongStream.rangeClosed(1, 12).mapToObj(Long::toString).toList(),
        lines.stream().map(l -> l.split(" {2}")[1]).toList());
    assertEquals(snapshots, lines.stream().map(l -> l.split(" {2}")[2]).toList());
  }

  @Test
  void jsonOutputIsWellFormed() throws IOException {
    CliRun first = CliRun.stasis(store, "snapshot", "--json", www.toString());
    var snapshot = JsonReader.object(first.line());
    assertTrue(((String) snapshot.get("snapshot")).matches(SHA256_PATH), first.toString());
    assertEquals(1L, snapshot.get("generation"));
    assertEquals(true, snapshot.get("new_generation"));
    assertEquals(false, snapshot.get("deduplicated"));
    assertTrue((Long) snapshot.get("logical_size") > 0 && (Long) snapshot.get("stored_size") > 0);
    Trees.file(www, "index.html", "changed\n");
    String second = (String) JsonReader.object(CliRun.stasis(store, "snapshot", "--json", www.toString()).line())
        .get("snapshot");

    var list = JsonReader.arrayOfObjects(CliRun.stasis(store, "list", "--json").line());
    assertEquals(2, list.size());
    assertEquals(List.of("directory", "www", 2L, second, "zstd", "state.tar.zst"),
        List.of(list.get(1).get("container"), list.get(1).get("component"), list.get(1).get("generation"),
            list.get(1).get("path"), list.get(1).get("compression"), list.get(1).get("file")));

    assertEquals(List.of(), JsonReader.parse(CliRun.stasis(store, "check", "--json").line()));

    var gc = JsonReader.arrayOfObjects(CliRun.stasis(store, "gc", "--json").line());
    assertEquals(List.of("generation", "snapshot"), gc.stream().map(a -> a.get("kind")).toList());
    assertEquals(List.of("directory/www/1", snapshot.get("snapshot")), gc.stream().map(a -> a.get("path")).toList());
  }

  @Test
  void snapshotOfStdin() throws IOException {
    byte[] dump = "CREATE TABLE t (x int);\n".getBytes(StandardCharsets.UTF_8);
    CliRun r = CliRun.stasisWithInput(store, dump, "snapshot", "--stdin", "-C", "pg", "-c", "db", "--name", "dump.sql");
    assertEquals(0, r.code(), r.toString());
    assertEquals("pg/db/" + Trees.sha256(dump), r.line());
    assertEquals(List.of("dump.sql.zst"), Trees.files(store.resolve("snapshots").resolve(r.line())));
    assertEquals(dump.length, CliRun.stasis(store, "dump", r.line()).stdout().length);
  }

  @Test
  void snapshotOfACommandsOutput() {
    CliRun r = CliRun.stasis(store, "snapshot", "--from-command", "printf 'row 1\\n'; echo progress >&2",
        "-C", "sh", "-c", "rows");
    assertEquals(0, r.code(), r.toString());
    assertEquals("sh/rows/" + Trees.sha256("row 1\n".getBytes(StandardCharsets.UTF_8)), r.line());
    assertTrue(r.stderr().contains("progress"), "the command's stderr is passed through: " + r.stderr());
  }

  @Test
  void aFailingCommandStoresNothing() throws IOException {
    CliRun r = failedCommand("echo oops >&2; exit 3");
    assertTrue(r.stderr().contains("status 3") && r.stderr().startsWith("oops\n"), r.stderr());
  }

  @Test
  void aCommandThatPrintsNothingStoresNothing() throws IOException {
    CliRun r = failedCommand("true");
    assertTrue(r.stderr().contains("empty"), r.stderr());
  }

  @Test
  void aCommandThatFailsHalfwayStoresNothing() throws IOException {
    failedCommand("printf data; exit 1");
  }

  private CliRun failedCommand(String command) throws IOException {
    CliRun r = CliRun.stasis(store, "snapshot", "--from-command", command, "-C", "sh", "-c", "rows");
    assertEquals(1, r.code(), r.toString());
    assertEquals("", r.out());
    assertEquals(List.of(), Trees.files(store.resolve("snapshots")));
    assertEquals(List.of(), Trees.files(store.resolve("checksums")));
    assertEquals(List.of(), Trees.files(store.resolve("generations")));
    assertEquals(List.of(), Trees.files(store.resolve(".stasis/tmp")));
    return r;
  }

  @Test
  void dumpPrintsTheBytesWhoseHashIsTheId() throws IOException {
    String first = CliRun.stasis(store, "snapshot", www.toString()).line();
    Trees.file(www, "index.html", "newer\n");
    String newest = CliRun.stasis(store, "snapshot", www.toString()).line();

    CliRun dump = CliRun.stasis(store, "dump", first);
    assertEquals(0, dump.code(), dump.toString());
    assertEquals(first.substring(first.lastIndexOf('/') + 1), Trees.sha256(dump.stdout()));
    CliRun latest = CliRun.stasis(store, "dump", "directory/www");
    assertEquals(newest.substring(newest.lastIndexOf('/') + 1), Trees.sha256(latest.stdout()));
  }

  @Test
  void xzCompressionWritesDysnomiasFileName() throws IOException {
    CliRun r = CliRun.stasis(store, "snapshot", "--compression", "xz", www.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("state.tar.xz"), Trees.files(store.resolve("snapshots").resolve(r.line())));
    assertEquals(r.line().substring("directory/www/".length()),
        Trees.sha256(CliRun.stasis(store, "dump", r.line()).stdout()));
  }

  @Test
  void theIdDoesNotDependOnTheCompression() {
    String xz = CliRun.stasis(store, "snapshot", "--compression", "xz", www.toString()).line();
    CliRun none = CliRun.stasis(tmp.resolve("other"), "snapshot", "--compression", "none", www.toString());
    assertEquals(xz, none.line());
    assertFalse(none.stderr().contains("unchanged"), none.stderr());
  }
}
