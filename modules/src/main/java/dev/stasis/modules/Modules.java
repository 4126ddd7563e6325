package dev.stasis.modules;

import dev.stasis.modules.directory.DirectoryModule;
import dev.stasis.modules.echo.EchoModule;
import dev.stasis.modules.external.ExternalModule;
import dev.stasis.modules.mysql.MysqlModule;
import dev.stasis.modules.postgresql.PostgresqlModule;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.streaming.StreamingModule;
import dev.stasis.modules.subversion.SubversionModule;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Finds the module of a container type: built in first, then a Dysnomia module on
 * {@code $DYSNOMIA_MODULES_PATH} (run unchanged), then a streaming module on
 * {@code $STASIS_MODULES_PATH}. A type given as a path ({@code /…} or {@code ./…}) is a
 * Dysnomia module file, or a package whose {@code libexec/dysnomia/} holds one.
 */
public final class Modules {
  /** The built-in types, in the order an error lists them. */
  static final List<String> BUILT_IN = List.of(DirectoryModule.TYPE, EchoModule.TYPE, PostgresqlModule.TYPE,
      MysqlModule.TYPE, SubversionModule.TYPE);

  /** A module stasis drives, or a Dysnomia module that drives itself. */
  public sealed interface Found permits Driven, External {}

  /** A module stasis drives: the store's side is stasis's. */
  public record Driven(Module module) implements Found {}

  /** A Dysnomia module, run unchanged: it manages the store itself. */
  public record External(ExternalModule module) implements Found {}

  private Modules() {}

  /**
   * The module of {@code type}.
   *
   * @throws NotFoundException naming every directory searched, when there is none
   */
  public static Found find(String type, Host host) throws IOException {
    Lookup lookup = new Lookup(host);
    if (Lookup.isPath(type)) {
      return new External(new ExternalModule(modulePath(host.path(type), type)));
    }
    Path swapLocks = restoreLocks(host);
    switch (type) {
      case DirectoryModule.TYPE:
        return new Driven(new DirectoryModule(Optional.empty(), swapLocks));
      case EchoModule.TYPE:
        return new Driven(new EchoModule());
      case PostgresqlModule.TYPE:
        return new Driven(new PostgresqlModule());
      case MysqlModule.TYPE:
        return new Driven(new MysqlModule());
      case SubversionModule.TYPE:
        return new Driven(new SubversionModule(swapLocks));
      default:
        break;
    }
    Optional<Path> dysnomia = lookup.executable("DYSNOMIA_MODULES_PATH", type);
    if (dysnomia.isPresent()) {
      return new External(new ExternalModule(dysnomia.get()));
    }
    Optional<Path> streaming = lookup.executable("STASIS_MODULES_PATH", type);
    if (streaming.isPresent()) {
      return new Driven(new StreamingModule(streaming.get(), type));
    }
    throw new NotFoundException("Module: %s cannot be found! It is not built in (%s) and no executable %s is in"
        + " $DYSNOMIA_MODULES_PATH (%s) or $STASIS_MODULES_PATH (%s)", type, String.join(", ", BUILT_IN), type,
        Lookup.join(lookup.dirs("DYSNOMIA_MODULES_PATH", null)), Lookup.join(lookup.dirs("STASIS_MODULES_PATH", null)));
  }

  /** The {@code directory} module for one directory given by path, as {@code stasis snapshot DIR} takes it. */
  public static Module directory(Path dir, Host host) {
    return new DirectoryModule(Optional.of(dir), restoreLocks(host));
  }

  /** Where restores beside and swaps of directories take their locks: in the store's local directory. */
  private static Path restoreLocks(Host host) {
    return host.stateDir().resolve(StoreLayout.RESTORE_LOCKS.path());
  }

  private static Path modulePath(Path p, String type) throws IOException {
    if (Files.isRegularFile(p)) {
      return p;
    }
    Path libexec = p.resolve("libexec").resolve("dysnomia");
    if (Files.isDirectory(libexec)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(libexec)) {
        for (Path f : s) {
          return f;
        }
      }
    }
    throw new NotFoundException("Module: %s cannot be found!", type);
  }
}
