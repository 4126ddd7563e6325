package dev.stasis.store;

import java.util.Comparator;

/** Generation {@code number} of a component, pointing at one of its snapshots. */
public record Generation(ComponentRef component, long number, SnapshotName snapshot) {
  /** Component by name, then generation number, numerically. */
  public static final Comparator<Generation> ORDER =
      Comparator.comparing(Generation::component).thenComparingLong(Generation::number);

  public Generation {
    if (component == null || snapshot == null) {
      throw new IllegalArgumentException("generation needs a component and a snapshot");
    }
    if (number < 1) {
      throw new IllegalArgumentException("generation numbers start at 1, got " + number);
    }
  }

  public SnapshotRef snapshotRef() {
    return new SnapshotRef(component, snapshot);
  }
}
