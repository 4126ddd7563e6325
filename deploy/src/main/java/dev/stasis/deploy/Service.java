package dev.stasis.deploy;

/**
 * A stateful service of a deployment: which component of which container of which target holds
 * its state. Two deployments map the same service when its name is the same.
 *
 * @param name the deployment's name for it
 * @param target the target's name
 * @param container the container's name on that target
 * @param component the component: a path on the target, or a name Dysnomia finds there
 * @param stateName the name of the live state there (database, directory), when not the
 *     component's own ({@code stasis restore --as})
 */
public record Service(String name, String target, String container, String component, String stateName) {
  /** Whether {@code other} puts this service's state in the same place. */
  public boolean sameMapping(Service other) {
    return target.equals(other.target) && container.equals(other.container) && component.equals(other.component)
        && java.util.Objects.equals(stateName, other.stateName);
  }

  @Override
  public String toString() {
    return name + " (" + container + " on " + target + ")";
  }
}
