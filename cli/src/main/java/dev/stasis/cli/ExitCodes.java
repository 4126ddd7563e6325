package dev.stasis.cli;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.LockedException;
import dev.stasis.store.NotFoundException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/** The exit codes of every command, and which failure gets which. */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int USAGE = 2;
  static final int INTEGRITY = 3;
  static final int NOT_FOUND = 4;
  static final int LOCKED = 5;
  static final int PARTLY = 6;

  private ExitCodes() {}

  /** For every command's help, under "Exit codes:". */
  static Map<String, String> help() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("0", "ok");
    m.put("1", "the operation failed (a dumper failed, I/O error, ...)");
    m.put("2", "usage error: bad option, argument or name");
    m.put("3", "integrity error: damaged data, checksum or name mismatch");
    m.put("4", "not found: no such snapshot, generation, component, directory or store");
    m.put("5", "locked: another command holds the store lock (see --lock-wait) or the deployment lock");
    m.put("6", "deploy: some services failed, the others were done (rerun to go on)");
    return m;
  }

  /** The code for a failure. */
  static int of(Throwable e) {
    if (e instanceof IntegrityException) {
      return INTEGRITY;
    }
    if (e instanceof NotFoundException) {
      return NOT_FOUND;
    }
    if (e instanceof LockedException) {
      return LOCKED;
    }
    if (e instanceof UsageException || e instanceof IllegalArgumentException
        || e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return FAILURE;
  }
}
