package dev.stasis.store;

/** Validation of the names that become path segments of a store. */
public final class Names {
  private Names() {}

  /**
   * Returns {@code value} if it is safe as one path segment: not empty, no {@code /}, no NUL,
   * not {@code .} or {@code ..} and no leading {@code .} (which stasis keeps for itself).
   *
   * @throws IllegalArgumentException naming {@code what} and the offending value
   */
  public static String requireSafe(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException(what + " must not contain '/': " + printable(value));
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must not contain NUL: " + printable(value));
    }
    if (value.startsWith(".")) {
      throw new IllegalArgumentException(what + " must not start with '.': " + printable(value));
    }
    return value;
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
