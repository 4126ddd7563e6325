package dev.stasis.cli;

import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Scope;
import picocli.CommandLine.Option;

/** {@code --container} and {@code --component}, given by name or by path (Dysnomia's naming rules). */
final class ComponentOptions {
  @Option(names = {"-C", "--container"}, paramLabel = "CONTAINER",
      description = "Container name, or the path of its container file (its base name counts).")
  String container;

  @Option(names = {"-c", "--component"}, paramLabel = "COMPONENT",
      description = "Component name, or its path (its base name counts).")
  String component;

  String container(Context ctx) {
    return container == null ? null : DysnomiaNames.nameOf(container, ctx.env());
  }

  String component(Context ctx) {
    return component == null ? null : DysnomiaNames.nameOf(component, ctx.env());
  }

  /** The components these options select: all when neither is given. */
  Scope scope(Context ctx) {
    return Scope.of(container(ctx), component(ctx));
  }

  /** Both names, falling back to the given defaults; a usage error when one stays missing. */
  ComponentRef ref(Context ctx, String defaultContainer, String defaultComponent) {
    String c = container != null ? container(ctx) : defaultContainer;
    String comp = component != null ? component(ctx) : defaultComponent;
    if (c == null || comp == null) {
      throw new UsageException("give both --container and --component");
    }
    return new ComponentRef(c, comp);
  }
}
