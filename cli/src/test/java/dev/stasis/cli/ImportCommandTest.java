package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stasis import}: snapshot directories copied in, verified against a SHA-256 name. */
class ImportCommandTest {
  @TempDir
  Path tmp;
  Path source;
  Path store;
  Path www;
  String path;
  String id;

  @BeforeEach
  void aSnapshotInAnotherStore() throws IOException {
    source = tmp.resolve("source");
    store = tmp.resolve("state");
    www = Trees.sample(tmp.resolve("www"));
    path = CliRun.stasis(source, "snapshot", www.toString()).line();
    id = path.substring(path.lastIndexOf('/') + 1);
  }

  @Test
  void importsAStasisSnapshotVerified() throws IOException {
    Path dir = export(id);
    SortedMap<String, String> exported = Trees.describe(dir);
    CliRun r = CliRun.stasis(store, "import", "-C", "directory", "-c", "www", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(path, r.line());
    assertArrayEquals(Files.readAllBytes(source.resolve("checksums").resolve(path)),
        Files.readAllBytes(store.resolve("checksums").resolve(path)));
    assertEquals(List.of("1"), Trees.files(store.resolve("generations/directory/www")));
    assertEquals(exported, Trees.describe(dir), "kept without --move");
    assertEquals(id, Trees.sha256(CliRun.stasis(store, "dump", path).stdout()));
  }

  @Test
  void moveDeletesTheSourceOnceImported() throws IOException {
    Path dir = export(id);
    CliRun r = CliRun.stasis(store, "import", "--move", "-C", "directory", "-c", "www", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertFalse(Files.exists(dir));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void aMoveOfTheStoresOwnSnapshotIntoAnotherComponentCopiesIt() throws IOException {
    // the source store's own snapshot, by a path through a symlink: moving it away would leave
    // its own generation dangling
    Files.createSymbolicLink(tmp.resolve("alias"), source);
    Path own = tmp.resolve("alias/snapshots").resolve(path);
    SortedMap<String, String> before = Trees.describe(source.resolve("snapshots"));
    CliRun r = CliRun.stasis(source, "import", "--move", "-C", "directory", "-c", "other", own.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("directory/other/" + id, r.line());
    assertTrue(r.stderr().contains("is in the store itself; copied, not moved"), r.stderr());
    assertTrue(Files.isRegularFile(source.resolve("snapshots").resolve(path).resolve("state.tar.zst")));
    CliRun check = CliRun.stasis(source, "check");
    assertEquals(0, check.code(), check.toString());
    assertEquals(List.of("directory/other/" + id, path),
        CliRun.dysnomiaSnapshots(source, "--query-latest").lines().stream().sorted().toList());

    // and as Dysnomia's --import, which always moves
    CliRun dysnomia = CliRun.dysnomiaSnapshots(source, "--import", "-C", "files", "-c", "www",
        source.resolve("snapshots").resolve(path).toString());
    assertEquals(0, dysnomia.code(), dysnomia.toString());
    assertTrue(dysnomia.stderr().contains("copied, not moved"), dysnomia.stderr());
    assertEquals(0, CliRun.stasis(source, "check").code());
    before.putAll(Trees.describe(source.resolve("snapshots")));
    assertEquals(before, Trees.describe(source.resolve("snapshots")), "nothing of the store's own was removed");
  }

  @Test
  void importsASnapshotNamedAsDysnomiaNamesThem() throws IOException {
    // Dysnomia names a snapshot by the SHA-256 of its compressed file, not of the content
    byte[] file = Files.readAllBytes(source.resolve("snapshots").resolve(path).resolve("state.tar.zst"));
    String dysnomiaName = Trees.sha256(file);
    Path dir = export(dysnomiaName);
    CliRun r = CliRun.stasis(store, "import", "-C", "files", "-c", "www", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("files/www/" + dysnomiaName, r.line());
    assertEquals(id, Trees.sha256(CliRun.stasis(store, "dump", r.line()).stdout()));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void importsAnOpaqueName() throws IOException {
    Path dir = export("42");  // a Subversion revision
    CliRun r = CliRun.stasis(store, "import", "-C", "svn", "-c", "repo", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("svn/repo/42", r.line());
  }

  @Test
  void aNameTheContentDoesNotHashToStoresNothing() throws IOException {
    String wrong = Trees.sha256("something else".getBytes(StandardCharsets.UTF_8));
    Path dir = export(wrong);
    SortedMap<String, String> exported = Trees.describe(dir);
    CliRun r = CliRun.stasis(store, "import", "--move", "-C", "directory", "-c", "www", dir.toString());
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.stderr().contains(wrong), r.stderr());
    for (String area : List.of("snapshots", "checksums", "generations", ".stasis/meta", ".stasis/tmp")) {
      assertEquals(List.of(), Trees.files(store.resolve(area)), area);
    }
    assertEquals(exported, Trees.describe(dir), "a refused source is kept, even with --move");
  }

  @Test
  void aDirectoryWithTwoFilesIsAUsageError() throws IOException {
    Path dir = export(id);
    Trees.file(dir, "extra", "x");
    assertEquals(2, CliRun.stasis(store, "import", "-C", "directory", "-c", "www", dir.toString()).code());
    assertEquals(List.of(), Trees.files(store.resolve("snapshots")));
  }

  @Test
  void aMissingDirectoryIsNotFound() {
    CliRun r = CliRun.stasis(store, "import", "-C", "directory", "-c", "www", tmp.resolve("nope").toString());
    assertEquals(4, r.code(), r.toString());
  }

  /** A copy of the source snapshot directory, named {@code name}. */
  private Path export(String name) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("export").resolve(name));
    Path from = source.resolve("snapshots").resolve(path).resolve("state.tar.zst");
    Files.copy(from, dir.resolve("state.tar.zst"));
    return dir;
  }
}
