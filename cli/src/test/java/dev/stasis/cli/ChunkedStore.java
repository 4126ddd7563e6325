package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What chunked snapshots leave in a store, read straight from the files: a snapshot's index
 * ({@code snapshots/<path>/<name>.cdc}), the chunk files under {@code .stasis/chunks/<hh>/}, and
 * the counts its metadata records. Also the pseudo-random streams the chunked tests store.
 */
final class ChunkedStore {
  static final int MIB = 1 << 20;

  private ChunkedStore() {}

  /** One line of an index: a chunk's SHA-256 and its length. */
  record Chunk(String sha256, int length) {}

  /** {@code size} pseudo-random bytes (incompressible, so every chunk is cut by content, not by size). */
  static byte[] random(long seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** {@code bytes} with {@code inserted} put in at {@code at}. */
  static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    byte[] out = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
    return out;
  }

  /** The index of the snapshot {@code path} (container/component/name): its chunks in stream order. */
  static List<Chunk> index(Path store, String path) throws IOException {
    Path dir = store.resolve("snapshots").resolve(path);
    List<String> files = DysnomiaHost.names(dir);
    assertEquals(1, files.size(), "a chunked snapshot holds its index only: " + files);
    assertTrue(files.get(0).endsWith(".cdc"), files.get(0));
    List<String> lines = Files.readAllLines(dir.resolve(files.get(0)), StandardCharsets.US_ASCII);
    assertEquals("stasis-cdc 1", lines.get(0));
    List<Chunk> chunks = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] parts = line.split(" ");
      assertEquals(2, parts.length, line);
      chunks.add(new Chunk(parts[0], Integer.parseInt(parts[1])));
    }
    return chunks;
  }

  /** The distinct chunk names {@code path}'s index lists. */
  static Set<String> names(Path store, String path) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    index(store, path).forEach(c -> names.add(c.sha256()));
    return names;
  }

  /** The names of the chunk files in the store, each checked to be where its name puts it. */
  static Set<String> chunkFiles(Path store) throws IOException {
    Path chunks = store.resolve(".stasis/chunks");
    Set<String> names = new TreeSet<>();
    if (!Files.exists(chunks)) {
      return names;
    }
    try (Stream<Path> walk = Files.walk(chunks)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString();
        assertTrue(name.matches("[0-9a-f]{64}"), p.toString());
        assertEquals(chunks.resolve(name.substring(0, 2)).resolve(name), p);
        names.add(name);
      }
    }
    return names;
  }

  /** Where the chunk {@code sha256} is stored. */
  static Path chunkFile(Path store, String sha256) {
    return store.resolve(".stasis/chunks").resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  /** The {@code key=value} lines of {@code .stasis/meta/<path>}. */
  static Map<String, String> meta(Path store, String path) throws IOException {
    Map<String, String> meta = new TreeMap<>();
    for (String line : Files.readAllLines(store.resolve(".stasis/meta").resolve(path), StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        meta.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return meta;
  }

  /** A number the metadata records for a chunked snapshot: {@code chunks}, {@code new-chunks} or {@code new-bytes}. */
  static long attr(Path store, String path, String name) throws IOException {
    Map<String, String> meta = meta(store, path);
    String value = meta.get("attr." + name);
    assertTrue(value != null, "no attr." + name + " in the metadata of " + path + ": " + meta);
    return Long.parseLong(value);
  }

  /** Flips one bit of the byte in the middle of {@code file}. */
  static void flipMiddleByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);
  }
}
