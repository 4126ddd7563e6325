package dev.stasis.cli;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Store;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stasis snapshot}: one new snapshot from a directory, stdin or a command's output. */
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

  @Mixin
  StoreOptions store;

  @Mixin
  ComponentOptions names;

  @Parameters(arity = "0..1", paramLabel = "DIR",
      description = "A directory to snapshot as a deterministic tar (container 'directory', component its name).")
  String dir;

  @Option(names = "--stdin", description = "Snapshot what arrives on stdin.")
  boolean stdin;

  @Option(names = "--from-command", paramLabel = "CMD",
      description = "Snapshot the stdout of CMD (run by /bin/sh -c); stored only if it exits 0.")
  String command;

  @Option(names = "--name", paramLabel = "FILE", defaultValue = "dump",
      description = "File name of a --stdin or --from-command dump, before compression. Default: ${DEFAULT-VALUE}.")
  String name;

  @Option(names = "--compression", paramLabel = "zstd|xz|none",
      description = "Default: the container's compression= property, else zstd. xz with Dysnomia's file names"
          + " is what the real Dysnomia can restore.")
  String compression;

  @Option(names = "--progress", description = "Show bytes and rate on stderr (default when stderr is a terminal).")
  boolean progress;

  @Option(names = "--json", description = "Print the result as JSON.")
  boolean json;

  @Option(names = "--globals", description = "With -C (a postgresql-database container) alone: snapshot the"
      + " server's roles and their settings (pg_dumpall --globals-only) as the component @globals.")
  boolean globals;

  SnapshotCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    int sources = (dir != null ? 1 : 0) + (stdin ? 1 : 0) + (command != null ? 1 : 0);
    if (sources > 1 || sources == 0 && names.container == null) {
      throw new UsageException("give exactly one of DIR, --stdin, --from-command, or a container file with -C and -c");
    }
    if (globals && (sources > 0 || names.container == null || names.component != null)) {
      throw new UsageException("--globals goes with -C alone: the component is the server's %s",
          PostgresqlGlobals.COMPONENT);
    }
    boolean showProgress = progress || ctx.stderrIsTerminal();
    Path root = store.root(ctx);
    IngestResult result;
    try (Store s = store.open(ctx)) {
      Deployment deployment = new Deployment(ctx, s, root);
      if (dir != null) {
        Path path = ctx.path(dir);
        ComponentRef ref = names.ref(ctx, DirectoryModule.TYPE, DysnomiaNames.nameOf(path.toString(), ctx.env()));
        Module module = new DirectoryModule(Optional.of(path), root.resolve(".stasis").resolve("restore"));
        result = deployment.snapshot(module, new Target(ref, path, Map.of(), ctx), compression(), showProgress);
      } else if (sources == 0) {
        Context c = store.context(ctx);
        Deployed d = globals ? PostgresqlGlobals.deployed(c, names.container)
            : Deployed.resolve(c, names.container, names.component, root);
        result = deployment.snapshot(d.driven("stasis snapshot"), d.target(),
            d.compression(compression, Compression.ZSTD), showProgress);
      } else if (stdin) {
        result = ingest(s, names.ref(ctx, null, null), "stdin", out -> Streams.copy(ctx.in(), out));
      } else {
        ComponentRef ref = names.ref(ctx, null, null);
        try (ChildProcess p = ChildProcess.dumper(List.of("/bin/sh", "-c", command), null, ctx.cwd(), ctx.err(),
            "command '" + command + "'")) {
          result = ingest(s, ref, command, out -> {
            p.dumpTo(out);
          });
        }
      }
    }
    report(result);
    return ExitCodes.OK;
  }

  private Compression compression() {
    return compression == null ? Compression.ZSTD : Compression.parse(compression);
  }

  private interface Writer {
    void write(java.io.OutputStream out) throws Exception;
  }

  private IngestResult ingest(Store s, ComponentRef ref, String source, Writer writer) throws Exception {
    try (Ingest ingest = s.ingest(ref, name, compression(), source, Map.of())) {
      if (store.verbose) {
        ctx.err().println("stasis: staging " + ingest.describeStaging());
      }
      Progress progress = new Progress(ingest.output(), ctx.err(), this.progress || ctx.stderrIsTerminal());
      writer.write(progress);
      progress.flush();
      progress.finish();
      return ingest.commit();
    }
  }

  private void report(IngestResult r) {
    String gen = "generation " + r.generation().number() + " of " + r.generation().component();
    if (!r.newGeneration()) {
      ctx.err().println("stasis: unchanged: " + gen + " already holds this state");
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
