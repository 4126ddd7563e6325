package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingests and garbage collections of one store running at once, each a {@code bin/} process of
 * its own, as cron jobs and deployments run them: every one succeeds, generation numbers stay
 * unique and gapless, the same state is stored once, and gc never takes what an ingest is
 * committing. Races are not forced (that would need hooks or sleeps); overlapping many
 * processes makes them likely, and every outcome a correct store allows is accepted.
 */
class ConcurrentProcessesIT {
  private static final Pattern JSON = Pattern.compile(
      "\\{\"snapshot\":\"(c/x/[0-9a-f]{64})\",\"generation\":(\\d+),\"new_generation\":(true|false),.*");

  @TempDir
  Path tmp;

  private Path store;
  private Launchers bin;

  @BeforeEach
  void setUp() throws IOException {
    // the store exists, empty, as a cron job's does: a gc there finds nothing to collect, where
    // a gc started before any ingest made the store would be told there is no store (exit 4)
    store = Files.createDirectories(tmp.resolve("store"));
    bin = new Launchers(store);
  }

  @Test
  void sixIngestsAndTwoGcsAtOnceAllSucceedWithGenerationsOneToSix() throws Exception {
    Map<Long, String> byGeneration = byGeneration(atOnce(dumps(1, 6), 2, "100"));

    assertEquals(LongStream.rangeClosed(1, 6).boxed().toList(), List.copyOf(byGeneration.keySet()));
    bin.stasis("check").ok();
    assertEquals(List.copyOf(byGeneration.values()), bin.dysnomiaSnapshots("--query-all").ok().lines());
  }

  @Test
  void ingestsInterleavedWithGcKeepOneLeaveAConsistentStore() throws Exception {
    Map<Long, String> made = byGeneration(atOnce(dumps(1, 4), 0, "1"));
    Map<Long, String> second = byGeneration(atOnce(dumps(2, 5), 2, "1"));
    made.putAll(second);

    // gc keeps the newest, so numbering went on from 4; whatever each gc saw, what survives is
    // a gapless run of the newest generations, and --query-all shows their snapshots.
    assertEquals(LongStream.rangeClosed(5, 9).boxed().toList(), List.copyOf(second.keySet()));
    List<Long> survivors = generations();
    assertTrue(!survivors.isEmpty() && survivors.get(0) >= 4, survivors.toString());
    assertEquals(LongStream.rangeClosed(survivors.get(0), 9).boxed().toList(), survivors);
    assertEquals(survivors.stream().map(made::get).toList(), bin.dysnomiaSnapshots("--query-all").ok().lines());
    // No dangling generation, no snapshot without its checksum.
    Result check = bin.stasis("check").ok();
    assertTrue(check.stderr().contains("all good"), check.stderr());

    // The newest generation is the last ingest of the second round, and it is intact.
    String newest = made.get(9L);
    assertEquals(List.of(newest), bin.dysnomiaSnapshots("--query-latest").ok().lines());
    assertTrue(Files.isDirectory(store.resolve("snapshots").resolve(newest)), newest);
    byte[] dump = bin.stasis("dump", "c/x").ok().stdout();
    assertEquals("c/x/" + sha256(dump), newest);

    // A last gc leaves exactly that one.
    bin.stasis("gc", "--keep", "1").ok();
    assertEquals(List.of(newest), bin.dysnomiaSnapshots("--query-all").ok().lines());
    assertArrayEquals(dump, bin.stasis("dump", newest).ok().stdout());
    bin.stasis("check").ok();
  }

  @Test
  void theSameStateIngestedAtOnceIsStoredOnceAsOneGeneration() throws Exception {
    byte[] state = "the same state\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    List<Ingested> all = atOnce(Collections.nCopies(5, state), 1, "1");

    String id = "c/x/" + sha256(state);
    for (Ingested i : all) {
      assertEquals(new Ingested(id, 1, i.newGeneration()), i);
    }
    assertEquals(1, all.stream().filter(Ingested::newGeneration).count(), all.toString());
    // One file, whichever compression won; the others found it and stored nothing.
    List<String> files = Launchers.committed(store).stream().filter(p -> p.startsWith("snapshots/")).toList();
    assertEquals(1, files.size(), files.toString());
    assertEquals(List.of(1L), generations());
    assertArrayEquals(state, bin.stasis("dump", id).ok().stdout());
    bin.stasis("check").ok();
  }

  /** What an ingest printed with --json. */
  private record Ingested(String snapshot, long generation, boolean newGeneration) {}

  /**
   * Starts one ingest per dump (zstd and none by turns: xz asked for a state stored in another
   * form is a form of its own, see StoreContract) and {@code gcs} collections keeping
   * {@code keep}, all before feeding any dump so that they overlap; returns what each ingest
   * printed, in the order of {@code dumps}.
   */
  private List<Ingested> atOnce(List<byte[]> dumps, int gcs, String keep) throws Exception {
    List<Running> running = new ArrayList<>();
    try {
      for (int i = 0; i < dumps.size(); i++) {
        running.add(bin.start(Launchers.launcher("stasis", "snapshot", "--stdin", "-C", "c", "-c", "x", "--json",
            "--compression", i % 2 == 0 ? "zstd" : "none")));
      }
      for (int i = 0; i < gcs; i++) {
        running.add(bin.start(Launchers.launcher("stasis", "gc", "--keep", keep)));
      }
      for (int i = 0; i < running.size(); i++) {
        if (i < dumps.size()) {
          running.get(i).stdin().write(dumps.get(i));
        }
        running.get(i).stdin().close();
      }
      List<Ingested> ingested = new ArrayList<>();
      for (int i = 0; i < running.size(); i++) {
        Result r = running.get(i).finish().ok();
        if (i < dumps.size()) {
          Matcher m = JSON.matcher(r.out().strip());
          assertTrue(m.matches(), r.out());
          ingested.add(new Ingested(m.group(1), Long.parseLong(m.group(2)), Boolean.parseBoolean(m.group(3))));
        }
      }
      return ingested;
    } finally {
      for (Running r : running) {
        r.close();
      }
    }
  }

  /** Distinct dumps for one round. */
  private static List<byte[]> dumps(int round, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> ("round " + round + ", dump " + i + "\n").repeat(20_000).getBytes(StandardCharsets.UTF_8))
        .toList();
  }

  /** Snapshot paths by generation, for ingests of distinct dumps: each must have made a new one. */
  private static Map<Long, String> byGeneration(List<Ingested> ingested) {
    Map<Long, String> map = new TreeMap<>();
    for (Ingested i : ingested) {
      assertTrue(i.newGeneration(), i.toString());
      assertNull(map.put(i.generation(), i.snapshot()), "generation " + i.generation() + " given twice");
    }
    return map;
  }

  /** The generation numbers of c/x on disk, in numeric order. */
  private List<Long> generations() throws Exception {
    try (Stream<Path> links = Files.list(store.resolve("generations/c/x"))) {
      return links.map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
