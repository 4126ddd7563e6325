package dev.stasis.store;

/**
 * A snapshot directory's name, as found in any Dysnomia store: a SHA-256 id (stasis), the
 * SHA-256 of a compressed file (Dysnomia), a Subversion revision number, or anything else
 * that is a safe path segment.
 */
public record SnapshotName(String value) implements Comparable<SnapshotName> {
  public SnapshotName {
    Names.requireSafe(value, "snapshot name");
  }

  /** Whether this name has the form of a SHA-256 in lowercase hex. */
  public boolean isSha256() {
    return SnapshotId.isHex(value);
  }

  @Override
  public int compareTo(SnapshotName other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
