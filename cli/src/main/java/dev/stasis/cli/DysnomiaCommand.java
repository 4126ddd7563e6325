package dev.stasis.cli;

import dev.stasis.modules.Deployed;
import dev.stasis.modules.Deployment;
import dev.stasis.modules.DysnomiaNames;
import dev.stasis.modules.Modules;
import dev.stasis.modules.Shell;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.Compression;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code dysnomia}: Dysnomia's deployment tool with its options, over stasis's modules and store.
 *
 * <pre>
 * dysnomia --operation activate --component /srv/components/www --container /etc/dysnomia/containers/files
 * dysnomia --operation snapshot -c www -C files
 * </pre>
 */
@Command(name = "dysnomia", version = "dysnomia (stasis " + StasisCommand.VERSION + ")",
    description = {"Modifies the state of a container in which a mutable component is hosted: activate,"
        + " deactivate, snapshot, restore, collect-garbage, lock, unlock, or a --shell.",
        "  dysnomia --operation OPERATION --component COMPONENT --container CONTAINER",
        "  dysnomia --operation OPERATION --component COMPONENT --type TYPE --environment",
        "  dysnomia --shell --component COMPONENT --container CONTAINER"})
public final class DysnomiaCommand implements Callable<Integer> {
  private final Context ctx;

  @Option(names = {"-o", "--operation"}, paramLabel = "OPERATION", description = "One of: " + Deployment.OPERATIONS + ".")
  String operation;

  @Option(names = {"-c", "--component"}, paramLabel = "COMPONENT",
      description = "Path to the component, or its name on $DYSNOMIA_COMPONENTS_PATH (as <dir>/<container>/<name>).")
  String component;

  @Option(names = {"-C", "--container"}, paramLabel = "CONTAINER",
      description = "Path to the container file, or its name on $DYSNOMIA_CONTAINERS_PATH.")
  String container;

  @Option(names = "--shell", description = "Open a shell with the container's properties in its environment.")
  boolean shell;

  @Option(names = "--command", paramLabel = "COMMAND", description = "Commands the shell runs (then it exits).")
  String command;

  @Option(names = {"-E", "--environment"}, description = "Take the container's properties from the environment.")
  boolean environment;

  @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "The module type; with --environment.")
  String type;

  @Option(names = "--generation", paramLabel = "N", description = "With restore: this generation, not the newest.")
  Long generation;

  @Mixin
  StoreOptions store;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
  boolean help;

  @Option(names = {"-v", "--version"}, versionHelp = true, description = "Show the version.")
  boolean version;

  DysnomiaCommand(Context ctx) {
    this.ctx = ctx;
  }

  public static void main(String[] args) {
    System.exit(run(Context.system(), args));
  }

  static int run(Context ctx, String... args) {
    CommandLine cl = Cli.create(new DysnomiaCommand(ctx), ctx);
    return GetoptAbbreviations.execute(cl, ctx, args);  // --oper for --operation, as getopt allows
  }

  @Override
  public Integer call() throws Exception {
    if (shell) {
      operation = "shell";
    }
    if (operation == null) {
      throw new UsageException("ERROR: No operation specified!");
    }
    if (generation != null && !operation.equals("restore")) {
      throw new UsageException("--generation goes with --operation restore");
    }
    if (store.isS3(ctx)) {
      throw new UsageException("dysnomia deploys into a local store; push it to S3 with stasis mirror");
    }
    Host c = store.host(ctx, "dysnomia");
    Deployed d;
    if (environment) {
      if (type == null) {
        throw new UsageException("--environment needs --type");
      }
      String name = DysnomiaNames.nameOf(container != null ? container : type, c.env());
      d = Deployed.of(c, type, name, new LinkedHashMap<>(c.env()), container != null ? container : type,
          component);
    } else {
      d = Deployed.resolve(c, container, component);
    }
    Target t = d.target();
    if (d.module() instanceof Modules.External external) {
      Map<String, String> properties = environment ? null : t.properties();
      if (operation.equals("shell")) {
        return Shell.open(c, external.module(), t.component(), d.containerArg(), properties, command);
      }
      return external.module().run(operation, t.component(), d.containerArg(), properties, c);
    }
    Module module = d.driven("dysnomia");
    if (operation.equals("shell")) {
      return Shell.open(c, module, t, command);
    }
    try (Store s = store.openForWriting(ctx)) {
      Optional<SnapshotRef> which = generation == null ? Optional.empty()
          : Optional.of(s.generation(t.ref(), generation).snapshotRef());
      new Deployment(c, s).run(operation, module, t, which, d.compression(null, Compression.ZSTD));
    }
    return ExitCodes.OK;
  }
}
