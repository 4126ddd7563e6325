package dev.stasis.modules;

import dev.stasis.modules.spi.Host;
import dev.stasis.store.NotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Dysnomia's search rules: an argument starting with {@code /} or {@code ./} is a path; any
 * other is looked up in the directories of a colon-separated search path.
 */
public final class Lookup {
  static final String CONTAINERS = "/etc/dysnomia/containers";
  static final String COMPONENTS = "/etc/dysnomia/components";

  private final Host host;

  public Lookup(Host host) {
    this.host = host;
  }

  public static boolean isPath(String arg) {
    return arg.startsWith("/") || arg.startsWith("./");
  }

  /** The container file for {@code arg}, on {@code $DYSNOMIA_CONTAINERS_PATH} when not a path. */
  public Path container(String arg) {
    if (isPath(arg)) {
      Path p = host.path(arg);
      if (!Files.isRegularFile(p)) {
        throw new NotFoundException("No container configuration found for: %s (no such file)", arg);
      }
      return p;
    }
    List<Path> dirs = dirs("DYSNOMIA_CONTAINERS_PATH", CONTAINERS);
    for (Path dir : dirs) {
      Path p = dir.resolve(arg);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new NotFoundException("No container configuration found for: %s (searched $DYSNOMIA_CONTAINERS_PATH: %s)",
        arg, join(dirs));
  }

  /**
   * The component for {@code arg}: a path, else {@code <dir>/<container>/<arg>} on
   * {@code $DYSNOMIA_COMPONENTS_PATH}; symlinks resolved as {@code readlink -f} does, since a
   * Dysnomia module gets, and names the component after, the resolved path.
   */
  public Path component(String arg, String container) throws IOException {
    if (isPath(arg)) {
      return resolved(host.path(arg));
    }
    List<Path> dirs = dirs("DYSNOMIA_COMPONENTS_PATH", COMPONENTS);
    for (Path dir : dirs) {
      Path p = dir.resolve(container).resolve(arg);
      if (Files.exists(p)) {
        return resolved(p);
      }
    }
    throw new NotFoundException("No component configuration found for: %s (searched <dir>/%s/%s in"
        + " $DYSNOMIA_COMPONENTS_PATH: %s)", arg, container, arg, join(dirs));
  }

  /** What {@code readlink -f} prints, as Dysnomia resolves components: symlinks followed where they exist. */
  static Path resolved(Path p) throws IOException {
    Path absolute = p.toAbsolutePath().normalize();
    if (Files.exists(absolute)) {
      return absolute.toRealPath();
    }
    Path parent = absolute.getParent();
    return parent != null && Files.exists(parent) ? parent.toRealPath().resolve(absolute.getFileName()) : absolute;
  }

  /** An executable named {@code type} in the directories of {@code variable}, if any. */
  Optional<Path> executable(String variable, String type) {
    for (Path dir : dirs(variable, null)) {
      Path p = dir.resolve(type);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The directories of a search path variable, or of its default when unset or empty. */
  List<Path> dirs(String variable, String fallback) {
    String value = host.env().get(variable);
    if (value == null || value.isEmpty()) {
      value = fallback == null ? "" : fallback;
    }
    List<Path> dirs = new ArrayList<>();
    for (String d : value.split(":")) {
      if (!d.isEmpty()) {
        dirs.add(host.path(d));
      }
    }
    return dirs;
  }

  static String join(List<Path> dirs) {
    return dirs.isEmpty() ? "(empty)" : String.join(":", dirs.stream().map(Path::toString).toList());
  }
}
