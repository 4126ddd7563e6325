package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Dysnomia module run unchanged: found on {@code $DYSNOMIA_MODULES_PATH}, called as
 * Dysnomia calls it, in a clean environment, its exit status passed on; and the snapshots it
 * stores itself, in Dysnomia's layout, are ones stasis's tools accept.
 */
class DysnomiaExternalModuleTest {
  /** What bash adds to any environment it runs a command in. */
  private static final Set<String> BASH_OWN = Set.of("PWD", "SHLVL", "_", "OLDPWD");

  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path calls;
  Path component;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    calls = Files.createDirectories(tmp.resolve("calls"));
    Path modules = tmp.resolve("dysnomia-modules");
    host.env("DYSNOMIA_MODULES_PATH", modules.toString());
    recorder(modules.resolve("recorder"));
    host.container("db", "type=recorder", "greeting='hello world'");
    host.container("broken", "type=recorder", "exitStatus=3");
    component = host.component("db", "mydb");
    Files.writeString(component.resolve("data.txt"), "version 1\n");
  }

  /**
   * A module as Dysnomia's own are written: it records its arguments and environment, and
   * its snapshot stores the component's data.txt the way Dysnomia's tools do: the snapshot
   * named by the file's SHA-256, the checksum over {@code find .}, an empty line and the
   * file's bytes (no trailing newline), then the next generation's symlink.
   */
  private void recorder(Path file) throws IOException {
    DysnomiaHost.script(file, """
        #!/bin/bash
        set -e
        printf '%s\\n' "$@" > CALLS/args.$1
        env > CALLS/env.$1
        containerName=$(basename "$3")
        componentName=$(basename "$2")
        if [ "$1" = snapshot ]; then
          snapshots="$DYSNOMIA_STATEDIR/snapshots/$containerName/$componentName"
          hash=$(sha256sum < "$2/data.txt" | cut -d ' ' -f 1)
          mkdir -p "$snapshots/$hash"
          cp "$2/data.txt" "$snapshots/$hash/state.txt"
          checksums="$DYSNOMIA_STATEDIR/checksums/$containerName/$componentName"
          mkdir -p "$checksums"
          sum=$({ printf '.\\n./state.txt\\n\\n'; cat "$snapshots/$hash/state.txt"; } | sha256sum | cut -d ' ' -f 1)
          printf 'sha256:%s' "$sum" > "$checksums/$hash"
          generations="$DYSNOMIA_STATEDIR/generations/$containerName/$componentName"
          mkdir -p "$generations"
          last=$(ls "$generations" | sort -n | tail -n 1)
          ln -s "../../../snapshots/$containerName/$componentName/$hash" "$generations/$(( ${last:-0} + 1 ))"
        fi
        exit "${exitStatus:-0}"
        """.replace("CALLS", calls.toString()));
  }

  private List<String> args(String operation) throws IOException {
    return Files.readAllLines(calls.resolve("args." + operation));
  }

  /** The environment the module saw when it ran {@code operation}. */
  private Map<String, String> env(String operation) throws IOException {
    Map<String, String> env = new TreeMap<>();
    for (String line : Files.readAllLines(calls.resolve("env." + operation))) {
      int eq = line.indexOf('=');
      env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return env;
  }

  @Test
  void itIsCalledWithTheComponentPathAndTheContainerAsGiven() throws IOException {
    host.ok("-o", "activate", "-C", "db", "-c", "mydb");
    // the component looked up on the components path, the container name untouched
    assertEquals(List.of("activate", component.toString(), "db"), args("activate"));

    Path containerFile = host.containers.resolve("db");
    host.ok("-o", "deactivate", "-C", containerFile.toString(), "-c", component.toString());
    assertEquals(List.of("deactivate", component.toString(), containerFile.toString()), args("deactivate"));

    // unknown to stasis, but the module's business: passed on as it is
    host.ok("-o", "migrate", "-C", "db", "-c", "mydb");
    assertEquals(List.of("migrate", component.toString(), "db"), args("migrate"));
  }

  @Test
  void itRunsInACleanEnvironmentOfTheContainersProperties() throws IOException {
    host.ok("-o", "activate", "-C", "db", "-c", "mydb");
    Map<String, String> env = env("activate");

    Set<String> names = new TreeSet<>(env.keySet());
    names.removeAll(BASH_OWN);
    assertEquals(Set.of("greeting", "PATH", "DYSNOMIA_STATEDIR"), names, env.toString());
    assertEquals("hello world", env.get("greeting"));
    assertEquals(System.getenv("PATH"), env.get("PATH"));
    assertEquals(host.store.toString(), env.get("DYSNOMIA_STATEDIR"));
    assertFalse(env.containsKey(DysnomiaHost.SECRET), env.toString());
    assertFalse(env.containsKey("type"), "type is dysnomia's, not a property");
  }

  @Test
  void withEnvironmentItGetsTheWholeEnvironmentAndTheTypeAsContainer() throws IOException {
    host.env("greeting", "from the caller");
    host.ok("-o", "lock", "--environment", "--type", "recorder", "-c", component.toString());
    assertEquals(List.of("lock", component.toString(), "recorder"), args("lock"));
    Map<String, String> env = env("lock");
    assertEquals("from the caller", env.get("greeting"));
    // Dysnomia's documented "be careful with this": the caller's environment goes along
    assertEquals("hunter2", env.get(DysnomiaHost.SECRET));
  }

  @Test
  void aTypeGivenAsAPathIsTheModuleFileOrAPackageHoldingIt() throws IOException {
    Path module = tmp.resolve("dysnomia-modules/recorder");
    host.env("DYSNOMIA_MODULES_PATH", null);
    host.container("direct", "type=" + module);
    host.ok("-o", "activate", "-C", "direct", "-c", component.toString());
    assertEquals(List.of("activate", component.toString(), "direct"), args("activate"));

    // a package, as Disnix passes them: the module is in its libexec/dysnomia/
    Path pkg = tmp.resolve("pkg");
    Files.createDirectories(pkg.resolve("libexec/dysnomia"));
    Files.copy(module, pkg.resolve("libexec/dysnomia/recorder"), StandardCopyOption.COPY_ATTRIBUTES);
    host.container("packaged", "type=" + pkg);
    host.ok("-o", "unlock", "-C", "packaged", "-c", component.toString());
    assertEquals(List.of("unlock", component.toString(), "packaged"), args("unlock"));
  }

  @Test
  void itsExitStatusIsPassedOn() throws IOException {
    CliRun r = host.dysnomia("-o", "activate", "-C", "broken", "-c", component.toString());
    assertEquals(3, r.code(), r.toString());
    assertEquals("3", env("activate").get("exitStatus"));
    assertEquals(0, host.dysnomia("-o", "activate", "-C", "db", "-c", "mydb").code());
  }

  @Test
  void theSnapshotsItStoresItselfPassStasisChecks() throws IOException {
    host.ok("-o", "snapshot", "-C", "db", "-c", "mydb");
    Files.writeString(component.resolve("data.txt"), "version 2\n");
    host.ok("-o", "snapshot", "-C", "db", "-c", "mydb");

    String first = "db/mydb/" + Trees.sha256("version 1\n".getBytes(StandardCharsets.UTF_8));
    String second = "db/mydb/" + Trees.sha256("version 2\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(first, second), host.all());
    assertEquals(List.of(second), host.snapshots("--query-latest").lines());
    CliRun check = host.snapshots("--query-all", "--check");
    assertEquals(0, check.code(), check.toString());
    CliRun stasisCheck = host.stasis("check");
    assertEquals(0, stasisCheck.code(), stasisCheck.toString());
    assertTrue(stasisCheck.stderr().contains("checked 2 snapshot(s): all good"), stasisCheck.stderr());
    // stasis reads it back too: an uncompressed file's logical bytes are the file
    assertEquals("version 2\n", host.stasis("dump", second).out());

    // and the checks did look: a changed byte in the module's file is found
    host.damage(first);
    assertEquals(3, host.snapshots("--query-all", "--check").code());
    assertEquals(3, host.stasis("check").code());
  }

  @Test
  void stasisDoesNotStoreForAModuleThatStoresItself() {
    CliRun r = host.stasis("snapshot", "-C", host.containers.resolve("db").toString(), "-c", component.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.stderr().contains("is a Dysnomia module, which stores its own snapshots"), r.stderr());
    assertTrue(Files.notExists(calls.resolve("args.snapshot")), "the module ran");
    assertEquals(List.of(), host.all());
  }
}
