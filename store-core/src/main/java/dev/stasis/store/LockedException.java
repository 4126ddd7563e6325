package dev.stasis.store;

/** The store lock could not be taken within the wait; the message names its holders. */
public class LockedException extends StoreException {
  public LockedException(String format, Object... args) {
    super(format, args);
  }
}
