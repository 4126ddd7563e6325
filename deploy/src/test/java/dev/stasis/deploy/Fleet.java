package dev.stasis.deploy;

import dev.stasis.fs.FsBackend;
import dev.stasis.fs.FsLocks;
import dev.stasis.modules.spi.Host;
import dev.stasis.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Machines for the deployment tests, all on this one: a coordinator store and targets, each a
 * store directory, with directory containers whose state lives under the test's directory.
 * Runs the deployment commands in-process, as {@code stasis deploy} does.
 */
final class Fleet {
  final Path root;
  final Path coordinatorDir;
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final Host host;

  Fleet(Path root) {
    this.root = root;
    this.coordinatorDir = root.resolve("coordinator");
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    this.host = new Host(errStream, errStream, Map.of("PATH", System.getenv("PATH")), root, coordinatorDir, "stasis",
        false);
  }

  /** The state directory of a directory service on {@code target}. */
  Path state(String target, String service) {
    return root.resolve("data-" + target).resolve(service);
  }

  Path store(String target) {
    return root.resolve("state-" + target);
  }

  /** A deployment of directory services, each {@code service=target}, written to {@code name}. */
  Path deployment(String name, String... placements) throws IOException {
    StringBuilder toml = new StringBuilder();
    List<String> targets = new ArrayList<>();
    for (String p : placements) {
      String target = p.split("=")[1];
      if (!targets.contains(target)) {
        targets.add(target);
      }
    }
    for (String t : List.of("t1", "t2", "t3")) {
      toml.append("[targets.").append(t).append("]\naddress = \"local\"\nstatedir = \"").append(store(t))
          .append("\"\n[targets.").append(t).append(".containers.directory]\ndirectoryRoot = \"")
          .append(root.resolve("data-" + t)).append("\"\n\n");
    }
    for (String p : placements) {
      String[] kv = p.split("=");
      toml.append("[services.").append(kv[0]).append("]\ntarget = \"").append(kv[1])
          .append("\"\ncontainer = \"directory\"\n\n");
    }
    Path file = root.resolve(name);
    Files.writeString(file, toml);
    return file;
  }

  /** Runs {@code work} as a deploy command does: the lock, the coordinator's store, the targets. */
  <T> T run(Path deployment, Work<T> work) throws Exception {
    Manifest m = Manifest.read(deployment);
    try (DeployLock lock = DeployLock.take(coordinatorDir, "test", false, host.err());
        Agent coordinator = new Agent("coordinator", host, open(coordinatorDir));
        Targets targets = new Targets(host, Fleet::open)) {
      return work.run(new Coordinator(m, coordinator, targets, coordinatorDir, host.err()::println), m);
    }
  }

  static Store open(Path dir) throws IOException {
    return Store.open(FsBackend.open(dir), FsLocks.forRoot(dir), Duration.ofSeconds(30));
  }

  String messages() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  interface Work<T> {
    T run(Coordinator c, Manifest m) throws Exception;
  }
}
