package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A temp directory laid out as a Dysnomia host: a store, container files and components on
 * their search paths, and {@code srv/} where the {@code directory} type keeps state. Runs
 * {@code dysnomia} in-process with that environment, plus a caller's secret that no module may
 * see.
 */
final class DysnomiaHost {
  /** Set in the caller's environment; a module's clean environment must not have it. */
  static final String SECRET = "SECRET_FROM_CALLER";

  final Path store;
  final Path containers;
  final Path components;
  final Path srv;
  private final Map<String, String> env = new LinkedHashMap<>();

  DysnomiaHost(Path tmp) throws IOException {
    store = tmp.resolve("state");
    containers = Files.createDirectories(tmp.resolve("containers"));
    components = Files.createDirectories(tmp.resolve("components"));
    srv = tmp.resolve("srv");
    env.put("DYSNOMIA_CONTAINERS_PATH", containers.toString());
    env.put("DYSNOMIA_COMPONENTS_PATH", components.toString());
    env.put("PATH", System.getenv("PATH"));
    env.put(SECRET, "hunter2");
  }

  /** Sets (or, with null, removes) a variable of the environment {@code dysnomia} runs in. */
  DysnomiaHost env(String key, String value) {
    if (value == null) {
      env.remove(key);
    } else {
      env.put(key, value);
    }
    return this;
  }

  /** Writes {@code containers/<name>}. */
  Path container(String name, String... lines) throws IOException {
    return write(containers.resolve(name), lines);
  }

  /** A {@code type=directory} container keeping state in {@code srv/}, plus {@code extra} lines. */
  Path directoryContainer(String name, String... extra) throws IOException {
    Path file = container(name, "type=directory", "directoryRoot=" + srv);
    Files.write(file, List.of(extra), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    return file;
  }

  /** Creates the directory {@code components/<container>/<name>}, where lookup by name finds it. */
  Path component(String container, String name) throws IOException {
    return Files.createDirectories(components.resolve(container).resolve(name));
  }

  /**
   * Puts stand-ins for {@code tools} first on the PATH: each writes a line to {@code calls} and
   * fails, so a test can show that no tool ran (and none reaches a real server).
   */
  DysnomiaHost standIns(Path calls, String... tools) throws IOException {
    Path bin = Files.createDirectories(calls.resolveSibling("stand-ins"));
    for (String tool : tools) {
      script(bin.resolve(tool), "#!/bin/sh", "echo \"$0 $*\" >> '" + calls + "'", "echo 'no server here' >&2",
          "exit 1");
    }
    return env("PATH", bin + ":/usr/bin:/bin");
  }

  /** Writes an executable script. */
  static Path script(Path file, String... lines) throws IOException {
    write(file, lines);
    Files.setAttribute(file, "unix:mode", 0755);
    return file;
  }

  static Path write(Path file, String... lines) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, List.of(lines), StandardCharsets.UTF_8);
  }

  CliRun dysnomia(String... args) {
    return CliRun.dysnomia(store, env, args);
  }

  /** {@code dysnomia ARGS}, its stderr written into {@code err} as it comes (ByteArrayOutputStream is synchronized). */
  CliRun dysnomiaWatched(ByteArrayOutputStream err, String... args) {
    return CliRun.dysnomiaWatched(store, env, err, args);
  }

  /** {@code dysnomia ARGS}, which must exit 0. */
  CliRun ok(String... args) {
    CliRun r = dysnomia(args);
    assertEquals(0, r.code(), () -> "dysnomia " + String.join(" ", args) + ": " + r);
    return r;
  }

  CliRun snapshots(String... args) {
    return CliRun.dysnomiaSnapshots(store, args);
  }

  /** {@code stasis ARGS} in the same environment as {@code dysnomia}, so it finds the same modules. */
  CliRun stasis(String... args) {
    return CliRun.stasisWithEnv(store, env, args);
  }

  /** What {@code dysnomia-snapshots --query-all} prints. */
  List<String> all() {
    CliRun r = snapshots("--query-all");
    assertEquals(0, r.code(), r.toString());
    return r.lines();
  }

  /** A deployment marker: {@code activated/<c>/<comp>} or {@code garbage/<c>/<comp>}. */
  Path marker(String kind, String container, String component) {
    return store.resolve(kind).resolve(container).resolve(component);
  }

  /** The one file of a snapshot, given as {@code container/component/name}. */
  Path storedFile(String path) throws IOException {
    try (Stream<Path> files = Files.list(store.resolve("snapshots").resolve(path))) {
      return files.findFirst().orElseThrow();
    }
  }

  /** Flips one byte in the middle of a stored snapshot file. */
  void damage(String path) throws IOException {
    Path file = storedFile(path);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);
  }

  /** The names in {@code dir}, sorted; none when it does not exist. */
  static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
