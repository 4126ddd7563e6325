package dev.stasis.cli;

import dev.stasis.store.ComponentRef;
import java.nio.file.Path;
import java.util.Map;

/**
 * The component an operation acts on.
 *
 * @param ref its container and component names, as the store knows them
 * @param component the component's path (Dysnomia's second module argument); may not exist
 * @param properties the container's properties (its container file, or the environment)
 */
record Target(ComponentRef ref, Path component, Map<String, String> properties, Context ctx) {
  /** A container property, or a usage error naming it when missing. */
  String require(String key) {
    String v = properties.get(key);
    if (v == null || v.isEmpty()) {
      throw new UsageException("container %s has no %s= property", ref.container(), key);
    }
    return v;
  }

  String property(String key, String fallback) {
    String v = properties.get(key);
    return v == null || v.isEmpty() ? fallback : v;
  }
}
