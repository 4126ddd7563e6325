package dev.stasis.store;

/** A snapshot, generation, object or component that was asked for does not exist. */
public class NotFoundException extends StoreException {
  public NotFoundException(String format, Object... args) {
    super(format, args);
  }
}
