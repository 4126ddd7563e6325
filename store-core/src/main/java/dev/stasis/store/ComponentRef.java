package dev.stasis.store;

/** A component inside a container: the unit that has generations. */
public record ComponentRef(String container, String component) implements Comparable<ComponentRef> {
  public ComponentRef {
    Names.requireSafe(container, "container name");
    Names.requireSafe(component, "component name");
  }

  public SnapshotRef snapshot(SnapshotName name) {
    return new SnapshotRef(this, name);
  }

  @Override
  public int compareTo(ComponentRef o) {
    int c = container.compareTo(o.container);
    return c != 0 ? c : component.compareTo(o.component);
  }

  /** {@code container/component}. */
  @Override
  public String toString() {
    return container + "/" + component;
  }
}
