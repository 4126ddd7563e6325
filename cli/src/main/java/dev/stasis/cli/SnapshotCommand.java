package dev.stasis.cli;

import dev.stasis.modules.Deployed;
import dev.stasis.modules.Deployment;
import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Store;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stasis snapshot}: one new snapshot from a directory, stdin, a command's output or a module. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = {"Takes a snapshot and makes it the newest generation, unless the newest already holds"
        + " the same state. Prints container/component/id; id is the SHA-256 of the logical dump.",
        "  stasis snapshot /srv/www",
        "  pg_dump db | stasis snapshot --stdin -C pg -c db --name dump.pgsql",
        "  stasis snapshot --from-command 'mysqldump shop' -C mysql -c shop --name dump.sql",
        "  stasis snapshot -C /etc/dysnomia/containers/www -c /srv/components/site   (through its module)",
        "  stasis snapshot -C /etc/dysnomia/containers/postgresql --globals   (the server's roles)"})
final class SnapshotCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  /** Where the dump comes from: at most one; none means the container's module (-C and -c). */
  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Source source = new Source();

  static final class Source {
    @Parameters(arity = "1", paramLabel = "DIR",
        description = "A directory to snapshot as a deterministic tar (container 'directory', component its name).")
    String dir;

    @Option(names = "--stdin", description = "Snapshot what arrives on stdin.")
    boolean stdin;

    @Option(names = "--from-command", paramLabel = "CMD",
        description = "Snapshot the stdout of CMD (run by /bin/sh -c); stored only if it exits 0.")
    String command;

    @Option(names = "--globals", description = "With -C (a postgresql-database container) alone: snapshot the"
        + " server's roles and their settings (pg_dumpall --globals-only) as the component @globals.")
    boolean globals;
  }

  @Option(names = "--name", paramLabel = "FILE", defaultValue = "dump",
      description = "File name of a --stdin or --from-command dump, before compression. Default: ${DEFAULT-VALUE}.")
  String name;

  @Option(names = "--compression", paramLabel = "zstd|xz|none|chunked",
      description = "Default: the container's compression= property, else zstd. xz with Dysnomia's file names"
          + " is what the real Dysnomia can restore; chunked stores content-defined chunks once per store (a new"
          + " generation costs its changed chunks; see export-dysnomia).")
  String compression;

  @Option(names = "--progress", description = "Show bytes and rate on stderr (default when stderr is a terminal).")
  boolean progress;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  SnapshotCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    if (source.dir == null && !source.stdin && source.command == null && names.container == null) {
      throw new UsageException("give one of DIR, --stdin, --from-command, or a container file with -C and -c");
    }
    if (source.globals && names.component != null) {
      throw new UsageException("--globals goes with -C alone: the component is the server's roles");
    }
    if (source.stdin && ctx.in() == Context.CLOSED_STDIN) {
      throw new UsageException("--stdin: stdin is closed (file descriptor 0 is not open); give the dump on stdin,"
          + " as in: pg_dump db | stasis snapshot --stdin -C pg -c db --name dump.pgsql");
    }
    if (source.stdin || source.command != null) {
      Compression.requireLogicalName(name);  // before a command runs, not when its dump is stored
    }
    Host host = stasis.store.host(ctx, "stasis");
    Progress shown = new Progress(ctx.err(), progress || ctx.stderrIsTerminal());
    IngestResult result;
    try (Store s = stasis.store.openForWriting(ctx)) {
      Deployment deployment = new Deployment(host, s);
      if (source.dir != null) {
        Path path = ctx.path(source.dir);
        ComponentRef ref = names.ref(ctx, "directory", DysnomiaNames.nameOf(path.toString(), ctx.env()));
        result = deployment.snapshot(Deployed.directory(host, path, ref), compression, shown);
      } else if (source.stdin) {
        result = deployment.ingest(names.ref(ctx, null, null), name, compression(), "stdin",
            sink -> sink.transferFrom(ctx.in()), shown);
      } else if (source.command != null) {
        result = deployment.ingestCommand(names.ref(ctx, null, null), name, compression(), source.command, shown);
      } else {
        Deployed d = source.globals ? Deployed.serverGlobals(host, names.container)
            : Deployed.resolve(host, names.container, names.component);
        result = deployment.snapshot(d, compression, shown);
      }
    }
    shown.finish();
    report(result);
    return ExitCodes.OK;
  }

  private Compression compression() {
    return compression == null ? Compression.ZSTD : Compression.parse(compression);
  }

  private void report(IngestResult r) {
    String gen = "generation " + r.generation().number() + " of " + r.generation().component();
    if (!r.newGeneration()) {
      ctx.err().println("stasis: unchanged: " + gen + " already holds this state");
    } else if (r.xzForm()) {
      ctx.err().println("stasis: " + gen + ": the same state, stored again with xz for the real Dysnomia's restore"
          + " (named, as Dysnomia names its snapshots, by the SHA-256 of its file)");
    } else if (r.deduplicated()) {
      ctx.err().println("stasis: " + gen + ": the same state as an earlier snapshot; nothing new stored");
    } else {
      ctx.err().println("stasis: " + gen + ": new snapshot (" + Progress.size(r.logicalSize()) + ", "
          + Progress.size(r.storedSize()) + " stored)");
    }
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("snapshot", r.snapshot().toString());
      m.put("generation", r.generation().number());
      m.put("new_generation", r.newGeneration());
      m.put("deduplicated", r.deduplicated());
      m.put("logical_size", r.logicalSize());
      m.put("stored_size", r.storedSize());
      ctx.out().println(Json.write(m));
    } else {
      ctx.out().println(r.snapshot());
    }
  }
}
