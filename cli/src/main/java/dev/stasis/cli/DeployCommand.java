package dev.stasis.cli;

import dev.stasis.deploy.Agent;
import dev.stasis.deploy.AgentServer;
import dev.stasis.deploy.Coordinator;
import dev.stasis.deploy.DeployLock;
import dev.stasis.deploy.Manifest;
import dev.stasis.deploy.Outcome;
import dev.stasis.deploy.Service;
import dev.stasis.deploy.Targets;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.Store;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code stasis deploy}: Disnix's state management across machines, over a deployment file
 * (TOML, or the manifest Disnix writes); the coordinator's store is {@code --store}.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
    description = {"Snapshots, restores, migrates and cleans the state of a deployment's stateful services on their"
        + " targets (this machine, or others over ssh), with --store as the coordinator's store, as Disnix does."
        + " The deployment is a TOML file (see docs/deploy.md) or the manifest XML Disnix writes.",
        "  stasis deploy snapshot -f deployment.toml",
        "  stasis deploy migrate --from old.toml --to new.toml --delete-state"},
    subcommands = {DeployCommand.Snapshot.class, DeployCommand.Restore.class, DeployCommand.Migrate.class,
        DeployCommand.Clean.class, DeployCommand.AgentCommand.class})
final class DeployCommand implements Runnable {
  @ParentCommand
  StasisCommand stasis;

  @Override
  public void run() {
    throw new UsageException("which deploy command? snapshot, restore, migrate or clean-snapshots (see --help)");
  }

  /** What every deploy command but the agent shares: the deployment lock, the machines, the report. */
  abstract static class Work implements Callable<Integer> {
    final Context ctx;

    @ParentCommand
    DeployCommand deploy;

    @Option(names = "--json", description = "Print what was done per service as a JSON array.")
    boolean json;

    @Option(names = "--force-unlock", description = "Take the deployment lock even from a command that holds it"
        + " (one that hangs): both may then change the same services at once.")
    boolean forceUnlock;

    Work(Context ctx) {
      this.ctx = ctx;
    }

    /** The deployment the command works on. */
    abstract Manifest manifest() throws Exception;

    /** The work, with the lock held and the machines at hand. */
    abstract List<Outcome> work(Coordinator coordinator, Manifest manifest) throws Exception;

    @Override
    public Integer call() throws Exception {
      StoreOptions options = deploy.stasis.store;
      Manifest manifest = manifest();
      Host host = options.host(ctx, "stasis");
      List<Outcome> outcomes;
      String spec = manifest.coordinator().orElse(null);
      try (DeployLock lock = DeployLock.take(host.stateDir(), "stasis deploy " + name(), forceUnlock, ctx.err());
          Store store = spec != null ? options.open(ctx, spec) : options.openForWriting(ctx);
          Agent coordinator = new Agent("coordinator", host, store);
          Targets targets = new Targets(host, dir -> options.open(ctx, dir.toString()))) {
        outcomes = work(new Coordinator(manifest, coordinator, targets, host.stateDir(),
            line -> ctx.err().println("stasis: " + line)), manifest);
      }
      report(outcomes, ctx.out());
      return exitCode(outcomes);
    }

    private String name() {
      return getClass().getAnnotation(Command.class).name();
    }

    private void report(List<Outcome> outcomes, PrintStream out) {
      if (json) {
        List<Object> rows = new ArrayList<>();
        for (Outcome o : outcomes) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("subject", o.subject());
          m.put("action", o.action());
          m.put("status", o.status());
          m.put("detail", o.detail());
          m.put("snapshot", o.snapshot());
          m.put("exit", o.failed() ? ExitCodes.of(o.failure()) : 0);
          rows.add(m);
        }
        out.println(Json.write(rows));
        return;
      }
      for (Outcome o : outcomes) {
        out.println(o.subject() + "\t" + o.action() + "\t" + o.status() + "\t" + o.detail());
        if (o.failed()) {
          ctx.err().println("stasis: " + o.subject() + ": " + o.detail());
        }
      }
    }

    /** 0 when nothing failed; a failure's own code when everything failed alike; else 6 (partly done) or 1. */
    private static int exitCode(List<Outcome> outcomes) {
      List<Integer> codes = outcomes.stream().filter(Outcome::failed).map(o -> ExitCodes.of(o.failure())).distinct()
          .toList();
      if (codes.isEmpty()) {
        return ExitCodes.OK;
      }
      if (outcomes.stream().anyMatch(o -> !o.failed() && o.status().equals("done"))) {
        return ExitCodes.PARTLY;
      }
      return codes.size() == 1 ? codes.get(0) : ExitCodes.FAILURE;
    }
  }

  /** Options naming the deployment file and its services. */
  abstract static class OfOneDeployment extends Work {
    @Option(names = {"-f", "--deployment"}, paramLabel = "FILE", required = true,
        description = "The deployment: a TOML file or a Disnix manifest.")
    String file;

    @Option(names = "--service", paramLabel = "NAME", description = "Only this service (repeatable).")
    List<String> services = new ArrayList<>();

    OfOneDeployment(Context ctx) {
      super(ctx);
    }

    @Override
    Manifest manifest() throws Exception {
      return Manifest.read(ctx.path(file));
    }
  }

  @Command(name = "snapshot", mixinStandardHelpOptions = true,
      description = "Snapshots every stateful service (or --service) on its target and copies each snapshot to the"
          + " coordinator's store, sent only if it lacks it (disnix-snapshot).")
  static final class Snapshot extends OfOneDeployment {
    Snapshot(Context ctx) {
      super(ctx);
    }

    @Override
    List<Outcome> work(Coordinator c, Manifest m) {
      return c.snapshot(m.select(services));
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Restores the coordinator's newest snapshot of each service placed anew since the previous"
          + " deployment (--old, else the last one a migrate completed), or of all with --no-upgrade, onto its"
          + " target; sent there first if it lacks it (disnix-restore).")
  static final class Restore extends OfOneDeployment {
    @Option(names = "--no-upgrade", description = "Restore every service, not only those placed anew.")
    boolean noUpgrade;

    @Option(names = "--old", paramLabel = "FILE", description = "The previous deployment.")
    String old;

    Restore(Context ctx) {
      super(ctx);
    }

    @Override
    List<Outcome> work(Coordinator c, Manifest m) throws Exception {
      Optional<List<Service>> previous = old == null ? Optional.empty()
          : Optional.of(List.copyOf(Manifest.read(ctx.path(old)).services().values()));
      return c.restore(m.select(services), previous, noUpgrade);
    }
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = {"Moves the state of every service whose target, container or component changed from the --from"
          + " deployment to the --to one: locks it on the old target, snapshots it, sends it through the coordinator"
          + " to the new target, restores it there, unlocks the old one. On a failure nothing is deleted and the"
          + " old service is unlocked; a rerun goes on where it stopped.",
          "  stasis deploy migrate --from old.toml --to new.toml --dry-run"})
  static final class Migrate extends Work {
    @Option(names = "--from", paramLabel = "FILE", required = true, description = "The deployment now.")
    String from;

    @Option(names = "--to", paramLabel = "FILE", required = true, description = "The deployment to move to.")
    String to;

    @Option(names = "--delete-state", description = "Once every moved service is restored, deactivate it and"
        + " delete its old state (the module's collect-garbage).")
    boolean deleteState;

    @Option(names = "--depth-first", description = "Move one service completely before the next (each locked only"
        + " for its own move), instead of each step for all services.")
    boolean depthFirst;

    @Option(names = "--dry-run", description = "Print what would be done; change nothing.")
    boolean dryRun;

    Migrate(Context ctx) {
      super(ctx);
    }

    @Override
    Manifest manifest() throws Exception {
      return Manifest.read(ctx.path(to));
    }

    @Override
    List<Outcome> work(Coordinator c, Manifest m) throws Exception {
      return c.migrate(Manifest.read(ctx.path(from)), deleteState, depthFirst, dryRun);
    }
  }

  @Command(name = "clean-snapshots", mixinStandardHelpOptions = true,
      description = "Keeps the newest N generations of every component (or of --service's) on every target and on"
          + " the coordinator (disnix-clean-snapshots).")
  static final class Clean extends OfOneDeployment {
    @Option(names = "--keep", paramLabel = "N", defaultValue = "1",
        description = "Generations to keep per component (0 deletes all). Default: ${DEFAULT-VALUE}.")
    int keep;

    Clean(Context ctx) {
      super(ctx);
    }

    @Override
    List<Outcome> work(Coordinator c, Manifest m) {
      if (keep < 0) {
        throw new UsageException("--keep must be 0 or more, got %d", keep);
      }
      return c.clean(keep, services.isEmpty() ? List.of() : m.select(services));
    }
  }

  /** What a coordinator runs on a target over ssh: requests on stdin, answers on stdout. */
  @Command(name = "agent", hidden = true,
      description = "Serves a coordinator's requests on stdin and stdout, on --store (what ssh runs on a target).")
  static final class AgentCommand implements Callable<Integer> {
    private final Context ctx;

    @ParentCommand
    DeployCommand deploy;

    AgentCommand(Context ctx) {
      this.ctx = ctx;
    }

    @Override
    public Integer call() throws Exception {
      StoreOptions options = deploy.stasis.store;
      Host base = options.host(ctx, "stasis");
      Path dir = base.stateDir();
      Map<String, String> env = new java.util.HashMap<>(base.env());
      env.put("DYSNOMIA_STATEDIR", dir.toString());
      // stdout carries the protocol: what modules print goes to stderr
      Host host = new Host(ctx.err(), ctx.err(), env, base.cwd(), dir, "stasis", base.verbose());
      try (Agent agent = new Agent("agent", host, options.openForWriting(ctx))) {
        new AgentServer(agent, ctx.in(), ctx.out(), ctx.err()).serve();
      }
      return ExitCodes.OK;
    }
  }
}
