package dev.stasis.cli;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.Compression;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code stasis export-dysnomia PATH}: a plain, one-file copy of a snapshot (a chunked one,
 * typically), for the real Dysnomia or any tool that reads Dysnomia's layout.
 */
@Command(name = "export-dysnomia", mixinStandardHelpOptions = true,
    description = {"Stores a snapshot again as one compressed file in Dysnomia's layout, read and verified chunk by"
        + " chunk on its way. Into the same store (xz only), the copy is stored under the name Dysnomia gives its own"
        + " snapshots (the SHA-256 of the xz file) and becomes the component's newest generation, which the real"
        + " Dysnomia restores; with --to, into another store under the snapshot's own name.",
        "  stasis export-dysnomia pgc/testdb                 the newest generation, as dump.pgsql.xz",
        "  stasis export-dysnomia pgc/testdb/5d78… --to /var/state/plain --compression zstd"})
final class ExportCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Parameters(paramLabel = "PATH", description = "container/component/name, or container/component for the newest.")
  String path;

  @Option(names = "--compression", paramLabel = "xz|zstd", defaultValue = "xz",
      description = "Of the copy. Default: ${DEFAULT-VALUE} (what the real Dysnomia restores).")
  String compression;

  @Option(names = "--to", paramLabel = "STORE", description = "Another store to put the copy in. Default: this one.")
  String to;

  ExportCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    SnapshotPath which = SnapshotPath.parse(path);
    Compression form = Compression.parse(compression);
    if (form != Compression.XZ && form != Compression.ZSTD) {
      throw new UsageException("export-dysnomia makes xz or zstd copies, not %s", form.word());
    }
    if (form != Compression.XZ && to == null) {
      throw new UsageException("a %s copy in the same store would be the snapshot itself again (it has the same"
          + " name); give --to another store, or export xz", form.word());
    }
    try (Store s = stasis.store.open(ctx); Store target = to == null ? null : stasis.store.open(ctx, to)) {
      SnapshotRef ref = which.in(s);
      Store into = target == null ? s : target;
      IngestResult result;
      try (SnapshotReader reader = s.read(ref);
          Ingest ingest = into.ingest(ref.component(), reader.compression().logicalName(reader.file()), form,
              "export of " + ref, Map.of())) {
        ingest.transferFrom(reader.logical());  // throws at the end unless every byte verified
        if (!reader.verified()) {
          throw new IllegalStateException("snapshot " + ref + " was not read to its end");
        }
        result = ingest.commit();
      }
      ctx.out().println(into.location(result.snapshot()));
      ctx.err().println("stasis: exported " + ref + " as " + result.snapshot() + ", generation "
          + result.generation().number() + (result.newGeneration() ? " (new)" : " (already the newest)"));
    }
    return ExitCodes.OK;
  }
}
