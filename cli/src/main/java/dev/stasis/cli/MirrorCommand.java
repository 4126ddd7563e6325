package dev.stasis.cli;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.s3.S3Backend;
import dev.stasis.s3.S3Location;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Mirror;
import dev.stasis.store.MirrorPlan;
import dev.stasis.store.MirrorResult;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code stasis mirror}: bring another store up to date with this one's snapshots and generations. */
@Command(name = "mirror", mixinStandardHelpOptions = true,
    description = {"Copies to one store what it lacks of another's snapshots and generations, either of them a"
        + " directory or s3://bucket/prefix. Only snapshots missing at the destination are sent; each component's"
        + " new generations go oldest first, each snapshot verified against its checksum before its generation is"
        + " linked. The destination numbers its generations itself, so a fresh mirror has the same names in the"
        + " same order, and records which source generation each link came from, so a later mirror goes on from"
        + " there (a history A, B, A brings B and A). Snapshots the destination lost are sent again. A snapshot"
        + " that fails stops its component; the others go on (exit 3 if one was damaged or not what its name says).",
        "  stasis mirror --from /var/state/dysnomia --to s3://backups/host1",
        "  stasis mirror --from s3://backups/host1 --to /srv/state --keep 3 --progress"})
final class MirrorCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Option(names = "--from", required = true, paramLabel = "STORE", description = "The store to copy from.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "STORE", description = "The store to copy to.")
  String to;

  @Option(names = "--keep", paramLabel = "N",
      description = "After a mirror that sent everything, keep the newest N (1 or more) generations per component"
          + " at the destination, as stasis gc --keep does there.")
  Integer keep;

  @Option(names = "--dry-run", description = "Print what would be sent and linked; change nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the summary (or with --dry-run the plan) as JSON.")
  boolean json;

  @Option(names = "--progress", description = "Show snapshots, bytes and rate on stderr (default when stderr is a"
      + " terminal).")
  boolean progress;

  MirrorCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (stasis.store.store != null) {
      throw new UsageException("mirror takes --from and --to, not --store");
    }
    if (keep != null && keep < 1) {
      throw new UsageException("--keep must be 1 or more on a mirror: the newest generation is always kept, got %d",
          keep);
    }
    requireDistinct();
    try (Store source = stasis.store.open(ctx, from); Store destination = stasis.store.open(ctx, to)) {
      if (source.backend() instanceof S3Backend s3 && s3.isEmpty()) {
        // as for a missing directory: nothing at all there is no store, not an empty one to mirror
        throw new NotFoundException("nothing under %s (no store to mirror from)", from);
      }
      Mirror mirror = Mirror.between(source, destination, names.scope(ctx));
      MirrorPlan plan = mirror.plan();
      for (ComponentRef c : plan.diverged()) {
        ctx.err().println("stasis: the history of " + c + " at " + to + " does not line up with the one at "
            + from + "; mirroring every generation of it after the destination's own");
      }
      if (dryRun) {
        printPlan(plan);
        return ExitCodes.OK;
      }
      MirrorProgress shown = new MirrorProgress(ctx.err(), plan, progress || ctx.stderrIsTerminal());
      MirrorResult result = mirror.run(plan, keep == null ? OptionalInt.empty() : OptionalInt.of(keep), shown);
      shown.finish();
      printResult(result);
      if (result.complete()) {
        return ExitCodes.OK;
      }
      return result.damaged() ? ExitCodes.INTEGRITY : ExitCodes.FAILURE;
    }
  }

  /** Refuses a mirror of a store onto itself, however it is spelled; a missing source is not found. */
  private void requireDistinct() throws IOException {
    boolean fromS3 = S3Location.isS3(from);
    boolean toS3 = S3Location.isS3(to);
    if (!fromS3 && !Files.isDirectory(ctx.path(from))) {
      throw new NoSuchFileException(ctx.path(from) + " (no store to mirror from)");
    }
    boolean same;
    if (fromS3 || toS3) {
      same = fromS3 && toS3 && S3Location.parse(from).equals(S3Location.parse(to));
    } else {
      Path a = ctx.path(from);
      Path b = ctx.path(to);
      same = a.equals(b) || Files.exists(b) && Files.isSameFile(a, b);
    }
    if (same) {
      throw new UsageException("--from and --to are the same store: %s", from);
    }
  }

  private void printPlan(MirrorPlan plan) {
    if (json) {
      List<Object> steps = new ArrayList<>();
      for (MirrorPlan.Item i : plan.items()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", i.snapshot().toString());
        m.put("source_generation", i.source().number());
        m.put("send", i.send());
        m.put("bytes", i.bytes());
        m.put("generation", i.linkAs() > 0 ? i.linkAs() : null);
        m.put("repairs", i.repair() ? i.repairs() : null);
        steps.add(m);
      }
      Map<String, Object> m = summary(plan.toSend(), plan.skipped(),
          (int) plan.items().stream().filter(i -> i.linkAs() > 0).count(), plan.bytesToSend(), List.of());
      m.put("dry_run", true);
      m.put("plan", steps);
      ctx.out().println(Json.write(m));
      return;
    }
    for (MirrorPlan.Item i : plan.items()) {
      if (i.repair()) {
        ctx.out().println("would send " + i.snapshot() + " again, missing at the destination though its generation "
            + i.repairs() + " points at it (" + Progress.size(i.bytes()) + ")");
      } else if (i.send()) {
        ctx.out().println("would send " + i.snapshot() + " (" + Progress.size(i.bytes()) + ")");
      }
      if (i.linkAs() > 0) {
        ctx.out().println("would link " + i.snapshot() + " as generation " + i.linkAs());
      }
    }
  }

  private void printResult(MirrorResult r) {
    if (json) {
      List<Object> failures = new ArrayList<>();
      for (MirrorResult.Failure f : r.failures()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", f.snapshot().toString());
        m.put("integrity", f.integrity());
        m.put("message", f.message());
        m.put("generations_left", f.left());
        failures.add(m);
      }
      Map<String, Object> m = summary(r.sent(), r.skipped(), r.linked(), r.bytes(), failures);
      m.put("collected", r.collected().size());
      ctx.out().println(Json.write(m));
    } else {
      ctx.out().println("sent " + r.sent() + " snapshot(s) (" + Progress.size(r.bytes()) + "), skipped "
          + r.skipped() + ", linked " + r.linked() + " generation(s), " + r.failures().size() + " failed");
    }
  }

  private static Map<String, Object> summary(int sent, int skipped, int linked, long bytes, List<Object> failures) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sent", sent);
    m.put("skipped", skipped);
    m.put("linked", linked);
    m.put("bytes", bytes);
    m.put("failures", failures);
    return m;
  }
}
