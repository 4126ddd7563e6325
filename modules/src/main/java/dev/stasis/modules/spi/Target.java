package dev.stasis.modules.spi;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Names;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The component an operation acts on.
 *
 * @param ref its container and component names, as the store knows them
 * @param component the component's path (Dysnomia's second module argument); may not exist
 * @param properties the container's properties (its container file, or the environment)
 * @param stateName the name of the live state (database, repository, directory): the
 *     component's name, unless a restore goes to another ({@code stasis restore --as})
 */
public record Target(ComponentRef ref, Path component, Map<String, String> properties, Host host,
    String stateName) {
  public Target {
    Names.requireSafe(stateName, "state name");
  }

  public Target(ComponentRef ref, Path component, Map<String, String> properties, Host host) {
    this(ref, component, properties, host, ref.component());
  }

  /** The same component, its state under another name. */
  public Target as(String name) {
    return new Target(ref, component, properties, host, name);
  }

  /** A container property, or a usage error naming it when missing. */
  public String require(String key) {
    String v = properties.get(key);
    if (v == null || v.isEmpty()) {
      throw new UsageException("container %s has no %s= property", ref.container(), key);
    }
    return v;
  }

  /**
   * The component's {@code <dir>/<glob>} files in name order, as Dysnomia's modules take a
   * component's initial state (SQL scripts, repository dumps); none when the directory is absent.
   */
  public List<Path> files(String dir, String glob) throws IOException {
    Path d = component.resolve(dir);
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(d)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(d, glob)) {
        s.forEach(files::add);
      }
    }
    files.sort(null);
    return files;
  }

  /** A container property, or {@code fallback} when it is missing or empty. */
  public String property(String key, String fallback) {
    String v = properties.get(key);
    return v == null || v.isEmpty() ? fallback : v;
  }

  /**
   * A container property that is a TCP port: digits only, 1 to 65535; {@code fallback} when it is
   * missing or empty. Checked before a client is started with it, which would fail later and less
   * clearly (or, given a socket too, ignore it).
   *
   * @throws UsageException naming the container and the key when the value is no port
   */
  public int port(String key, int fallback) {
    String v = properties.get(key);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    if (v.matches("[0-9]{1,5}") && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 65535) {
      return Integer.parseInt(v);
    }
    throw new UsageException("container %s: %s='%s' is not a TCP port (digits only, 1 to 65535)",
        ref.container(), key, v);
  }
}
