package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import dev.stasis.modules.files.DirectorySwap;
import dev.stasis.modules.files.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stasis restore}: verified, unpacked beside the directory, swapped in; untouched on failure. */
class RestoreCommandTest {
  private static final byte[] GARBAGE = "garbage, neither zstd nor tar\n".repeat(100).getBytes(StandardCharsets.UTF_8);

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
  void restoresTheNewestGenerationExactly() throws IOException {
    SortedMap<String, String> snapshotted = Trees.describe(www);
    String path = snapshot();
    Trees.file(www, "index.html", "defaced");
    Trees.file(www, "data/new.txt", "new");
    Files.delete(www.resolve("latest"));
    Files.setAttribute(www.resolve("cgi/run.sh"), "unix:mode", 0600);

    CliRun r = CliRun.stasis(store, "restore", www.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(snapshotted, Trees.describe(www));
    assertEquals(List.of("www"), siblings());
    // modes and mtimes came back too, so the restored tree is the same state
    CliRun again = CliRun.stasis(store, "snapshot", www.toString());
    assertEquals(path, again.line());
    assertTrue(again.stderr().contains("unchanged"), again.stderr());
  }

  @Test
  void restoresAnyGenerationOrSnapshot() throws IOException {
    List<SortedMap<String, String>> states = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Trees.file(www, "index.html", "version " + i);
      states.add(Trees.describe(www));
      paths.add(snapshot());
    }
    CliRun r = CliRun.stasis(store, "restore", www.toString(), "--generation", "1");
    assertEquals(0, r.code(), r.toString());
    assertEquals(states.get(0), Trees.describe(www));

    r = CliRun.stasis(store, "restore", www.toString(), "--snapshot", paths.get(1));
    assertEquals(0, r.code(), r.toString());
    assertEquals(states.get(1), Trees.describe(www));

    r = CliRun.stasis(store, "restore", www.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(states.get(2), Trees.describe(www));
  }

  @Test
  void restoresIntoAMissingDirectory() throws IOException {
    SortedMap<String, String> snapshotted = Trees.describe(www);
    snapshot();
    Path copy = tmp.resolve("copy");
    CliRun r = CliRun.stasis(store, "restore", copy.toString(), "-c", "www");
    assertEquals(0, r.code(), r.toString());
    assertEquals(snapshotted, Trees.describe(copy));
  }

  @Test
  void anInterruptedRestoreIsUndoneByTheNextSnapshot() throws IOException {
    SortedMap<String, String> live = Trees.describe(www);
    String path = snapshot();
    // killed between the two renames: www moved aside, the new tree not yet in place
    Files.move(www, DirectorySwap.sibling(www, "old"));
    Trees.file(DirectorySwap.sibling(www, "new"), "index.html", "half restored");

    CliRun r = CliRun.stasis(store, "snapshot", www.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(path, r.line());
    assertEquals(live, Trees.describe(www));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void restoresAnXzSnapshot() throws IOException {
    SortedMap<String, String> snapshotted = Trees.describe(www);
    assertEquals(0, CliRun.stasis(store, "snapshot", "--compression", "xz", www.toString()).code());
    DurableFiles.deleteTree(www);
    CliRun r = CliRun.stasis(store, "restore", www.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals(snapshotted, Trees.describe(www));
  }

  @Test
  void aSnapshotReplacedByAnotherValidOneIsRefused() throws IOException {
    String first = snapshot();
    Trees.file(www, "index.html", "second");
    String second = snapshot();
    // well-formed bytes of the wrong snapshot: only the checksum can tell
    Files.copy(storedFile(second), storedFile(first), StandardCopyOption.REPLACE_EXISTING);
    refusesDamaged("--snapshot", first);
  }

  @Test
  void aSnapshotOverwrittenWithGarbageIsRefused() throws IOException {
    String path = snapshot();
    Files.write(storedFile(path), GARBAGE);
    refusesDamaged("--snapshot", path);
  }

  @Test
  void anUncompressedSnapshotOverwrittenWithGarbageIsRefused() throws IOException {
    CliRun r = CliRun.stasis(store, "snapshot", "--compression", "none", www.toString());
    assertEquals(0, r.code(), r.toString());
    Files.write(storedFile(r.line()), GARBAGE);
    refusesDamaged();
  }

  @Test
  void aSnapshotWithOneFlippedByteIsRefused() throws IOException {
    String path = snapshot();
    byte[] bytes = Files.readAllBytes(storedFile(path));
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(storedFile(path), bytes);
    refusesDamaged("--generation", "1");
  }

  /** The restore exits 3 and leaves www exactly as it is now, with nothing left beside it. */
  private void refusesDamaged(String... which) throws IOException {
    Trees.file(www, "index.html", "live data");
    SortedMap<String, String> live = Trees.describe(www);
    List<String> args = new ArrayList<>(List.of("restore", www.toString()));
    args.addAll(List.of(which));
    CliRun r = CliRun.stasis(store, args.toArray(String[]::new));
    assertEquals(3, r.code(), r.toString());
    assertEquals(live, Trees.describe(www));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void nothingToRestoreIsNotFound() throws IOException {
    SortedMap<String, String> live = Trees.describe(www);
    CliRun r = CliRun.stasis(store, "restore", www.toString());
    assertEquals(4, r.code(), r.toString());
    assertEquals(live, Trees.describe(www));
    assertEquals(4, CliRun.stasis(store, "restore", tmp.resolve("never").toString()).code());
  }

  @Test
  void anUnknownGenerationIsNotFound() throws IOException {
    snapshot();
    SortedMap<String, String> live = Trees.describe(www);
    CliRun r = CliRun.stasis(store, "restore", www.toString(), "--generation", "99");
    assertEquals(4, r.code(), r.toString());
    assertEquals(live, Trees.describe(www));
  }

  @Test
  void aSnapshotThatIsNotADirectoryTarIsNotRestored() throws IOException {
    CliRun dump = CliRun.stasisWithInput(store, "not a tar".getBytes(StandardCharsets.UTF_8),
        "snapshot", "--stdin", "-C", "directory", "-c", "www", "--name", "dump.sql");
    assertEquals(0, dump.code(), dump.toString());
    SortedMap<String, String> live = Trees.describe(www);
    CliRun r = CliRun.stasis(store, "restore", www.toString());
    assertEquals(4, r.code(), r.toString());
    assertEquals(live, Trees.describe(www));
  }

  private String snapshot() {
    CliRun r = CliRun.stasis(store, "snapshot", www.toString());
    assertEquals(0, r.code(), r.toString());
    return r.line();
  }

  private Path storedFile(String path) throws IOException {
    try (Stream<Path> files = Files.list(store.resolve("snapshots").resolve(path))) {
      return files.findFirst().orElseThrow();
    }
  }

  private List<String> siblings() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("state")).sorted().toList();
    }
  }
}
