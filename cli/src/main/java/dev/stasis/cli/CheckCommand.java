package dev.stasis.cli;

import dev.stasis.store.CheckReport;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import dev.stasis.store.StoreLocks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stasis check}: verify every snapshot and generation, report every problem. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Re-hashes every snapshot against its checksum and follows every generation link;"
        + " prints one line per problem (kind, subject, message) and keeps going. Exit 3 when any."})
final class CheckCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Option(names = "--json", description = "Print the problems as a JSON array.")
  boolean json;

  CheckCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    CheckReport report;
    Scope scope = names.scope(ctx);
    try (Store s = stasis.store.open(ctx); StoreLocks.Held shared = s.sharedLock("check")) {
      report = s.check(s.generations(scope), scope, true);
    }
    List<Object> rows = new ArrayList<>();
    for (CheckReport.Problem p : report.problems()) {
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", p.kind().name().toLowerCase());
        m.put("subject", p.subject());
        m.put("message", p.message());
        rows.add(m);
      } else {
        ctx.out().println(p.kind().name().toLowerCase() + " " + p.subject() + ": " + p.message());
      }
    }
    if (json) {
      ctx.out().println(Json.write(rows));
    }
    ctx.err().println("stasis: checked " + report.snapshotsChecked() + " snapshot(s): "
        + (report.clean() ? "all good" : report.problems().size() + " problem(s)"));
    return report.clean() ? ExitCodes.OK : ExitCodes.INTEGRITY;
  }
}
