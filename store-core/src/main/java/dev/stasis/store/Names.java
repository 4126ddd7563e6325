package dev.stasis.store;

import java.nio.charset.StandardCharsets;

/** Validation of the names that become path segments of a store. */
public final class Names {
  /** The longest name of one path segment most filesystems take (ext4, xfs, btrfs: NAME_MAX). */
  public static final int MAX_SEGMENT_BYTES = 255;

  private Names() {}

  /**
   * Returns {@code value} if it is safe as one path segment: not empty, no {@code /}, no NUL or
   * other control character, not {@code .} or {@code ..}, no leading {@code .} (which stasis
   * keeps for itself) and at most {@value #MAX_SEGMENT_BYTES} bytes in UTF-8. Control characters
   * are refused because names are printed, one per line, for scripts ({@code --query-all}), and
   * Dysnomia's checksums are {@code find}'s lines: a CR or LF would forge a line, an escape
   * sequence would drive the reader's terminal.
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
    if (hasControlCharacters(value)) {
      throw new IllegalArgumentException(what + " must not contain control characters: " + printable(value));
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

  /** Whether {@code value} holds a C0 or C1 control character (CR, LF, ESC, DEL, CSI, ...). */
  public static boolean hasControlCharacters(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (isControl(value.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isControl(char c) {
    return c < 0x20 || c >= 0x7f && c <= 0x9f;
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
      if (isControl(c)) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }
}
