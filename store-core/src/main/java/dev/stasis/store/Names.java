package dev.stasis.store;

import java.nio.charset.StandardCharsets;

/** Validation of the names that become path segments of a store. */
public final class Names {
  /** The longest name of one path segment most filesystems take (ext4, xfs, btrfs: NAME_MAX). */
  public static final int MAX_SEGMENT_BYTES = 255;

  private Names() {}

  /**
   * Returns {@code value} if it is safe as one path segment: not empty, no {@code /}, no NUL,
   * no other control character, not {@code .} or {@code ..}, no leading {@code .} (which
   * stasis keeps for itself) and at most {@value #MAX_SEGMENT_BYTES} bytes in UTF-8.
   *
   * @throws IllegalArgumentException naming {@code what} and the offending value
   */
  public static String requireSafe(String value, String what) {
    return requireSafe(value, what, 0);
  }

  /**
   * As {@link #requireSafe(String, String)}, for a segment that gets {@code reserved} more bytes
   * appended (a compression suffix), so that it fails here, before anything is written, and not
   * at the rename that publishes it.
   */
  public static String requireSafe(String value, String what, int reserved) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(what + " must not contain '/': " + printable(value));
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must not contain NUL: " + printable(value));
    }
    // A newline or CR breaks Dysnomia's find-based checksums and every line-oriented listing.
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new IllegalArgumentException(what + " must not contain control characters: " + printable(value));
      }
    }
    if (value.startsWith(".")) {
      throw new IllegalArgumentException(what + " must not start with '.': " + printable(value));
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes + reserved > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException(what + " is too long: " + bytes + " bytes, at most "
          + (MAX_SEGMENT_BYTES - reserved) + (reserved > 0 ? " (a name is at most " + MAX_SEGMENT_BYTES
          + " bytes, and stasis appends up to " + reserved + " for the compression)" : "")
          + ": " + printable(shortened(value)));
    }
    return value;
  }

  /** The first 40 characters and an ellipsis, for messages about over-long names. */
  private static String shortened(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "…";
  }

  /** The value with control characters escaped, for error messages. */
  static String printable(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }
}
