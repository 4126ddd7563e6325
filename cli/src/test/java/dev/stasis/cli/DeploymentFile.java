package dev.stasis.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deployment files (TOML) for {@code stasis deploy} over two targets on this machine: {@code here},
 * a {@code local} target, and {@code there}, reached over ssh through an {@link SshServer}. Each
 * has a store of its own and a {@code directory} container whose live state is under the test's
 * directory; more containers may be added. The settings of {@code there} (its stasis command, its
 * ssh options) are what a file written next gets.
 */
final class DeploymentFile {
  static final String HERE = "here";
  static final String THERE = "there";

  private final Path root;
  private final SshServer ssh;
  private final Map<String, Map<String, Map<String, String>>> containers = new LinkedHashMap<>();
  /** The command that runs stasis on {@code there}. */
  String stasis = Launchers.REPO.resolve("bin/stasis").toString();
  /** The {@code ssh-options} of {@code there}. */
  List<String> sshOptions;

  DeploymentFile(Path root, SshServer ssh) {
    this.root = root;
    this.ssh = ssh;
    this.sshOptions = ssh.options();
    for (String t : List.of(HERE, THERE)) {
      container(t, "directory", Map.of("directoryRoot", root.resolve("data-" + t).toString()));
    }
  }

  /** Adds (or replaces) the container {@code name} of {@code target} with these properties. */
  DeploymentFile container(String target, String name, Map<String, String> properties) {
    containers.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(name, properties);
    return this;
  }

  /** The live state of the directory service {@code service} on {@code target}. */
  Path data(String target, String service) {
    return root.resolve("data-" + target).resolve(service);
  }

  /** The store (Dysnomia's state directory) of {@code target}. */
  Path store(String target) {
    return root.resolve("state-" + target);
  }

  /**
   * Writes {@code name} with the services {@code placements}, each {@code service=target} (in the
   * container {@code directory}) or {@code service=target/container}.
   */
  Path write(String name, String... placements) throws IOException {
    StringBuilder toml = new StringBuilder();
    for (String t : List.of(HERE, THERE)) {
      toml.append("[targets.").append(t).append("]\n");
      toml.append("address = ").append(t.equals(HERE) ? quote("local") : quote(ssh.address())).append('\n');
      toml.append("statedir = ").append(quote(store(t).toString())).append('\n');
      if (t.equals(THERE)) {
        toml.append("stasis = ").append(quote(stasis)).append('\n');
        toml.append("ssh-options = [").append(String.join(", ", sshOptions.stream().map(DeploymentFile::quote)
            .toList())).append("]\n");
      }
      for (Map.Entry<String, Map<String, String>> c : containers.get(t).entrySet()) {
        toml.append("[targets.").append(t).append(".containers.").append(c.getKey()).append("]\n");
        c.getValue().forEach((k, v) -> toml.append(k).append(" = ").append(quote(v)).append('\n'));
      }
      toml.append('\n');
    }
    for (String p : placements) {
      String[] kv = p.split("=", 2);
      String[] where = kv[1].split("/", 2);
      toml.append("[services.").append(kv[0]).append("]\n");
      toml.append("target = ").append(quote(where[0])).append('\n');
      toml.append("container = ").append(quote(where.length > 1 ? where[1] : "directory")).append("\n\n");
    }
    Path file = root.resolve(name);
    Files.writeString(file, toml);
    return file;
  }

  /** Which way a dying channel is cut: the coordinator's requests to the agent, or the agent's answers. */
  enum Cut { REQUESTS, ANSWERS }

  /** What a dying channel prints on stderr (then, from the coordinator, after {@code [target there] }) once it holds. */
  static final String HELD = "channel: held after ";

  /**
   * Writes a stasis command for {@code there} whose channel dies half-way: the real stasis behind
   * a pipe that passes the first {@code passed} bytes one way ({@code cut}), then says {@link
   * #HELD} on stderr and swallows the rest, keeping the pipe open, so both ends wait until the
   * test kills the ssh client. dd copies a byte at a time: each byte goes on at once (head would
   * keep a request in its stdio buffer, and the agent would wait for it), and its count is of
   * bytes (with a larger block, dd counts reads, however short).
   *
   * @return the command, for {@link #stasis}
   */
  String dyingStasis(Cut cut, int passed) throws IOException {
    String hold = "{ dd bs=1 count=" + passed + " status=none; echo '" + HELD + passed
        + " bytes' >&2; cat >/dev/null; }";
    String real = "'" + stasis.replace("'", "'\\''") + "' \"$@\"";
    Path script = root.resolve("dying-stasis-" + cut.name().toLowerCase(Locale.ROOT));
    Files.writeString(script, "#!/usr/bin/env bash\n" + (cut == Cut.REQUESTS ? hold + " | " + real
        : real + " | " + hold) + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script.toString();
  }

  /** A TOML basic string. */
  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
