package dev.stasis.cli;

import dev.stasis.modules.Deployed;
import dev.stasis.modules.Deployment;
import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code stasis restore}: puts a snapshot back, verified, without ever losing the live copy. */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Restores a directory, or a component through its container's module, from its newest"
        + " generation (or the one asked for). The snapshot is verified and restored beside the live state,"
        + " then swapped in; if anything fails, the live state is untouched.",
        "  stasis restore /srv/www",
        "  stasis restore /srv/www --generation 3",
        "  stasis restore -C /etc/dysnomia/containers/www -c /srv/components/site --generation 2"})
final class RestoreCommand implements Callable<Integer> {
  private final Context ctx;

  /** Where {@code --store} and the other options common to every command are, before or after the command name. */
  @ParentCommand
  StasisCommand stasis;

  @Mixin
  ComponentOptions names;

  @Parameters(arity = "0..1", paramLabel = "DIR", description = "A directory to restore; it need not exist.")
  String dir;

  @ArgGroup(exclusive = true)
  Which which;

  @Option(names = "--as", paramLabel = "NAME",
      description = "Restore into the state named NAME (another database, repository or directory name)"
          + " instead of the component's own; with -C and -c.")
  String as;

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
    Host host = stasis.store.host(ctx, "stasis");
    Deployed d;
    if (dir != null) {
      if (as != null) {
        throw new UsageException("--as goes with -C and -c; to restore a directory elsewhere, name that directory");
      }
      Path path = ctx.path(dir);
      d = Deployed.directory(host, path, names.ref(ctx, "directory", DysnomiaNames.nameOf(path.toString(), ctx.env())));
    } else if (names.container != null) {
      d = Deployed.resolve(host, names.container, names.component);
    } else {
      throw new UsageException("give a DIR, or a container file and component with -C and -c");
    }
    Module module = d.driven("stasis restore");
    Target target = as == null ? d.target() : d.target().as(as);
    try (Store s = stasis.store.open(ctx)) {
      Optional<SnapshotRef> snapshot = choose(s, target.ref());
      if (snapshot.isEmpty()) {
        throw new NotFoundException("%s has no generation to restore (see stasis list)", target.ref());
      }
      new Deployment(host, s).restore(module, target, snapshot);
    }
    return ExitCodes.OK;
  }

  private Optional<SnapshotRef> choose(Store s, ComponentRef ref) throws java.io.IOException {
    if (which != null && which.snapshot != null) {
      return Optional.of(SnapshotRef.parse(which.snapshot));
    }
    if (which != null && which.generation != null) {
      return Optional.of(s.generation(ref, which.generation).snapshotRef());
    }
    return s.latest(ref).map(g -> g.snapshotRef());
  }
}
