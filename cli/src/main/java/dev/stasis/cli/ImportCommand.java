package dev.stasis.cli;

import dev.stasis.modules.SnapshotImport;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Store;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stasis import}: copy snapshot directories into the store, verified, and link generations. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Imports snapshot directories (each named by its snapshot name and holding one file) as new"
        + " generations. A 64-hex name must be the SHA-256 of the file or of its content, else nothing is stored.",
        "  stasis import -C pgc -c testdb /tmp/9111c1e686d0…"})
final class ImportCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Option(names = "--move", description = "Delete each source directory once it is imported (as Dysnomia's mv).")
  boolean move;

  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Snapshot directories, imported in order.")
  List<String> dirs;

  ImportCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    ComponentRef component = names.ref(ctx, null, null);
    try (Store s = stasis.store.openForWriting(ctx)) {
      for (String dir : dirs) {
        Path path = ctx.path(dir);
        boolean copied = move && SnapshotImport.insideStore(s, path);
        IngestResult r = SnapshotImport.run(s, component, path, move);
        if (copied) {
          ctx.err().println("stasis: " + path + " is in the store itself; copied, not moved: moving it would take"
              + " it from under its own generation");
        }
        ctx.out().println(r.snapshot());
      }
    }
    return ExitCodes.OK;
  }
}
