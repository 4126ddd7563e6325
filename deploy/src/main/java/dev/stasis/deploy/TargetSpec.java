package dev.stasis.deploy;

import java.util.List;
import java.util.Map;

/**
 * A machine services are deployed to.
 *
 * @param name the deployment's name for it
 * @param address where it is
 * @param stateDir its store: Dysnomia's {@code DYSNOMIA_STATEDIR} there
 * @param stasis the command that runs stasis there (ssh targets)
 * @param sshOptions options put before the destination on ssh's command line (ssh targets)
 * @param containers its containers by name
 */
public record TargetSpec(String name, Address address, String stateDir, String stasis, List<String> sshOptions,
    Map<String, ContainerSpec> containers) {
  public TargetSpec {
    sshOptions = List.copyOf(sshOptions);
    containers = Map.copyOf(containers);
  }
}
