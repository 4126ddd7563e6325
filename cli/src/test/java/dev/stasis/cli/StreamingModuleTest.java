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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming module on {@code $STASIS_MODULES_PATH}: it dumps to stdout and stasis stores
 * what it prints, only if it exits 0; it restores from stdin, which stasis ends only once the
 * snapshot verified; every other operation is passed on with the container's properties.
 */
class StreamingModuleTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path data;
  Path live;
  Path component;
  /** Bigger than a pipe's buffer, so a restore cannot finish writing before the module reads. */
  byte[] dump;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    Path modules = tmp.resolve("stasis-modules");
    host.env("STASIS_MODULES_PATH", modules.toString());
    data = Files.createDirectories(tmp.resolve("data"));
    live = data.resolve("live");
    // The "database" is data/live. A restore applies its stdin only when cat ended well.
    DysnomiaHost.script(modules.resolve("pipe"), """
        #!/bin/bash
        set -e
        printf '%s %s\\n' "$1" "$2" >> "$dataDir/calls"
        env > "$dataDir/env.$1"
        case "$1" in
          snapshot)
            if [ "$failOn" = snapshot ]; then
              head -c 100000 "$dataDir/live"
              echo "connection to the database lost half-way" >&2
              exit 1
            fi
            cat "$dataDir/live" ;;
          restore)
            cat > "$dataDir/incoming"
            mv "$dataDir/incoming" "$dataDir/live" ;;
          *)
            if [ "$failOn" = "$1" ]; then echo "cannot $1" >&2; exit 1; fi ;;
        esac
        """);
    host.container("stream", "type=pipe", "dataDir=" + data);
    host.container("plain", "type=pipe", "dataDir=" + data, "compression=none");
    host.container("flaky", "type=pipe", "dataDir=" + data, "failOn=snapshot");
    host.container("stubborn", "type=pipe", "dataDir=" + data, "failOn=activate");
    component = host.component("stream", "db");
    dump = database(400_000);
    Files.write(live, dump);
  }

  private static byte[] database(int rows) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= rows; i++) {
      b.append("INSERT INTO t VALUES (").append(i).append(");\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code dysnomia -o OPERATION -C CONTAINER -c <the component's path>}. */
  private CliRun run(String operation, String container, String... more) {
    List<String> args = new ArrayList<>(List.of("-o", operation, "-C", container, "-c", component.toString()));
    args.addAll(List.of(more));
    return host.dysnomia(args.toArray(String[]::new));
  }

  private CliRun ok(String operation, String container, String... more) {
    CliRun r = run(operation, container, more);
    assertEquals(0, r.code(), () -> operation + " " + container + ": " + r);
    return r;
  }

  @Test
  void aSnapshotStoresWhatTheModulePrints() throws IOException {
    ok("snapshot", "stream");
    String path = "stream/db/" + Trees.sha256(dump);
    assertEquals(List.of(path), host.all());
    assertEquals("dump.zst", host.storedFile(path).getFileName().toString());
    assertArrayEquals(dump, host.stasis("dump", path).stdout());

    // the same output again: the same id, no new generation
    ok("snapshot", "stream");
    assertEquals(List.of(path), host.all());

    Files.write(live, database(10));
    ok("snapshot", "stream");
    assertEquals(List.of(path, "stream/db/" + Trees.sha256(database(10))), host.all());
  }

  @Test
  void aModuleThatFailsHalfWayLeavesNothing() throws IOException {
    CliRun r = run("snapshot", "flaky");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("exited with status 1; nothing was stored"), r.stderr());
    assertTrue(r.stderr().contains("connection to the database lost half-way"), r.stderr());
    // no snapshot, checksum or generation, and no staging file left behind
    assertEquals(List.of(), Launchers.committed(host.store));
    assertEquals(List.of(), DysnomiaHost.names(host.store.resolve(".stasis/tmp")));
    assertEquals(List.of(), host.all());
    assertEquals(0, host.stasis("check").code());
  }

  @Test
  void aRestoreFeedsTheDumpOnStdin() throws IOException {
    ok("snapshot", "stream");
    byte[] newer = database(10);
    Files.write(live, newer);
    ok("snapshot", "stream");
    Files.writeString(live, "changed since");

    CliRun r = ok("restore", "stream");
    assertArrayEquals(newer, Files.readAllBytes(live));
    assertTrue(r.stderr().contains("restored stream/db/" + Trees.sha256(newer)), r.stderr());

    ok("restore", "stream", "--generation", "1");
    assertArrayEquals(dump, Files.readAllBytes(live));
    assertFalse(Files.exists(data.resolve("incoming")));
  }

  @Test
  void aTamperedSnapshotNeverReachesTheEndOfTheModulesStdin() throws IOException {
    // uncompressed, so every byte but one is as stored and only the final check can tell
    ok("snapshot", "plain");
    String path = host.all().get(0);
    host.damage(path);
    Files.writeString(live, "live data");

    CliRun r = run("restore", "plain");
    assertEquals(3, r.code(), r.toString());
    assertEquals("live data", Files.readString(live));
    // the module was reading (the dump outgrows the pipe) but never got to apply it
    assertTrue(Files.exists(data.resolve("incoming")), "the module never read its stdin");
    assertFalse(r.stderr().contains("restored"), r.stderr());
  }

  @Test
  void theOtherOperationsArePassedOnWithThePropertiesInTheEnvironment() throws IOException {
    for (String operation : List.of("activate", "lock", "unlock", "deactivate", "collect-garbage")) {
      ok(operation, "stream");
    }
    List<String> expected = List.of("activate", "lock", "unlock", "deactivate", "collect-garbage").stream()
        .map(op -> op + " " + component).toList();
    assertEquals(expected, Files.readAllLines(data.resolve("calls")));

    for (String operation : List.of("activate", "lock", "collect-garbage")) {
      List<String> env = Files.readAllLines(data.resolve("env." + operation));
      assertTrue(env.contains("dataDir=" + data), env.toString());
      assertTrue(env.contains("STASIS_CONTAINER_NAME=stream"), env.toString());
      assertTrue(env.contains("STASIS_COMPONENT_NAME=db"), env.toString());
      assertTrue(env.contains("DYSNOMIA_STATEDIR=" + host.store), env.toString());
      assertFalse(env.stream().anyMatch(l -> l.startsWith(DysnomiaHost.SECRET + "=")), env.toString());
      assertFalse(env.stream().anyMatch(l -> l.startsWith("DYSNOMIA_CONTAINERS_PATH=")), env.toString());
    }
    // the markers are stasis's: collected means neither active nor garbage any more
    assertTrue(Files.notExists(host.marker("activated", "stream", "db")));
    assertTrue(Files.notExists(host.marker("garbage", "stream", "db")));
  }

  @Test
  void aFailedActivateIsAFailureAndMarksNothing() {
    CliRun r = run("activate", "stubborn");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("cannot activate"), r.stderr());
    assertTrue(Files.notExists(host.marker("activated", "stubborn", "db")));
  }
}
