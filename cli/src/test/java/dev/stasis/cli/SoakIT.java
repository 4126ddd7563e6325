package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A soak of one store by separate processes at once ({@link SoakLoop}): three writers, two of
 * them snapshotting the same states and one its own, and a loop of {@code gc --keep 2}, each a
 * fixed number of steps. Every outcome a correct store allows is accepted (which writer wins a
 * number, whether the same state makes one generation or two, what each gc finds); what must
 * hold afterwards is checked against what every writer was told: no generation number given
 * twice or skipped, every "no new generation" answer naming the generation that points at the
 * writer's state, and the store holding the newest generations as they were made, each
 * verifying. {@code gc --keep 2} may take any generation but the two newest at the time it runs,
 * and with them their snapshots, so an older answer need not be in the store any more. The
 * checks afterwards run in this JVM; only the soak itself needs processes of its own (OS locks
 * belong to a whole JVM).
 */
class SoakIT {
  private static final int WRITERS = 3;
  private static final int STEPS = 10;
  private static final int GCS = 10;
  private static final int KEEP = 2;
  private static final Pattern JSON = Pattern.compile(
      "\\{\"snapshot\":\"(c/x/[0-9a-f]{64})\",\"generation\":(\\d+),\"new_generation\":(true|false),.*");

  @TempDir
  Path tmp;

  /** What a writer was told at one step. */
  private record Told(int writer, int step, String snapshot, long generation, boolean newGeneration) {}

  @Test
  void writersAndGcAtOnceLoseNoGenerationAndLeaveAStoreThatChecks() throws Exception {
    // the store exists before its gc loop starts, as a cron job's does (gc of no store is not found)
    Path store = Files.createDirectories(tmp.resolve("store"));
    Launchers bin = new Launchers(store);
    List<Told> told = run(bin);

    // Every new generation was given once, and none is missing between 1 and the newest.
    Map<Long, String> made = new TreeMap<>();
    for (Told t : told) {
      assertEquals("c/x/" + sha256(SoakLoop.state(t.writer(), t.step())), t.snapshot(), t.toString());
      if (t.newGeneration()) {
        assertNull(made.put(t.generation(), t.snapshot()), "generation " + t.generation() + " given twice: " + told);
      }
    }
    long newest = made.size();
    assertEquals(LongStream.rangeClosed(1, newest).boxed().toList(), List.copyOf(made.keySet()), told.toString());
    for (Told t : told) {
      if (!t.newGeneration()) {
        assertEquals(made.get(t.generation()), t.snapshot(), "told an existing generation: " + t);
      }
    }

    // The store holds the newest generations without a gap, as they were made.
    List<Long> survivors = generations(store);
    assertTrue(survivors.size() >= Math.min(KEEP, newest), survivors.toString());
    assertEquals(LongStream.rangeClosed(survivors.get(0), newest).boxed().toList(), survivors);
    CliRun query = CliRun.dysnomiaSnapshots(store, "--query-all");
    assertEquals(0, query.code(), query.toString());
    List<String> queryAll = query.lines();
    assertEquals(survivors.stream().map(made::get).toList(), queryAll);

    // Each snapshot they point at verifies: its checksum, and its content hashes to its name.
    CliRun check = CliRun.stasis(store, "check");
    assertEquals(0, check.code(), check.toString());
    for (String path : new LinkedHashSet<>(queryAll)) {
      CliRun dump = CliRun.stasis(store, "dump", path);
      assertEquals(0, dump.code(), dump.toString());
      assertEquals(path, "c/x/" + sha256(dump.stdout()));
    }
  }

  /** Starts the writers and the gc loop, lets them go together, and returns what the writers were told. */
  private static List<Told> run(Launchers bin) throws Exception {
    List<Running> running = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        running.add(bin.start(Launchers.java(SoakLoop.class, "write", Integer.toString(w), Integer.toString(STEPS))));
      }
      running.add(bin.start(Launchers.java(SoakLoop.class, "gc", Integer.toString(KEEP), Integer.toString(GCS))));
      for (Running r : running) {
        r.awaitStderr("ready");  // its JVM is up: start all steps together
      }
      for (Running r : running) {
        r.stdin().write('\n');
        r.stdin().close();
      }
      List<Told> told = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        List<String> lines = running.get(w).finish().ok().lines();
        assertEquals(STEPS, lines.size(), lines.toString());
        for (int step = 0; step < STEPS; step++) {
          Matcher m = JSON.matcher(lines.get(step));
          assertTrue(m.matches(), lines.get(step));
          told.add(new Told(w, step, m.group(1), Long.parseLong(m.group(2)), Boolean.parseBoolean(m.group(3))));
        }
      }
      running.get(WRITERS).finish().ok();
      return told;
    } finally {
      for (Running r : running) {
        r.close();
      }
    }
  }

  /** The generation numbers of c/x on disk, in numeric order. */
  private static List<Long> generations(Path store) throws Exception {
    try (Stream<Path> links = Files.list(store.resolve("generations/c/x"))) {
      return links.map(p -> Long.parseLong(p.getFileName().toString())).sorted().toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
