package dev.stasis.modules;

import dev.stasis.modules.postgresql.PostgresqlGlobals;
import dev.stasis.modules.postgresql.PostgresqlModule;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
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
public record Deployed(Modules.Found module, Target target, String containerArg) {
  /**
   * Resolves {@code --container} and {@code --component} as Dysnomia does.
   *
   * @throws UsageException when either is missing or the container file is refused
   * @throws dev.stasis.store.NotFoundException when the container file, component or module is not found
   */
  public static Deployed resolve(Host host, String containerArg, String componentArg) throws IOException {
    if (containerArg == null) {
      throw new UsageException("No container file or environment specified!");
    }
    if (componentArg == null) {
      throw new UsageException("ERROR: No component is specified!");
    }
    ContainerFile file = ContainerFile.read(new Lookup(host).container(containerArg), host.env());
    return of(host, file.type(), file.name(), file.properties(), containerArg, componentArg);
  }

  /**
   * A directory snapshotted as it is ({@code stasis snapshot DIR}, {@code stasis restore DIR}): a
   * deterministic tar of {@code dir}, stored as {@code ref}.
   */
  public static Deployed directory(Host host, Path dir, ComponentRef ref) {
    return new Deployed(new Modules.Driven(Modules.directory(dir, host)), new Target(ref, dir, Map.of(), host),
        dir.toString());
  }

  /** A component of a container given by its type, name and properties (Dysnomia's {@code --environment}). */
  public static Deployed of(Host host, String type, String containerName, Map<String, String> properties,
      String containerArg, String componentArg) throws IOException {
    if (componentArg == null) {
      throw new UsageException("ERROR: No component is specified!");
    }
    Path component = new Lookup(host).component(componentArg, containerName);
    ComponentRef ref = new ComponentRef(containerName, DysnomiaNames.nameOf(component.toString(), host.env()));
    return new Deployed(Modules.find(type, host), new Target(ref, component, properties, host), containerArg);
  }

  /**
   * The server-wide part of a container, to snapshot as a component of its own: for a
   * {@code postgresql-database} container, its roles ({@code pg_dumpall --globals-only}) as
   * {@value PostgresqlGlobals#COMPONENT}.
   *
   * @throws UsageException for a container type that has no such part
   */
  public static Deployed serverGlobals(Host host, String containerArg) throws IOException {
    ContainerFile file = ContainerFile.read(new Lookup(host).container(containerArg), host.env());
    return serverGlobals(host, file.type(), file.name(), file.path(), file.properties(), containerArg);
  }

  /**
   * As {@link #serverGlobals(Host, String)}, for a container given by type, name and properties.
   *
   * @param path where the container is described (its file), the component's path
   */
  public static Deployed serverGlobals(Host host, String type, String containerName, Path path,
      Map<String, String> properties, String containerArg) {
    if (!type.equals(PostgresqlModule.TYPE)) {
      throw new UsageException("--globals: container %s is of type %s; only %s containers have server-wide state"
          + " to snapshot", containerName, type, PostgresqlModule.TYPE);
    }
    Target t = new Target(new ComponentRef(containerName, PostgresqlGlobals.COMPONENT), path, properties, host);
    return new Deployed(new Modules.Driven(new PostgresqlGlobals()), t, containerArg);
  }

  /** The module stasis drives, or a usage error for a Dysnomia module (which manages the store itself). */
  public Module driven(String what) {
    if (module instanceof Modules.Driven d) {
      return d.module();
    }
    throw new UsageException("%s: type of container %s is a Dysnomia module, which stores its own snapshots;"
        + " use dysnomia --operation instead", what, target.ref().container());
  }

  /** The container's {@code compression=} property, else {@code fallback}. */
  public Compression compression(String option, Compression fallback) {
    String word = option != null ? option : target.properties().get("compression");
    return word == null ? fallback : Compression.parse(word);
  }
}
