package dev.stasis.cli;

/** The command line asks for something impossible; exit code 2. */
final class UsageException extends RuntimeException {
  UsageException(String format, Object... args) {
    super(String.format(format, args));
  }
}
