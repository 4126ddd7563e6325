package dev.stasis.deploy;

import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.postgresql.PostgresqlGlobals;
import dev.stasis.modules.postgresql.PostgresqlModule;
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

  /**
   * The server-wide state (roles) of the PostgreSQL server holding {@code service}'s database: a
   * migration moves it first, so the databases' owners exist where they are restored.
   */
  public ServiceState serverGlobals() {
    return new ServiceState(service + " (the server's roles)", container, PostgresqlGlobals.COMPONENT, null);
  }

  /** Whether this is a server's roles rather than a service's own state. */
  public boolean holdsServerGlobals() {
    return component.equals(PostgresqlGlobals.COMPONENT) && container.type().equals(PostgresqlModule.TYPE);
  }

  /** The component as the stores know it: container name and component name (a path's base name, minus a Nix hash). */
  public ComponentRef ref() {
    return new ComponentRef(container.name(), DysnomiaNames.nameOf(component, Map.of()));
  }
}
