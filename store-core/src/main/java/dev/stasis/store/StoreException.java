package dev.stasis.store;

/**
 * A store operation failed. The message says what failed, where, and what to try. Subclasses
 * tell callers (and exit codes) apart: {@link NotFoundException}, {@link IntegrityException},
 * {@link LockedException}.
 */
public class StoreException extends RuntimeException {
  public StoreException(String format, Object... args) {
    super(String.format(format, args));
  }

  public StoreException(Throwable cause, String format, Object... args) {
    super(String.format(format, args), cause);
  }
}
