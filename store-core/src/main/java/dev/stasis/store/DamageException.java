package dev.stasis.store;

/**
 * A snapshot's bytes are damaged, and how: they do not match the checksum record, their content
 * does not match the snapshot's name, or they do not decompress. {@code check} reports the kind;
 * every other reader treats it as the {@link IntegrityException} it is.
 */
final class DamageException extends IntegrityException {
  private final CheckReport.Kind kind;

  DamageException(CheckReport.Kind kind, String format, Object... args) {
    super(format, args);
    this.kind = kind;
  }

  CheckReport.Kind kind() {
    return kind;
  }
}
