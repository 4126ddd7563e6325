package dev.stasis.cli;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.GcPlan;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import dev.stasis.store.SupportsCleanup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stasis gc}: keep the newest N generations of each component, delete the rest. */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Deletes generations older than the newest N of each component, then every snapshot"
        + " (with its checksum and metadata) that no kept generation points at. Planned and applied under"
        + " the exclusive store lock. Refuses (exit 3), deleting nothing, when a generation it would keep links"
        + " outside its component's snapshots or to a missing one. On an S3 store it also aborts stasis's"
        + " multipart uploads and deletes its staging objects left by killed commands (older than"
        + " --abandoned-after).",
        "  stasis gc --keep 3 --dry-run"})
final class GcCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Option(names = "--keep", paramLabel = "N", defaultValue = "1",
      description = "Generations to keep per component (0 deletes all). Default: ${DEFAULT-VALUE}.")
  int keep;

  @Option(names = "--dry-run", description = "Print what would be deleted, and why; delete nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the plan as a JSON array.")
  boolean json;

  @Option(names = "--abandoned-after", paramLabel = "DURATION", defaultValue = "24h",
      converter = StoreOptions.DurationConverter.class,
      description = "S3: uploads and staging objects older than this count as abandoned by a killed command (a"
          + " younger one may still be running, or be resumed by the next mirror). Default: ${DEFAULT-VALUE}.")
  Duration abandonedAfter;

  GcCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (keep < 0) {
      throw new UsageException("--keep must be 0 or more, got %d", keep);
    }
    GcPlan plan;
    Scope scope = names.scope(ctx);
    try (Store s = stasis.store.open(ctx)) {
      try (GcLines lines = new GcLines(ctx.err())) {
        plan = s.gc(scope, keep, dryRun, lines);
      }
      plan.chunksKept().ifPresent(why -> ctx.err().println("stasis: warning: " + why));
      if (!dryRun && s.backend() instanceof SupportsCleanup leftovers) {
        int n = leftovers.cleanup(abandonedAfter);
        ctx.err().println("stasis: aborted " + n + " abandoned upload(s) and staging object(s) older than "
            + describe(abandonedAfter));
      }
    }
    List<Object> rows = new ArrayList<>();
    for (GcPlan.Action a : plan.actions()) {
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.kind().name().toLowerCase());
        m.put("path", a.path());
        m.put("reason", a.reason());
        rows.add(m);
      } else if (dryRun) {
        ctx.out().println("would delete " + a.kind().name().toLowerCase() + " " + a.path() + ": " + a.reason());
      }
    }
    if (json) {
      ctx.out().println(Json.write(rows));
    }
    return ExitCodes.OK;
  }

  /** A duration as the options take it: {@code 24h}, {@code 90m}, {@code 30s}. */
  private static String describe(Duration d) {
    if (d.isZero()) {
      return "0s";
    } else if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    } else if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
