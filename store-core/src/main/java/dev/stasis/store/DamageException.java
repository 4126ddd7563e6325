package dev.stasis.store;

/**
 * A snapshot's bytes are damaged, and how: they do not match the checksum record, their content
 * does not match the snapshot's name, or they do not decompress. {@code check} reports the kind;
 * every other reader treats it as the {@link IntegrityException} it is.
 */
final class DamageException extends IntegrityException {
  private final CheckReport.Kind kind;
  private String computed;

  DamageException(CheckReport.Kind kind, String format, Object... args) {
    super(format, args);
    this.kind = kind;
  }

  /** A checksum mismatch: the checksum the bytes gave. */
  static DamageException mismatch(String computed, String format, Object... args) {
    DamageException e = new DamageException(CheckReport.Kind.MISMATCH, format, args);
    e.computed = computed;
    return e;
  }

  CheckReport.Kind kind() {
    return kind;
  }

  /** The checksum the bytes gave, for a mismatch; null otherwise. */
  String computed() {
    return computed;
  }
}
