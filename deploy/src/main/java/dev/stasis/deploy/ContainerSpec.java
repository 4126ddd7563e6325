package dev.stasis.deploy;

import java.util.Map;

/**
 * A container on a target, as Dysnomia's container files describe one: its name (which names
 * its snapshots in the store), its type (which module serves it) and its properties, or the path
 * of a container file on the target that holds type and properties.
 *
 * @param file a container file on the target machine, or null when the properties are given here
 */
public record ContainerSpec(String name, String type, Map<String, String> properties, String file) {
  public ContainerSpec {
    properties = Map.copyOf(properties);
  }
}
