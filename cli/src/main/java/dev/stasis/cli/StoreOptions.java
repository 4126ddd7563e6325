package dev.stasis.cli;

import dev.stasis.fs.FsBackend;
import dev.stasis.fs.FsLocks;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Which store a command works on, and how long it waits for the store lock. */
final class StoreOptions {
  @Option(names = "--store", paramLabel = "DIR",
      description = "The store. Default: $DYSNOMIA_STATEDIR, else /var/state/dysnomia for root, ~/.dysnomia for others.")
  String store;

  @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to wait for another command's store lock: 0, 500ms, 30s, 5m. Default: ${DEFAULT-VALUE}.")
  Duration lockWait;

  @Option(names = "--verbose", description = "Tell more on stderr; stack traces on failure.")
  boolean verbose;

  /** The store's root directory. */
  Path root(Context ctx) {
    return store != null ? ctx.path(store) : DysnomiaNames.stateDir(ctx.env());
  }

  /**
   * {@code ctx} with {@code DYSNOMIA_STATEDIR} naming this store when {@code --store} was given:
   * modules find the store there (Dysnomia modules, the store's secret), as with Dysnomia.
   */
  Context context(Context ctx) {
    return store == null ? ctx : ctx.withEnv("DYSNOMIA_STATEDIR", root(ctx).toString());
  }

  /** Opens the store, sweeping staging files of killed writers. */
  Store open(Context ctx) throws IOException {
    Path root = root(ctx);
    FsBackend backend = FsBackend.open(root);
    if (verbose && backend.sweptStaging() > 0) {
      ctx.err().println("removed " + backend.sweptStaging() + " staging file(s) left by killed commands");
    }
    return Store.open(backend, FsLocks.forRoot(root), lockWait);
  }

  /** Durations as people write them: {@code 0}, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; bare numbers are seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d+)(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
      Matcher m = FORM.matcher(value.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("not a duration: '" + value + "' (try 30s, 500ms, 5m)");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}
