package dev.stasis.cli;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A component in a container, resolved as Dysnomia resolves them: the container file (a path
 * or a name on {@code $DYSNOMIA_CONTAINERS_PATH}), its module, and the component (a path or a
 * name on {@code $DYSNOMIA_COMPONENTS_PATH}).
 *
 * @param containerArg the {@code --container} argument as given, which Dysnomia modules receive
 */
record Deployed(Modules.Found module, Target target, String containerArg) {
  static Deployed resolve(Context c, String containerArg, String componentArg, Path storeRoot) throws IOException {
    if (containerArg == null) {
      throw new UsageException("No container file or environment specified!");
    }
    if (componentArg == null) {
      throw new UsageException("ERROR: No component is specified!");
    }
    Lookup lookup = new Lookup(c);
    ContainerFile file = ContainerFile.read(lookup.container(containerArg), c.env());
    return of(c, file.type(), file.name(), file.properties(), containerArg, componentArg, storeRoot);
  }

  static Deployed of(Context c, String type, String containerName, Map<String, String> properties,
      String containerArg, String componentArg, Path storeRoot) throws IOException {
    if (componentArg == null) {
      throw new UsageException("ERROR: No component is specified!");
    }
    Path component = new Lookup(c).component(componentArg, containerName);
    ComponentRef ref = new ComponentRef(containerName, DysnomiaNames.nameOf(component.toString(), c.env()));
    Modules.Found found = Modules.find(type, c, storeRoot.resolve(".stasis").resolve("restore"));
    return new Deployed(found, new Target(ref, component, properties, c), containerArg);
  }

  /** The module stasis drives, or a usage error for a Dysnomia module (which manages the store itself). */
  Module driven(String what) {
    if (module instanceof Modules.Driven d) {
      return d.module();
    }
    throw new UsageException("%s: type of container %s is a Dysnomia module, which stores its own snapshots;"
        + " use dysnomia --operation instead", what, target.ref().container());
  }

  /** The container's {@code compression=} property, else {@code fallback}. */
  Compression compression(String option, Compression fallback) {
    String word = option != null ? option : target.properties().get("compression");
    return word == null ? fallback : Compression.parse(word);
  }
}
