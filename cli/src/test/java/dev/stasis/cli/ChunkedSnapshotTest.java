package dev.stasis.cli;

import static dev.stasis.cli.ChunkedStore.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.ChunkedStore.Chunk;
import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compression chunked} through {@code stasis} on a local store: a stream cut into
 * content-defined chunks, each stored once; a small change costs the chunks around it; gc
 * deletes the chunks no snapshot lists; check, dump and restore verify chunk by chunk; and
 * {@code export-dysnomia} makes the plain copy the real Dysnomia restores.
 */
class ChunkedSnapshotTest {
  /** 20 MiB of noise: about ten chunks of about 2 MiB. */
  private static final byte[] FIRST = ChunkedStore.random(1, 20 * MIB);
  /** The same with a few bytes inserted near the start, inside the first chunk (no chunk is under 512 KiB). */
  private static final byte[] SECOND = ChunkedStore.insert(FIRST, 100_000,
      "a few bytes".getBytes(StandardCharsets.US_ASCII));

  @TempDir
  Path tmp;
  Path store;

  @BeforeEach
  void setUp() {
    store = tmp.resolve("state");
  }

  /** {@code stasis snapshot --stdin -C c -c COMPONENT --name blob --compression FORM}; returns the path it prints. */
  private String snapshot(String component, byte[] bytes, String form) {
    CliRun r = CliRun.stasisWithInput(store, bytes, "snapshot", "--stdin", "-C", "c", "-c", component,
        "--name", "blob", "--compression", form);
    assertEquals(0, r.code(), r.toString());
    return r.line();
  }

  private CliRun stasis(String... args) {
    return CliRun.stasis(store, args);
  }

  private byte[] dump(String path) {
    CliRun r = stasis("dump", path);
    assertEquals(0, r.code(), r.toString());
    return r.stdout();
  }

  /** The kind and subject of each line {@code check} printed ({@code damaged_chunk c/x/<id>}), sorted. */
  private static List<String> problems(CliRun check) {
    return check.lines().stream().map(l -> l.substring(0, l.indexOf(':'))).sorted().toList();
  }

  @Test
  void aFewInsertedBytesCostOnlyTheChunksAroundThem() throws IOException {
    String one = snapshot("x", FIRST, "chunked");
    String two = snapshot("x", SECOND, "chunked");
    assertNotEquals(one, two);

    // The first generation stored every chunk it was cut into; its index lists them, in stream
    // order, with their lengths, and the snapshot directory holds nothing else.
    List<Chunk> first = ChunkedStore.index(store, one);
    long chunks = ChunkedStore.attr(store, one, "chunks");
    assertEquals(first.size(), chunks);
    assertTrue(chunks >= 5, "20 MiB cut into " + chunks + " chunk(s)");
    assertEquals(chunks, ChunkedStore.attr(store, one, "new-chunks"));
    assertEquals(FIRST.length, ChunkedStore.attr(store, one, "new-bytes"));
    assertEquals(FIRST.length, first.stream().mapToLong(Chunk::length).sum());
    assertEquals(List.of("blob.cdc"), DysnomiaHost.names(store.resolve("snapshots").resolve(one)));

    // The insertion moved the cuts of the chunk it fell in (and at most the next one); every
    // later chunk was cut as before and found in the store.
    List<Chunk> second = ChunkedStore.index(store, two);
    Set<String> added = new TreeSet<>(ChunkedStore.names(store, two));
    added.removeAll(ChunkedStore.names(store, one));
    long fresh = ChunkedStore.attr(store, two, "new-chunks");
    assertTrue(fresh >= 1 && fresh <= 2, "new chunks for a few inserted bytes: " + fresh);
    assertEquals(added.size(), fresh);
    assertEquals(second.size(), ChunkedStore.attr(store, two, "chunks"));
    assertEquals(second.stream().filter(c -> added.contains(c.sha256())).mapToLong(Chunk::length).sum(),
        ChunkedStore.attr(store, two, "new-bytes"));
    assertEquals(SECOND.length, second.stream().mapToLong(Chunk::length).sum());
    Set<String> listed = new TreeSet<>(ChunkedStore.names(store, one));
    listed.addAll(added);
    assertEquals(listed, ChunkedStore.chunkFiles(store), "each chunk stored once, none that no index lists");
    assertEquals(chunks + fresh, ChunkedStore.chunkFiles(store).size());

    // Each generation reads back exactly.
    assertArrayEquals(FIRST, dump(one));
    assertArrayEquals(SECOND, dump(two));

    // The id is the SHA-256 of the logical stream, as for zstd: the same state, the same id.
    assertEquals("c/x/" + Trees.sha256(FIRST), one);
    assertEquals("c/x/" + Trees.sha256(SECOND), two);
    String zstd = snapshot("y", FIRST, "zstd");
    assertEquals(one.substring("c/x/".length()), zstd.substring("c/y/".length()));

    // The newest state again is no new generation and stores nothing.
    CliRun again = CliRun.stasisWithInput(store, SECOND, "snapshot", "--stdin", "-C", "c", "-c", "x",
        "--name", "blob", "--compression", "chunked");
    assertEquals(0, again.code(), again.toString());
    assertEquals(two, again.line());
    assertTrue(again.stderr().contains("unchanged"), again.stderr());
    assertEquals(listed, ChunkedStore.chunkFiles(store));

    CliRun list = stasis("list");
    assertEquals(0, list.code(), list.toString());
    assertEquals(List.of("c/x 1 chunked", "c/x 2 chunked", "c/y 1 zstd"), list.lines().stream()
        .map(l -> l.split("\\s+")).map(f -> f[0] + " " + f[1] + " " + f[f.length - 1]).toList(), list.out());
    assertEquals(0, stasis("check").code());
  }

  @Test
  void gcDeletesExactlyTheChunksNoRemainingSnapshotLists() throws IOException {
    String one = snapshot("x", FIRST, "chunked");
    String two = snapshot("x", SECOND, "chunked");
    // Another component holds the first state too: its index lists every chunk generation 1 does.
    String copy = snapshot("z", FIRST, "chunked");
    Set<String> onlyFirst = new TreeSet<>(ChunkedStore.names(store, one));
    onlyFirst.removeAll(ChunkedStore.names(store, two));
    assertFalse(onlyFirst.isEmpty());
    Set<String> all = ChunkedStore.chunkFiles(store);

    // c/x/1 goes, but c/z/1 still lists its chunks: none is deleted.
    CliRun keep = stasis("gc", "--keep", "1");
    assertEquals(0, keep.code(), keep.toString());
    assertEquals(List.of("Removing old generation symlink: c/x/1", "Removing old snapshot: " + one),
        keep.stderr().lines().sorted().toList());
    assertEquals(all, ChunkedStore.chunkFiles(store));
    assertEquals(0, stasis("check").code());

    // With c/z gone too, the chunks only the first state had are deleted, each named, and no other.
    CliRun drop = stasis("gc", "--keep", "0", "-C", "c", "-c", "z");
    assertEquals(0, drop.code(), drop.toString());
    Set<String> removed = new TreeSet<>();
    for (String line : drop.stderr().lines().toList()) {
      if (line.startsWith("Removing unreferenced chunk: ")) {
        removed.add(line.substring("Removing unreferenced chunk: ".length()));
      }
    }
    assertEquals(onlyFirst, removed, drop.stderr());
    assertEquals(ChunkedStore.names(store, two), ChunkedStore.chunkFiles(store));
    assertFalse(Files.exists(store.resolve("snapshots").resolve(copy)));

    CliRun check = stasis("check");
    assertEquals(0, check.code(), check.toString());
    assertArrayEquals(SECOND, dump(two));
  }

  @Test
  void aDamagedChunkIsReportedForEverySnapshotThatListsIt() throws IOException {
    String one = snapshot("x", FIRST, "chunked");
    String two = snapshot("x", SECOND, "chunked");
    Set<String> inFirst = ChunkedStore.names(store, one);
    List<Chunk> shared = ChunkedStore.index(store, two).stream().filter(c -> inFirst.contains(c.sha256())).toList();
    String bad = shared.get(shared.size() / 2).sha256();
    ChunkedStore.flipMiddleByte(ChunkedStore.chunkFile(store, bad));

    CliRun check = stasis("check");
    assertEquals(3, check.code(), check.toString());
    assertEquals(List.of("damaged_chunk " + one, "damaged_chunk " + two).stream().sorted().toList(), problems(check));
    assertTrue(check.lines().stream().allMatch(l -> l.contains("chunk " + bad)), check.out());
    List<Map<String, Object>> json = JsonReader.arrayOfObjects(stasis("check", "--json").out());
    assertEquals(Set.of("damaged_chunk"), Set.copyOf(json.stream().map(p -> p.get("kind")).toList()));

    // Neither snapshot reads through it.
    for (String path : List.of(one, two)) {
      CliRun dump = stasis("dump", path);
      assertEquals(3, dump.code(), dump.toString());
      assertTrue(dump.stderr().contains(bad), dump.stderr());
    }

    // A subset reads the chunks the subset takes: subset n of 2 holds a chunk whose name's first 64
    // bits leave n - 1 divided by 2. Only the one holding the bad chunk finds it; the other sees it present.
    long half = Long.remainderUnsigned(Long.parseUnsignedLong(bad.substring(0, 16), 16), 2) + 1;
    CliRun reading = stasis("check", "--read-data-subset", half + "/2");
    assertEquals(3, reading.code(), reading.toString());
    assertEquals(List.of("damaged_chunk " + one, "damaged_chunk " + two).stream().sorted().toList(),
        problems(reading));
    CliRun other = stasis("check", "--read-data-subset", (3 - half) + "/2");
    assertEquals(0, other.code(), other.toString());
    assertEquals(3, stasis("check", "--read-data-subset", "100%").code());
    assertEquals(0, stasis("check", "--read-data-subset", "0%").code());

    // A missing chunk is found even by a subset that does not read it.
    Files.delete(ChunkedStore.chunkFile(store, bad));
    CliRun missing = stasis("check", "--read-data-subset", (3 - half) + "/2");
    assertEquals(3, missing.code(), missing.toString());
    assertEquals(List.of("missing_chunk " + one, "missing_chunk " + two).stream().sorted().toList(),
        problems(missing));

    // The next snapshot of the same content writes it again (it is not in the store), and adds no generation.
    assertEquals(two, snapshot("x", SECOND, "chunked"));
    assertTrue(Files.exists(ChunkedStore.chunkFile(store, bad)));
    assertEquals(List.of("1", "2"), DysnomiaHost.names(store.resolve("generations/c/x")));
    CliRun healed = stasis("check");
    assertEquals(0, healed.code(), healed.toString());
    assertArrayEquals(FIRST, dump(one));
  }

  @Test
  void aBadReadDataSubsetIsAUsageError() {
    snapshot("x", ChunkedStore.random(2, MIB), "chunked");
    for (String subset : List.of("0/3", "4/3", "1/0", "3", "-1/2", "101%", "x%", "half", "")) {
      CliRun check = stasis("check", "--read-data-subset", subset);
      assertEquals(2, check.code(), subset + ": " + check);
      assertEquals("", check.out(), subset);
    }
    assertEquals(0, stasis("check", "--read-data-subset", "3/3").code());
  }

  @Test
  void aRestoreThatMeetsADamagedChunkLeavesTheDirectoryAsItWas() throws IOException {
    Path www = Trees.sample(tmp.resolve("www"));
    Files.write(www.resolve("noise.bin"), ChunkedStore.random(3, 12 * MIB));
    Trees.fixTimes(www);
    SortedMap<String, String> snapshotted = Trees.describe(www);
    CliRun snapshot = stasis("snapshot", www.toString(), "--compression", "chunked");
    assertEquals(0, snapshot.code(), snapshot.toString());
    String path = snapshot.line();
    List<Chunk> chunks = ChunkedStore.index(store, path);
    assertTrue(chunks.size() >= 3, chunks.toString());

    Trees.file(www, "index.html", "defaced");
    SortedMap<String, String> live = Trees.describe(www);
    // the last chunk: the restore has unpacked most of the tree when it meets it
    Path last = ChunkedStore.chunkFile(store, chunks.get(chunks.size() - 1).sha256());
    byte[] intact = Files.readAllBytes(last);
    ChunkedStore.flipMiddleByte(last);

    CliRun refused = stasis("restore", www.toString());
    assertEquals(3, refused.code(), refused.toString());
    assertEquals(live, Trees.describe(www));
    assertEquals(List.of("state", "www"), DysnomiaHost.names(tmp), "nothing left beside it");

    Files.write(last, intact);
    CliRun restored = stasis("restore", www.toString());
    assertEquals(0, restored.code(), restored.toString());
    assertEquals(snapshotted, Trees.describe(www));
  }

  @Test
  void exportDysnomiaMakesAnXzCopyTheNewestGeneration() throws IOException, InterruptedException {
    byte[] bytes = ChunkedStore.random(4, 6 * MIB);
    String chunked = snapshot("x", bytes, "chunked");
    assertTrue(ChunkedStore.attr(store, chunked, "chunks") >= 2);

    CliRun export = stasis("export-dysnomia", chunked);
    assertEquals(0, export.code(), export.toString());

    // Generation 2 holds one .xz file, named as Dysnomia names its snapshots: by the SHA-256 of the file.
    assertEquals(List.of("1", "2"), DysnomiaHost.names(store.resolve("generations/c/x")));
    Path newest = RealDysnomia.lastSnapshot(store, "c", "x");
    assertEquals(newest.toString(), export.line());
    List<String> files = DysnomiaHost.names(newest);
    assertEquals(1, files.size(), files.toString());
    assertTrue(files.get(0).endsWith(".xz"), files.get(0));
    Path xz = newest.resolve(files.get(0));
    assertEquals(newest.getFileName().toString(), Trees.sha256(Files.readAllBytes(xz)));
    assertArrayEquals(bytes, xzDecompress(xz));
    assertArrayEquals(bytes, dump("c/x/" + newest.getFileName()));
    assertEquals(0, stasis("check").code());

    // A zstd copy in the same store would have the chunked snapshot's own name: refused, nothing changed.
    CliRun zstdHere = stasis("export-dysnomia", chunked, "--compression", "zstd");
    assertEquals(2, zstdHere.code(), zstdHere.toString());
    assertEquals(List.of("1", "2"), DysnomiaHost.names(store.resolve("generations/c/x")));

    // Into another store, the copy keeps the snapshot's name.
    Path other = tmp.resolve("other");
    CliRun zstdThere = stasis("export-dysnomia", chunked, "--compression", "zstd", "--to", other.toString());
    assertEquals(0, zstdThere.code(), zstdThere.toString());
    assertEquals(List.of(chunked), CliRun.dysnomiaSnapshots(other, "--query-all").lines());
    assertEquals(List.of("blob.zst"), DysnomiaHost.names(other.resolve("snapshots").resolve(chunked)));
    assertArrayEquals(bytes, CliRun.stasis(other, "dump", chunked).stdout());
    assertEquals(0, CliRun.stasis(other, "check").code());
    assertEquals(Set.of(), new HashSet<>(ChunkedStore.chunkFiles(other)), "a plain copy needs no chunks");
  }

  /** {@code xz -dc FILE}: the system's xz, as the real Dysnomia reads its snapshots. */
  private static byte[] xzDecompress(Path file) throws IOException, InterruptedException {
    Process xz = new ProcessBuilder("xz", "-dc", file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    xz.getOutputStream().close();
    byte[] out = xz.getInputStream().readAllBytes();
    assertEquals(0, xz.waitFor());
    return out;
  }
}
