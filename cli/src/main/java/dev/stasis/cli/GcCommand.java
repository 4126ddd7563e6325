package dev.stasis.cli;

import dev.stasis.store.GcPlan;
import dev.stasis.store.Store;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code stasis gc}: keep the newest N generations of each component, delete the rest. */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Deletes generations older than the newest N of each component, then every snapshot"
        + " (with its checksum and metadata) that no kept generation points at. Planned and applied under"
        + " the exclusive store lock.",
        "  stasis gc --keep 3 --dry-run"})
final class GcCommand implements Callable<Integer> {
  private final Context ctx;

  @Mixin
  StoreOptions store;

  @Mixin
  ComponentOptions names;

  @Option(names = "--keep", paramLabel = "N", defaultValue = "1",
      description = "Generations to keep per component (0 deletes all). Default: ${DEFAULT-VALUE}.")
  int keep;

  @Option(names = "--dry-run", description = "Print what would be deleted, and why; delete nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the plan as a JSON array.")
  boolean json;

  GcCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (keep < 0) {
      throw new UsageException("--keep must be 0 or more, got %d", keep);
    }
    GcPlan plan;
    try (Store s = store.open(ctx)) {
      plan = s.gc(names.scope(ctx), keep, dryRun, a -> ctx.err().println(GcCommand.dysnomiaLine(a)));
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

  /** What the real dysnomia-snapshots prints on stderr for each deletion. */
  static String dysnomiaLine(GcPlan.Action a) {
    return switch (a.kind()) {
      case GENERATION -> "Removing old generation symlink: " + a.path();
      case SNAPSHOT -> "Removing old snapshot: " + a.path();
      case CHECKSUM -> "Removing leftover checksum: " + a.path();
      case META -> "Removing leftover metadata: " + a.path();
    };
  }
}
