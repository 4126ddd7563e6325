package dev.stasis.cli;

import dev.stasis.modules.SnapshotImport;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.CheckReport;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.GcPlan;
import dev.stasis.store.Generation;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code dysnomia-snapshots}: Dysnomia's snapshot-store tool with its options and output lines,
 * over the stasis engine. Deviations (numeric generation order, --check reporting everything,
 * verified import, distinct exit codes) are listed in the README.
 */
@Command(name = "dysnomia-snapshots", version = "dysnomia-snapshots (stasis " + StasisCommand.VERSION + ")",
    description = {"Manages the store of snapshots of the logical state of mutable components hosted in"
        + " containers ($DYSNOMIA_STATEDIR, default /var/state/dysnomia for root, ~/.dysnomia for others)."})
public final class DysnomiaSnapshotsCommand implements Callable<Integer> {
  private final Context ctx;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Operation operation;

  static final class Operation {
    @Option(names = "--query-latest", description = "Print the relative paths of the latest snapshots.")
    boolean queryLatest;

    @Option(names = "--query-all", description = "Print the relative paths of all snapshots, generation by generation.")
    boolean queryAll;

    @Option(names = "--print-missing", description = "Print the given paths that are not in the store.")
    boolean printMissing;

    @Option(names = "--gc", description = "Remove older generations and the snapshots only they used.")
    boolean gc;

    @Option(names = "--import", description = "Move snapshot directories into the store (verified) and link generations.")
    boolean importing;

    @Option(names = "--resolve", description = "Translate relative snapshot paths into absolute ones.")
    boolean resolve;
  }

  @Option(names = "--check", description = "With a query: verify the snapshots printed; report every problem.")
  boolean check;

  @Mixin
  ComponentOptions names;

  @Option(names = "--keep", paramLabel = "NUM", defaultValue = "1",
      description = "Generations to keep per component while collecting garbage. Default: ${DEFAULT-VALUE}.")
  int keep;

  @Option(names = "--dry-run", description = "With --gc: print what would be removed; remove nothing.")
  boolean dryRun;

  @Mixin
  StoreOptions store;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  boolean help;

  @Option(names = {"-v", "--version"}, versionHelp = true, description = "Show the version.")
  boolean version;

  @Parameters(paramLabel = "PATH", description = "Snapshot paths (container/component/name) or, with --import, directories.")
  List<String> paths = new ArrayList<>();

  DysnomiaSnapshotsCommand(Context ctx) {
    this.ctx = ctx;
  }

  public static void main(String[] args) {
    Context ctx = Context.system();
    System.exit(run(ctx, args));
  }

  static int run(Context ctx, String... args) {
    CommandLine cl = Cli.create(new DysnomiaSnapshotsCommand(ctx), ctx);
    return GetoptAbbreviations.execute(cl, ctx, args);  // --query-l for --query-latest, as getopt allows
  }

  @Override
  public Integer call() throws Exception {
    if (operation == null) {
      throw new UsageException("No operation specified!");
    }
    if (check && !(operation.queryAll || operation.queryLatest)) {
      throw new UsageException("--check goes with --query-all or --query-latest");
    }
    if (keep < 0) {
      throw new UsageException("--keep must be 0 or more, got %d", keep);
    }
    Scope scope = names.scope(ctx);
    List<SnapshotRef> refs = operation.printMissing || operation.resolve ? parse(paths) : List.of();
    if (!operation.importing && store.missing(ctx)) {
      return asEmpty(refs);
    }
    try (Store s = operation.importing ? store.openForWriting(ctx) : store.open(ctx)) {
      if (operation.queryAll || operation.queryLatest) {
        return query(s, scope);
      } else if (operation.printMissing) {
        for (SnapshotRef ref : refs) {
          if (!s.exists(ref)) {
            ctx.out().println(ref);
          }
        }
      } else if (operation.resolve) {
        return resolve(s, refs);
      } else if (operation.gc) {
        GcPlan plan;
        try (GcLines lines = new GcLines(ctx.err())) {
          plan = s.gc(scope, keep, dryRun, lines);
        }
        plan.chunksKept().ifPresent(why -> ctx.err().println("dysnomia-snapshots: warning: " + why));
        if (dryRun) {
          StringBuilder lines = new StringBuilder();  // one write, as print does
          for (GcPlan.Action a : plan.actions()) {
            lines.append(a.kind().name().toLowerCase()).append(' ').append(a.path()).append(": ").append(a.reason())
                .append('\n');
          }
          ctx.out().print(lines);
        }
      } else {
        return importDirectories(s);
      }
    }
    return ExitCodes.OK;
  }

  private int query(Store s, Scope scope) throws IOException {
    if (!check) {
      print(operation.queryAll ? s.generations(scope) : s.latest(scope));
      return ExitCodes.OK;
    }
    CheckReport report;
    // the listing and the check of what it lists, with no gc in between
    try (StoreLocks.Held shared = s.sharedLock("check")) {
      List<Generation> gens = operation.queryAll ? s.generations(scope) : s.latest(scope);
      report = s.check(gens, scope, false);
      print(gens);
    }
    for (CheckReport.Problem p : report.problems()) {
      ctx.err().println(p.message());
    }
    return report.clean() ? ExitCodes.OK : ExitCodes.INTEGRITY;
  }

  /**
   * Answers for a store that does not exist as for an empty one, creating nothing (a gc or a
   * check would create it by taking its lock): Disnix asks a fresh target's store which
   * snapshots it is missing (all of them) before it imports the first, and collects garbage on
   * targets that may never have stored any. Only --import creates the store.
   */
  private int asEmpty(List<SnapshotRef> refs) {
    int code = ExitCodes.OK;
    for (SnapshotRef ref : refs) {
      if (operation.printMissing) {
        ctx.out().println(ref);
      } else {
        ctx.err().println("dysnomia-snapshots: no snapshot " + ref + " in the store (it does not exist yet)");
        code = ExitCodes.NOT_FOUND;
      }
    }
    return code;
  }

  private void print(List<Generation> gens) {
    StringBuilder lines = new StringBuilder();  // one write: println flushes System.out each time
    for (Generation g : gens) {
      lines.append(g.snapshotRef()).append('\n');
    }
    ctx.out().print(lines);
  }

  private int resolve(Store s, List<SnapshotRef> refs) throws IOException {
    int code = ExitCodes.OK;
    for (SnapshotRef ref : refs) {
      if (s.exists(ref)) {
        ctx.out().println(s.location(ref));
      } else {
        ctx.err().println("dysnomia-snapshots: no snapshot " + ref + " in the store (see --print-missing)");
        code = ExitCodes.NOT_FOUND;
      }
    }
    return code;
  }

  private int importDirectories(Store s) throws IOException {
    if (names.container == null) {
      throw new UsageException("ERROR: No container specified!");
    }
    if (names.component == null) {
      throw new UsageException("ERROR: No component specified!");
    }
    ComponentRef component = new ComponentRef(names.container(ctx), names.component(ctx));
    for (String dir : paths) {
      Path path = ctx.path(dir);
      boolean copied = SnapshotImport.insideStore(s, path);
      IngestResult r = SnapshotImport.run(s, component, path, true);
      if (copied) {
        ctx.err().println("dysnomia-snapshots: " + path + " is in the store itself; copied, not moved: moving it"
            + " would take it from under its own generation");
      }
      if (store.verbose) {
        ctx.err().println("imported " + r.snapshot() + " as generation " + r.generation().number());
      }
    }
    return ExitCodes.OK;
  }

  /** Validates every path before any is used, so bad input changes nothing. */
  private static List<SnapshotRef> parse(List<String> paths) {
    List<SnapshotRef> refs = new ArrayList<>();
    for (String p : paths) {
      refs.add(SnapshotRef.parse(p));
    }
    return refs;
  }
}
