package dev.stasis.deploy;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.Names;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * The deployment file, in TOML (see docs/deploy.md):
 *
 * <pre>
 * coordinator = "/var/state/stasis-coordinator"   # optional; else --store
 *
 * [targets.db1]
 * address = "local"                     # or "ssh://user@host:port"
 * statedir = "/var/state/dysnomia"      # its store (default: Dysnomia's)
 * stasis = "/opt/stasis/bin/stasis"     # ssh: the command there (default: stasis)
 * ssh-options = ["-i", "/root/.ssh/deploy"]
 *
 * [targets.db1.containers.postgresql-database]   # type = its "type", else its name
 * postgresqlPort = 5432
 *
 * [targets.db1.containers.files]
 * container-file = "/etc/dysnomia/containers/files"   # type and properties from a file there
 *
 * [services.shop]
 * target = "db1"
 * container = "postgresql-database"
 * component = "/srv/components/shop"    # default: the service's name
 * as = "shop_live"                      # optional: the live state's name there
 * </pre>
 *
 * Unknown keys are usage errors, so a misspelt key does not silently take a default.
 */
final class TomlManifest {
  private static final String DEFAULT_STATEDIR = "/var/state/dysnomia";

  private TomlManifest() {}

  static Manifest parse(String source, String text) {
    JsonNode root;
    try {
      root = new TomlMapper().readTree(text);
    } catch (JacksonException e) {
      throw new UsageException("%s is not a deployment file: neither Disnix's XML nor valid TOML (%s)", source,
          e.getOriginalMessage());
    }
    keys(source, "the file", root, Set.of("coordinator", "targets", "services"));
    Map<String, TargetSpec> targets = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : table(source, "targets", root.get("targets")).entrySet()) {
      targets.put(e.getKey(), target(source, e.getKey(), e.getValue()));
    }
    Map<String, Service> services = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : table(source, "services", root.get("services")).entrySet()) {
      services.put(e.getKey(), service(source, e.getKey(), e.getValue()));
    }
    if (targets.isEmpty()) {
      throw new UsageException("%s has no [targets.NAME] table", source);
    }
    return new Manifest(source, targets, services, Optional.ofNullable(string(source, "coordinator", root,
        "coordinator", null)));
  }

  private static TargetSpec target(String source, String name, JsonNode node) {
    String where = "target " + name;
    name(source, where, name);
    keys(source, where, node, Set.of("address", "statedir", "stasis", "ssh-options", "containers"));
    Address address = Address.parse(string(source, where, node, "address", "local"), source + ": " + where);
    List<String> sshOptions = new ArrayList<>();
    JsonNode opts = node.get("ssh-options");
    if (opts != null) {
      if (!opts.isArray()) {
        throw new UsageException("%s: %s: ssh-options must be a list of strings", source, where);
      }
      for (JsonNode o : opts) {
        if (!o.isString()) {
          throw new UsageException("%s: %s: ssh-options must be a list of strings", source, where);
        }
        sshOptions.add(o.asString());
      }
    }
    Map<String, ContainerSpec> containers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : table(source, where + " containers", node.get("containers")).entrySet()) {
      containers.put(e.getKey(), container(source, where, e.getKey(), e.getValue()));
    }
    return new TargetSpec(name, address, string(source, where, node, "statedir", DEFAULT_STATEDIR),
        string(source, where, node, "stasis", "stasis"), sshOptions, containers);
  }

  private static ContainerSpec container(String source, String target, String name, JsonNode node) {
    String where = target + " container " + name;
    name(source, where, name);
    Map<String, String> properties = new LinkedHashMap<>();
    String file = null;
    for (Map.Entry<String, JsonNode> p : table(source, where, node).entrySet()) {
      JsonNode v = p.getValue();
      if (!v.isValueNode()) {
        throw new UsageException("%s: %s: property %s must be a string, number or boolean", source, where,
            p.getKey());
      }
      if (p.getKey().equals("container-file")) {
        file = v.asString();
      } else {
        properties.put(p.getKey(), v.asString());
      }
    }
    if (file != null && !properties.isEmpty()) {
      throw new UsageException("%s: %s has both a container-file and properties; give one of them", source, where);
    }
    return new ContainerSpec(name, properties.getOrDefault("type", name), properties, file);
  }

  private static Service service(String source, String name, JsonNode node) {
    String where = "service " + name;
    name(source, where, name);
    keys(source, where, node, Set.of("target", "container", "component", "as"));
    String target = string(source, where, node, "target", null);
    String container = string(source, where, node, "container", null);
    if (target == null || container == null) {
      throw new UsageException("%s: %s needs a target and a container", source, where);
    }
    String as = string(source, where, node, "as", null);
    if (as != null) {
      name(source, where + " as", as);
    }
    return new Service(name, target, container, string(source, where, node, "component", name), as);
  }

  private static Map<String, JsonNode> table(String source, String where, JsonNode node) {
    Map<String, JsonNode> entries = new LinkedHashMap<>();
    if (node == null) {
      return entries;
    }
    if (!node.isObject()) {
      throw new UsageException("%s: %s must be a table", source, where);
    }
    node.properties().forEach(e -> entries.put(e.getKey(), e.getValue()));
    return entries;
  }

  private static void keys(String source, String where, JsonNode node, Set<String> allowed) {
    if (!node.isObject()) {
      throw new UsageException("%s: %s must be a table", source, where);
    }
    for (String key : node.propertyNames()) {
      if (!allowed.contains(key)) {
        throw new UsageException("%s: %s has an unknown key '%s' (known: %s)", source, where, key,
            String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  private static String string(String source, String where, JsonNode node, String key, String fallback) {
    JsonNode v = node.get(key);
    if (v == null) {
      return fallback;
    }
    if (!v.isString() || v.asString().isEmpty()) {
      throw new UsageException("%s: %s: %s must be a non-empty string", source, where, key);
    }
    return v.asString();
  }

  private static void name(String source, String where, String name) {
    try {
      Names.requireSafe(name, where);
    } catch (IllegalArgumentException | dev.stasis.store.StoreException e) {
      throw new UsageException("%s: %s", source, e.getMessage());
    }
  }
}
