package dev.stasis.modules;

import dev.stasis.modules.process.ClientTool;
import java.nio.file.Path;
import java.util.Map;

/** Dysnomia's rules for names and places. */
public final class DysnomiaNames {
  private static final int NIX_HASH_PREFIX = 33;

  private DysnomiaNames() {}

  /**
   * The name of a component or container given by path or name: its base name, without the
   * 33-character hash prefix when the path lies in the Nix store ({@code $NIX_STORE_DIR},
   * default {@code /nix/store}).
   */
  public static String nameOf(String pathOrName, Map<String, String> env) {
    String storePrefix = env.getOrDefault("NIX_STORE_DIR", "/nix/store") + "/";
    String name = baseName(pathOrName);
    if (pathOrName.startsWith(storePrefix) && name.length() > NIX_HASH_PREFIX) {
      name = name.substring(NIX_HASH_PREFIX);
    }
    return name;
  }

  /** What {@code basename} prints: the last segment, trailing slashes ignored. */
  public static String baseName(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    int slash = p.lastIndexOf('/');
    return slash < 0 || p.length() == 1 ? p : p.substring(slash + 1);
  }

  /** {@code $DYSNOMIA_STATEDIR}, else {@code /var/state/dysnomia} for root and {@code ~/.dysnomia} for others. */
  public static Path stateDir(Map<String, String> env) {
    String dir = env.get("DYSNOMIA_STATEDIR");
    if (dir != null && !dir.isEmpty()) {
      return Path.of(dir).toAbsolutePath();
    }
    if (ClientTool.isRoot()) {
      return Path.of("/var/state/dysnomia");
    }
    return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".dysnomia");
  }

}
