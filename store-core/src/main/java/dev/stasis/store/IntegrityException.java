package dev.stasis.store;

/** Stored bytes do not match their checksum or name: damage, tampering, or a wrong import. */
public class IntegrityException extends StoreException {
  public IntegrityException(String format, Object... args) {
    super(format, args);
  }
}
