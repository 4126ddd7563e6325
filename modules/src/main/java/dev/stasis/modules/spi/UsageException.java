package dev.stasis.modules.spi;

/**
 * What was asked cannot be done as given: a bad option, argument, container property or
 * name (exit code 2). The message names what is wrong and what to give instead.
 */
public final class UsageException extends RuntimeException {
  public UsageException(String format, Object... args) {
    super(String.format(format, args));
  }
}
