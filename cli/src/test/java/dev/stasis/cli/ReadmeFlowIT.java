package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main flow through the real launchers and the packaged jar: snapshot a
 * directory, list it, dump it into sha256sum, read the stored files with the system's own
 * zstd and xz, and query it as Dysnomia's tool does.
 */
class ReadmeFlowIT {
  private static final Pattern SNAPSHOT = Pattern.compile("directory/www/([0-9a-f]{64})");

  @TempDir
  Path tmp;

  private Path store;
  private Path www;
  private Launchers bin;

  @BeforeEach
  void setUp() throws Exception {
    store = tmp.resolve("store");
    www = Files.createDirectories(tmp.resolve("www"));
    Files.writeString(www.resolve("index.html"), "<h1>hello</h1>\n");
    Files.createDirectories(www.resolve("img"));
    Files.write(www.resolve("img").resolve("logo.bin"), new byte[] {0, 1, 2, (byte) 0xff});
    bin = new Launchers(store);
  }

  @Test
  void snapshotThenListAsTheReadmeShows() throws Exception {
    Result r = bin.bash("bin/stasis snapshot " + quote(www) + " && bin/stasis list").ok();

    List<String> lines = r.lines();
    assertEquals(2, lines.size(), r.out());
    String id = id(lines.get(0));
    assertTrue(lines.get(1).startsWith("directory/www  1  " + id + "  "), lines.get(1));
    assertTrue(lines.get(1).endsWith("  zstd"), lines.get(1));

    // Dysnomia's layout: the snapshot, its checksum, and generation 1 linking to it.
    assertTrue(Files.isRegularFile(snapshotDir("www", id).resolve("state.tar.zst")));
    assertTrue(Files.readString(store.resolve("checksums/directory/www").resolve(id)).matches("sha256:[0-9a-f]{64}"));
    assertEquals(Path.of("../../../snapshots/directory/www", id),
        Files.readSymbolicLink(store.resolve("generations/directory/www/1")));

    // The same state again: the same id and no new generation.
    assertEquals("directory/www/" + id, bin.stasis("snapshot", www.toString()).ok().out().strip());
    assertEquals(1, bin.stasis("list").ok().lines().size());
  }

  @Test
  void dumpIntoSha256sumPrintsTheId() throws Exception {
    String id = snapshot();
    Result r = bin.bash("bin/stasis dump directory/www/" + id + " | sha256sum").ok();
    assertEquals(id + "  -", r.out().strip());

    // The newest generation by component, too; and the tar holds the directory's files.
    Result listing = bin.bash("bin/stasis dump directory/www | tar -tf -").ok();
    assertEquals(List.of("img/", "img/logo.bin", "index.html"), listing.lines());
  }

  @Test
  void storedFilesDecompressWithTheSystemsZstdAndXz() throws Exception {
    String id = snapshot();
    byte[] logical = bin.stasis("dump", "directory/www/" + id).ok().stdout();

    Path zst = snapshotDir("www", id).resolve("state.tar.zst");
    assertArrayEquals(logical, bin.run(List.of("zstd", "-dc", zst.toString())).ok().stdout());

    // xz, as the real Dysnomia restores it; the same state under another component keeps its id.
    Result xz = bin.stasis("snapshot", www.toString(), "-c", "www-xz", "--compression", "xz").ok();
    assertEquals("directory/www-xz/" + id, xz.out().strip());
    Path stored = snapshotDir("www-xz", id).resolve("state.tar.xz");
    assertArrayEquals(logical, bin.run(List.of("xz", "-dc", stored.toString())).ok().stdout());
    assertArrayEquals(logical, bin.stasis("dump", "directory/www-xz/" + id).ok().stdout());
  }

  @Test
  void dysnomiaSnapshotsQueriesWhatStasisStored() throws Exception {
    String id = snapshot();
    Files.writeString(www.resolve("index.html"), "<h1>changed</h1>\n");
    String changed = snapshot();

    assertEquals(List.of("directory/www/" + id, "directory/www/" + changed),
        bin.dysnomiaSnapshots("--query-all").ok().lines());
    assertEquals(List.of("directory/www/" + changed), bin.dysnomiaSnapshots("--query-latest").ok().lines());
    assertEquals(List.of(snapshotDir("www", changed).toString()),
        bin.dysnomiaSnapshots("--resolve", "directory/www/" + changed).ok().lines());
    bin.dysnomiaSnapshots("--query-all", "--check").ok();
  }

  @Test
  void everyHelpExitsZeroAndListsTheExitCodes() throws Exception {
    List<List<String>> helps = List.of(
        Launchers.launcher("stasis", "--help"),
        Launchers.launcher("stasis", "snapshot", "--help"),
        Launchers.launcher("stasis", "restore", "--help"),
        Launchers.launcher("stasis", "list", "--help"),
        Launchers.launcher("stasis", "gc", "--help"),
        Launchers.launcher("stasis", "check", "--help"),
        Launchers.launcher("stasis", "import", "--help"),
        Launchers.launcher("stasis", "dump", "--help"),
        Launchers.launcher("stasis", "mirror", "--help"),
        Launchers.launcher("dysnomia-snapshots", "--help"));
    for (List<String> help : helps) {
      Result r = bin.run(help).ok();
      assertTrue(r.out().startsWith("Usage: "), r.command() + ":\n" + r.out());
      assertTrue(r.out().contains("Exit codes:") && r.out().contains("5   locked"), r.command() + ":\n" + r.out());
      assertEquals("", r.stderr(), r.command());
    }
    // Help is not an operation: nothing was created.
    assertTrue(Files.notExists(store), "--help touched the store");
  }

  /** Snapshots {@code www}; returns the id. */
  private String snapshot() throws Exception {
    return id(bin.stasis("snapshot", www.toString()).ok().out().strip());
  }

  private static String id(String line) {
    Matcher m = SNAPSHOT.matcher(line);
    assertTrue(m.matches(), "not directory/www/<id>: " + line);
    return m.group(1);
  }

  private Path snapshotDir(String component, String id) {
    return store.resolve("snapshots/directory").resolve(component).resolve(id);
  }

  private static String quote(Path p) {
    return "'" + p.toString().replace("'", "'\\''") + "'";
  }
}
