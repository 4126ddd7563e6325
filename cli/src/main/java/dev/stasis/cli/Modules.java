package dev.stasis.cli;

import dev.stasis.store.NotFoundException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the module of a container type: built in first, then a Dysnomia module on
 * {@code $DYSNOMIA_MODULES_PATH} (run unchanged), then a streaming module on
 * {@code $STASIS_MODULES_PATH}. A type given as a path ({@code /…} or {@code ./…}) is a
 * Dysnomia module file, or a package whose {@code libexec/dysnomia/} holds one.
 */
final class Modules {
  /** A module stasis drives, or a Dysnomia module that drives itself. */
  sealed interface Found permits Driven, External {}

  record Driven(Module module) implements Found {}

  record External(ExternalModule module) implements Found {}

  private Modules() {}

  static Found find(String type, Context ctx, Path swapLocks) throws IOException {
    Lookup lookup = new Lookup(ctx);
    if (Lookup.isPath(type)) {
      return new External(new ExternalModule(modulePath(ctx.path(type), type)));
    }
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
    List<Path> searched = new ArrayList<>(lookup.dirs("DYSNOMIA_MODULES_PATH", null));
    searched.addAll(lookup.dirs("STASIS_MODULES_PATH", null));
    throw new NotFoundException("Module: %s cannot be found! It is not built in (%s) and no executable %s is in"
        + " $DYSNOMIA_MODULES_PATH (%s) or $STASIS_MODULES_PATH (%s)", type,
        String.join(", ", DirectoryModule.TYPE, EchoModule.TYPE, PostgresqlModule.TYPE, MysqlModule.TYPE,
            SubversionModule.TYPE), type,
        Lookup.join(lookup.dirs("DYSNOMIA_MODULES_PATH", null)), Lookup.join(lookup.dirs("STASIS_MODULES_PATH", null)));
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
