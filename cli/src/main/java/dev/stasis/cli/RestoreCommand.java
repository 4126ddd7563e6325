package dev.stasis.cli;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Generation;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stasis restore DIR}: puts a directory snapshot back, verified, without ever losing the live copy. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restores a directory from its newest generation (or the one asked for). The snapshot is"
        + " verified and unpacked beside DIR, then swapped in; if anything fails, DIR is untouched.",
        "  stasis restore /srv/www",
        "  stasis restore /srv/www --generation 3"})
final class RestoreCommand implements Callable<Integer> {
  private final Context ctx;

  @Mixin
  StoreOptions store;

  @Mixin
  ComponentOptions names;

  @Parameters(paramLabel = "DIR", description = "The directory to restore; it need not exist.")
  String dir;

  @ArgGroup(exclusive = true)
  Which which;

  static final class Which {
    @Option(names = "--generation", paramLabel = "N", description = "Restore generation N.")
    Long generation;

    @Option(names = "--snapshot", paramLabel = "PATH", description = "Restore container/component/name.")
    String snapshot;
  }

  RestoreCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws Exception {
    Path path = ctx.path(dir);
    ComponentRef ref = names.ref(ctx, "directory", DysnomiaNames.nameOf(path.toString(), ctx.env()));
    try (Store s = store.open(ctx)) {
      SnapshotRef snapshot = choose(s, ref);
      try (SnapshotReader reader = s.read(snapshot)) {
        if (!reader.compression().logicalName(reader.file()).endsWith(".tar")) {
          throw new NotFoundException("snapshot %s holds %s, not a directory tar", snapshot, reader.file());
        }
        new DirectorySwap(store.root(ctx).resolve(".stasis").resolve("restore")).replace(path, into -> {
          try {
            TarUnpacker.unpack(reader.logical(), into);
          } catch (IOException e) {
            // damaged bytes can break the tar before its end, where the checksum is checked: check it first
            reader.logical().transferTo(OutputStream.nullOutputStream());
            throw e;
          }
          if (!reader.verified()) {
            throw new IntegrityException("snapshot %s was not read to its end", snapshot);
          }
        });
      }
      ctx.err().println("stasis: restored " + snapshot + " into " + path);
    }
    return ExitCodes.OK;
  }

  private SnapshotRef choose(Store s, ComponentRef ref) throws java.io.IOException {
    if (which != null && which.snapshot != null) {
      return SnapshotRef.parse(which.snapshot);
    }
    if (which != null && which.generation != null) {
      return s.generation(ref, which.generation).snapshotRef();
    }
    Generation latest = s.latest(ref).orElseThrow(
        () -> new NotFoundException("%s has no generation to restore (see stasis list)", ref));
    return latest.snapshotRef();
  }
}
