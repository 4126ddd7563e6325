package dev.stasis.cli;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.CheckReport;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import dev.stasis.store.StoreLocks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stasis check}: verify every snapshot and generation, report every problem. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Re-hashes every snapshot against its checksum and follows every generation link;"
        + " prints one line per problem (kind, subject, message) and keeps going. Exit 3 when any.",
        "Chunked snapshots: the index against its checksum, and every chunk once however many snapshots list it;"
            + " a bad chunk is reported for each snapshot it breaks."})
final class CheckCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Option(names = "--json", description = "Print the problems as a JSON array.")
  boolean json;

  @Option(names = "--read-data-subset", paramLabel = "n/t|x%",
      description = "Of the chunks of chunked snapshots, read and verify only subset n of t (by their names: running"
          + " 1/t to t/t reads each once), or a random x percent; the others are only found present. Default: all.")
  String subset;

  CheckCommand(Context ctx) {
    this.ctx = ctx;
  }

  /**
   * Which chunks {@code --read-data-subset} reads: {@code n/t} those whose name's first 64 bits
   * leave n - 1 when divided by t, {@code x%} each with probability x / 100.
   */
  static Predicate<String> chunksToRead(String subset) {
    if (subset == null) {
      return sha256 -> true;
    }
    Matcher part = Pattern.compile("([1-9][0-9]{0,8})/([1-9][0-9]{0,8})").matcher(subset);
    if (part.matches() && Integer.parseInt(part.group(1)) <= Integer.parseInt(part.group(2))) {
      long n = Long.parseLong(part.group(1)) - 1;
      long t = Long.parseLong(part.group(2));
      return sha256 -> Long.remainderUnsigned(Long.parseUnsignedLong(sha256.substring(0, 16), 16), t) == n;
    }
    Matcher percent = Pattern.compile("([0-9]{1,3}(\\.[0-9]+)?)%").matcher(subset);
    if (percent.matches() && Double.parseDouble(percent.group(1)) <= 100) {
      double p = Double.parseDouble(percent.group(1)) / 100;
      return sha256 -> ThreadLocalRandom.current().nextDouble() < p;
    }
    throw new UsageException("--read-data-subset takes n/t (1 <= n <= t) or x%% (0 to 100), not '%s'", subset);
  }

  @Override
  public Integer call() throws Exception {
    Predicate<String> readChunk = chunksToRead(subset);
    CheckReport report;
    Scope scope = names.scope(ctx);
    try (Store s = stasis.store.open(ctx); StoreLocks.Held shared = s.sharedLock("check")) {
      report = s.check(s.generations(scope), scope, true, readChunk);
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
