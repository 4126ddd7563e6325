package dev.stasis.deploy;

import dev.stasis.modules.DysnomiaNames;
import dev.stasis.store.ComponentRef;
import java.util.Map;

/**
 * Where one service's state is on its machine: everything the machine needs to run a module on
 * it, sent to an agent as it is.
 *
 * @param service the deployment's name for the service, for messages
 * @param container the container, with its type and properties or container file
 * @param component the component: a path there, or a name
 * @param stateName the live state's name when not the component's own, else null
 */
public record ServiceState(String service, ContainerSpec container, String component, String stateName) {
  /** The service's state in {@code manifest}. */
  public static ServiceState of(Manifest manifest, Service s) {
    return new ServiceState(s.name(), manifest.container(s), s.component(), s.stateName());
  }

  /** The component as the stores know it: container name and component name (a path's base name, minus a Nix hash). */
  public ComponentRef ref() {
    return new ComponentRef(container.name(), DysnomiaNames.nameOf(component, Map.of()));
  }
}
