package dev.stasis.deploy;

import dev.stasis.modules.spi.UsageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A deployment as far as state goes: its targets and, per stateful service, where its state is.
 * Read from a deployment file ({@link TomlManifest}) or from the manifest Disnix writes
 * ({@link DisnixManifest}).
 *
 * @param source where it was read from, for messages
 * @param coordinator the coordinator's store the file names, if it names one
 */
public record Manifest(String source, Map<String, TargetSpec> targets, Map<String, Service> services,
    Optional<String> coordinator) {
  public Manifest {
    targets = Map.copyOf(targets);
    services = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(services));
    for (Service s : services.values()) {
      TargetSpec t = targets.get(s.target());
      if (t == null) {
        throw new UsageException("%s: service %s is on target '%s', which is not among the targets (%s)", source,
            s.name(), s.target(), String.join(", ", targets.keySet()));
      }
      if (!t.containers().containsKey(s.container())) {
        throw new UsageException("%s: service %s is in container '%s', which target %s does not have (%s)", source,
            s.name(), s.container(), t.name(), String.join(", ", t.containers().keySet()));
      }
    }
  }

  /**
   * Reads a deployment file: the XML Disnix writes (recognised by its first element) or TOML.
   *
   * @throws UsageException when it is neither, or says something that cannot be used
   * @throws dev.stasis.store.NotFoundException when there is no such file
   */
  public static Manifest read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new dev.stasis.store.NotFoundException("no deployment file %s", file);
    }
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.UTF_8).stripLeading();
    try {
      if (text.startsWith("<")) {
        return DisnixManifest.parse(file.toString(), bytes);
      }
      return TomlManifest.parse(file.toString(), text);
    } catch (UsageException e) {
      // the messages quote the file's names, keys and values: a raw ESC would drive the reader's
      // terminal, a raw newline forge a line
      if (!dev.stasis.store.Names.hasControlCharacters(e.getMessage())) {
        throw e;
      }
      StringBuilder escaped = new StringBuilder();
      e.getMessage().chars().forEach(c -> escaped.append(c < 0x20 || c >= 0x7f && c <= 0x9f
          ? String.format("\\x%02x", c) : Character.toString(c)));
      throw new UsageException("%s", escaped);
    }
  }

  public TargetSpec target(Service s) {
    return targets.get(s.target());
  }

  public ContainerSpec container(Service s) {
    return target(s).containers().get(s.container());
  }

  /** The services named (all when {@code names} is empty); an unknown name is a usage error. */
  public List<Service> select(List<String> names) {
    if (names.isEmpty()) {
      return List.copyOf(services.values());
    }
    List<Service> chosen = new ArrayList<>();
    for (String n : names) {
      Service s = services.get(n);
      if (s == null) {
        throw new UsageException("%s has no stateful service '%s' (%s)", source, n,
            String.join(", ", services.keySet()));
      }
      chosen.add(s);
    }
    return chosen;
  }
}
