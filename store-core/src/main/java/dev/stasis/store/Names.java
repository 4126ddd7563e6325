package dev.stasis.store;

/** Validation of the names that become path segments of a store. */
public final class Names {
  private Names() {}

  /**
   * Returns {@code value} if it is safe as one path segment: not empty, no {@code /}, no NUL or
   * other control character, not {@code .} or {@code ..} and no leading {@code .} (which stasis
   * keeps for itself). Control characters are refused because names are printed, one per line,
   * for scripts ({@code --query-all}): a CR or LF would forge a line, an escape sequence would
   * drive the reader's terminal.
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
    if (hasControlCharacters(value)) {
      throw new IllegalArgumentException(what + " must not contain control characters: " + printable(value));
    }
    if (value.startsWith(".")) {
      throw new IllegalArgumentException(what + " must not start with '.': " + printable(value));
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
