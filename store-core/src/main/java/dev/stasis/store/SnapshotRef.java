package dev.stasis.store;

/** A snapshot of one component, printed and parsed as {@code container/component/name}. */
public record SnapshotRef(ComponentRef component, SnapshotName name) {
  /**
   * Parses {@code container/component/name}, the form {@code --query-all} prints.
   *
   * @throws IllegalArgumentException when the path has not exactly three safe segments
   */
  public static SnapshotRef parse(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "not a snapshot path (container/component/name): " + Names.printable(path));
    }
    return new SnapshotRef(new ComponentRef(parts[0], parts[1]), new SnapshotName(parts[2]));
  }

  @Override
  public String toString() {
    return component + "/" + name;
  }
}
