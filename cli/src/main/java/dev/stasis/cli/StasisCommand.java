package dev.stasis.cli;

import dev.stasis.modules.spi.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code stasis}: snapshots of service state in a Dysnomia-compatible store.
 *
 * <pre>
 * stasis snapshot /srv/www          # a directory, as a deterministic tar
 * stasis list
 * stasis restore /srv/www
 * </pre>
 */
@Command(name = "stasis", mixinStandardHelpOptions = true, version = "stasis " + StasisCommand.VERSION,
    description = "Snapshots of service state: content-addressed, verified, kept as numbered generations"
        + " in a Dysnomia-compatible store.",
    subcommands = {SnapshotCommand.class, RestoreCommand.class, ListCommand.class, GcCommand.class,
        CheckCommand.class, ImportCommand.class, DumpCommand.class, ExportCommand.class, MirrorCommand.class,
        DeployCommand.class})
public final class StasisCommand implements Runnable {
  static final String VERSION = "0.1.0";

  @Spec
  CommandSpec spec;

  /** The options of every subcommand, given before or after its name. */
  @Mixin
  StoreOptions store;

  public static void main(String[] args) {
    System.exit(Cli.run(new StasisCommand(), Context.system(), args));
  }

  @Override
  public void run() {
    throw new UsageException("which command? snapshot, restore, list, gc, check, import, dump, export-dysnomia, mirror or deploy (see --help)");
  }
}
