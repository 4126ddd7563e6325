package dev.stasis.cli;

import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stasis dump PATH}: a snapshot's logical bytes on stdout, verified at the end. */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = {"Writes a snapshot's logical (uncompressed) bytes to stdout; 'stasis dump C/c/ID | sha256sum'"
        + " prints ID. Verified as it streams: exit 3 at the end means the bytes must not be trusted.",
        "  stasis dump pgc/testdb/5d78…   a snapshot",
        "  stasis dump pgc/testdb         the newest generation's snapshot"})
final class DumpCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Parameters(paramLabel = "PATH", description = "container/component/name, or container/component for the newest.")
  String path;

  DumpCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    SnapshotPath which = SnapshotPath.parse(path);
    try (Store s = stasis.store.open(ctx)) {
      SnapshotRef ref = which.in(s);
      try (SnapshotReader reader = s.read(ref)) {
        reader.logical().transferTo(ctx.out());
        ctx.out().flush();
      }
    }
    return ExitCodes.OK;
  }
}
