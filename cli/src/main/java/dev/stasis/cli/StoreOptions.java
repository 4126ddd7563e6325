package dev.stasis.cli;

import dev.stasis.fs.FsBackend;
import dev.stasis.fs.FsLocks;
import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.s3.S3Backend;
import dev.stasis.s3.S3Location;
import dev.stasis.s3.S3Settings;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.Store;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Which store a command works on, and how: a local directory (Dysnomia's layout) or
 * {@code s3://bucket/prefix} with the S3 options; how long to wait for the store lock. On
 * {@code stasis} these options are inherited: they go before or after the subcommand's name.
 */
final class StoreOptions {
  /** The command these options are part of: its root's name prefixes the messages. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(scope = ScopeType.INHERIT, names = "--store", paramLabel = "DIR|s3://BUCKET/PREFIX",
      description = "The store: a directory, or s3://bucket/prefix. Default: $DYSNOMIA_STATEDIR, else"
          + " /var/state/dysnomia for root, ~/.dysnomia for others.")
  String store;

  @Option(scope = ScopeType.INHERIT, names = "--lock-wait", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to wait for another command's store lock: 0, 500ms, 30s, 5m. Default: ${DEFAULT-VALUE}.")
  Duration lockWait;

  @Option(scope = ScopeType.INHERIT, names = "--verbose", description = "Tell more on stderr; stack traces on failure.")
  boolean verbose;

  @Option(scope = ScopeType.INHERIT, names = "--endpoint", paramLabel = "URL",
      description = "S3: an S3-compatible service's URL. Default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, else AWS.")
  String endpoint;

  @Option(scope = ScopeType.INHERIT, names = "--path-style", description = "S3: address buckets as host/bucket (MinIO, Ceph); on by default"
      + " for an endpoint given as an IP address or localhost.")
  boolean pathStyle;

  @Option(scope = ScopeType.INHERIT, names = "--sse", paramLabel = "AES256|aws:kms", description = "S3: server-side encryption to ask for.")
  String sse;

  @Option(scope = ScopeType.INHERIT, names = "--sse-kms-key-id", paramLabel = "ID", description = "S3: the KMS key for --sse aws:kms.")
  String kmsKeyId;

  @Option(scope = ScopeType.INHERIT, names = "--s3-part-size", paramLabel = "SIZE", hidden = true, converter = SizeConverter.class,
      description = "S3: the first multipart part size (at least 5MiB, S3's minimum); parts grow from it. Default: 8MiB.")
  Integer partSize;

  /** Whether the store is on S3. */
  boolean isS3(Context ctx) {
    return S3Location.isS3(spec(ctx));
  }

  private String spec(Context ctx) {
    return store != null ? store : DysnomiaNames.stateDir(ctx.env()).toString();
  }

  /**
   * The local directory of this store's local state: the store itself, or for an S3 store a
   * directory under {@code ~/.cache/stasis/s3/} (markers, restore locks, the store secret).
   */
  Path root(Context ctx) {
    return localRoot(ctx, spec(ctx));
  }

  private static Path localRoot(Context ctx, String spec) {
    if (!S3Location.isS3(spec)) {
      return ctx.path(spec);
    }
    S3Location s3 = S3Location.parse(spec);
    String cache = ctx.env().getOrDefault("XDG_CACHE_HOME",
        ctx.env().getOrDefault("HOME", System.getProperty("user.home")) + "/.cache");
    Path dir = Path.of(cache, "stasis", "s3", s3.bucket());
    return s3.prefix().isEmpty() ? dir : dir.resolve(s3.prefix());
  }

  /** What modules may touch, with this store's local directory, for the command {@code program}. */
  Host host(Context ctx, String program) {
    return ctx.host(root(ctx), program, verbose);
  }

  /** The name messages go under: {@code stasis}, {@code dysnomia} or {@code dysnomia-snapshots}. */
  private String program() {
    return mixee == null ? "stasis" : mixee.root().name();
  }

  /**
   * Opens the store for a command that reads it (or only deletes from it), sweeping staging
   * files of killed writers.
   *
   * @throws NotFoundException when there is none: a typo in --store must not look like an empty
   *     store ("all good") or become one (gc would create it)
   */
  Store open(Context ctx) throws IOException {
    String spec = spec(ctx);
    if (missing(ctx)) {
      throw new NotFoundException("no store at %s: it does not exist (see --store and $DYSNOMIA_STATEDIR;"
          + " snapshot, import, mirror --to and dysnomia create one)", ctx.path(spec));
    }
    return open(ctx, spec);
  }

  /** Whether the store is a local directory that does not exist (yet). */
  boolean missing(Context ctx) {
    String spec = spec(ctx);
    return !S3Location.isS3(spec) && !Files.exists(ctx.path(spec));
  }

  /** Opens the store for a command that writes into it: a missing one is created by the first write. */
  Store openForWriting(Context ctx) throws IOException {
    return open(ctx, spec(ctx));
  }

  /**
   * Opens the store {@code spec} (a directory or an s3:// URL) with these options; a missing
   * directory is created by the first write.
   */
  Store open(Context ctx, String spec) throws IOException {
    if (!S3Location.isS3(spec) && Files.exists(ctx.path(spec)) && !Files.isDirectory(ctx.path(spec))) {
      throw new UsageException("the store %s is not a directory (see --store and $DYSNOMIA_STATEDIR)",
          ctx.path(spec));
    }
    if (S3Location.isS3(spec)) {
      S3Location location = S3Location.parse(spec);
      S3Settings settings = s3Settings(ctx);
      return Store.open(S3Backend.open(location, settings),
          ProcessLocks.forStore(location.toString()), lockWait);
    }
    Path root = ctx.path(spec);
    FsBackend backend = FsBackend.open(root);
    if (verbose && backend.sweptStaging() > 0) {
      ctx.err().println(program() + ": removed " + backend.sweptStaging() + " staging file(s) left by killed commands");
    }
    return Store.open(backend, FsLocks.forRoot(root), lockWait);
  }

  /** The S3 settings of the options and environment; retries are told on stderr. */
  S3Settings s3Settings(Context ctx) {
    S3Settings settings = S3Settings.defaults().withLog(m -> ctx.err().println(program() + ": " + m));
    String url = endpoint != null ? endpoint
        : ctx.env().getOrDefault("AWS_ENDPOINT_URL_S3", ctx.env().get("AWS_ENDPOINT_URL"));
    boolean path = pathStyle;
    if (url != null && !url.isEmpty()) {
      URI uri = URI.create(url);
      settings = settings.withEndpoint(uri);
      String host = uri.getHost() == null ? "" : uri.getHost();
      path |= host.equals("localhost") || host.matches("[0-9.]+") || host.startsWith("[");
    }
    settings = settings.withPathStyle(path).withSse(sse, kmsKeyId);
    return partSize == null ? settings : settings.withPartSize(partSize);
  }

  /** Sizes as people write them: {@code 5MiB}, {@code 8M}, {@code 16384}; bare numbers are bytes. */
  static final class SizeConverter implements ITypeConverter<Integer> {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(|k|K|KiB|M|MiB|G|GiB)");

    @Override
    public Integer convert(String value) {
      Matcher m = FORM.matcher(value.trim());
      if (!m.matches() || m.group(1).length() > 10) {
        throw new IllegalArgumentException("not a part size: '" + value + "' (try 8MiB)");
      }
      int shift = switch (m.group(2).isEmpty() ? ' ' : Character.toUpperCase(m.group(2).charAt(0))) {
        case 'K' -> 10;
        case 'M' -> 20;
        case 'G' -> 30;
        default -> 0;
      };
      long bytes = Long.parseLong(m.group(1)) << shift;
      if (bytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("too large a part: '" + value + "'");
      }
      return (int) bytes;
    }
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
