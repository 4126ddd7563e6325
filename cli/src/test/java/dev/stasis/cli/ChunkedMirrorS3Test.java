package dev.stasis.cli;

import static dev.stasis.cli.ChunkedStore.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.s3.S3MockServer;
import dev.stasis.s3.S3Probe;
import dev.stasis.s3.S3Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunked snapshots mirrored to S3 (S3Mock on 127.0.0.1) and back: a push sends the chunks S3
 * lacks and the index, so a second generation costs its new chunks only; a pull into an empty
 * directory gives the same generations, ids and bytes, and checks clean.
 */
class ChunkedMirrorS3Test {
  private static final byte[] FIRST = ChunkedStore.random(21, 20 * MIB);
  private static final byte[] SECOND = ChunkedStore.insert(FIRST, 3 * MIB,
      "a change in the middle".getBytes(StandardCharsets.US_ASCII));

  @TempDir
  Path tmp;
  Path local;
  Path pulled;
  S3Probe s3;

  @BeforeEach
  void setUp() {
    local = tmp.resolve("local");
    pulled = tmp.resolve("pulled");
    s3 = S3Probe.fresh(S3Settings.MIN_PART);
  }

  @AfterEach
  void close() {
    s3.close();
  }

  /** {@code stasis ARGS --endpoint S3MOCK} against {@code store}; the credentials are S3MockServer's. */
  private static CliRun stasis(Path store, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint", S3MockServer.endpoint().toString()));
    return CliRun.stasis(store, all.toArray(String[]::new));
  }

  private String snapshot(byte[] bytes) {
    CliRun r = CliRun.stasisWithInput(local, bytes, "snapshot", "--stdin", "-C", "c", "-c", "x", "--name", "blob",
        "--compression", "chunked");
    assertEquals(0, r.code(), r.toString());
    return r.line();
  }

  /** {@code stasis mirror --from FROM --to TO --json}, which must succeed; its summary. */
  private static Map<String, Object> mirror(Path store, String from, String to) {
    CliRun r = stasis(store, "mirror", "--from", from, "--to", to, "--json");
    assertEquals(0, r.code(), r.toString());
    return JsonReader.object(r.out());
  }

  /** The stored (compressed) size of chunk files of {@code store}. */
  private static long storedSize(Path store, Set<String> chunks) throws IOException {
    long size = 0;
    for (String chunk : chunks) {
      size += Files.size(ChunkedStore.chunkFile(store, chunk));
    }
    return size;
  }

  private static List<String> queryAll(Path store) {
    CliRun r = CliRun.dysnomiaSnapshots(store, "--query-all");
    assertEquals(0, r.code(), r.toString());
    return r.lines();
  }

  @Test
  void aSecondGenerationSendsItsNewChunksOnlyAndAPullGivesTheSameStore() throws IOException {
    String one = snapshot(FIRST);
    Map<String, Object> first = mirror(local, local.toString(), s3.url());
    assertEquals(1L, first.get("sent"), first.toString());
    // every chunk (noise: stored about as large as it is) and the index
    Set<String> firstChunks = ChunkedStore.names(local, one);
    long firstIndex = Files.size(local.resolve("snapshots").resolve(one).resolve("blob.cdc"));
    assertEquals(storedSize(local, firstChunks) + firstIndex, first.get("bytes"), first.toString());
    assertTrue((Long) first.get("bytes") > FIRST.length, first.toString());

    String two = snapshot(SECOND);
    Map<String, Object> second = mirror(local, local.toString(), s3.url());
    assertEquals(1L, second.get("sent"), second.toString());
    assertEquals(1L, second.get("linked"), second.toString());
    // only the chunks the change made, and the index
    Set<String> added = new TreeSet<>(ChunkedStore.names(local, two));
    added.removeAll(firstChunks);
    assertTrue(added.size() >= 1 && added.size() <= 2, added.toString());
    long secondIndex = Files.size(local.resolve("snapshots").resolve(two).resolve("blob.cdc"));
    assertEquals(storedSize(local, added) + secondIndex, second.get("bytes"), second.toString());
    assertTrue((Long) second.get("bytes") < (Long) first.get("bytes") / 3, first + " then " + second);

    Map<String, Object> again = mirror(local, local.toString(), s3.url());
    assertEquals(0L, again.get("sent"), again.toString());
    CliRun checkS3 = stasis(local, "check", "--store", s3.url());
    assertEquals(0, checkS3.code(), checkS3.toString());

    // Back into an empty directory: the same generations and ids, the same bytes, the same chunks.
    Map<String, Object> pull = mirror(local, s3.url(), pulled.toString());
    assertEquals(2L, pull.get("sent"), pull.toString());
    assertEquals(List.of(one, two), queryAll(local));
    assertEquals(queryAll(local), queryAll(pulled));
    assertArrayEquals(FIRST, CliRun.stasis(pulled, "dump", one).stdout());
    assertArrayEquals(SECOND, CliRun.stasis(pulled, "dump", two).stdout());
    assertEquals(ChunkedStore.chunkFiles(local), ChunkedStore.chunkFiles(pulled));
    for (String path : List.of(one, two)) {
      assertEquals(Files.readString(local.resolve("checksums").resolve(path)),
          Files.readString(pulled.resolve("checksums").resolve(path)), path);
    }
    CliRun check = CliRun.stasis(pulled, "check");
    assertEquals(0, check.code(), check.toString());
    CliRun dysnomiaCheck = CliRun.dysnomiaSnapshots(pulled, "--query-all", "--check");
    assertEquals(0, dysnomiaCheck.code(), dysnomiaCheck.toString());
  }
}
