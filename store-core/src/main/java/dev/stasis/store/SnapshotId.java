package dev.stasis.store;

/** The name stasis gives a snapshot: lowercase hex SHA-256 of the logical (uncompressed) stream. */
public record SnapshotId(String hex) {
  public SnapshotId {
    if (!isHex(hex)) {
      throw new IllegalArgumentException("not a SHA-256 id: " + Names.printable(String.valueOf(hex)));
    }
  }

  static boolean isHex(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  public SnapshotName name() {
    return new SnapshotName(hex);
  }

  /** The first twelve hex digits, for messages. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return hex;
  }
}
