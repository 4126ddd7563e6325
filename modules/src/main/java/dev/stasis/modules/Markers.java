package dev.stasis.modules;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.store.ComponentRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Dysnomia's deployment markers in the store: {@code activated/<c>/<comp>} while a component is
 * deployed, moved to {@code garbage/<c>/<comp>} by deactivate, removed when its state is collected.
 */
final class Markers {
  private final Path root;

  Markers(Path root) {
    this.root = root;
  }

  Path activated(ComponentRef ref) {
    return root.resolve("activated").resolve(ref.container()).resolve(ref.component());
  }

  Path garbage(ComponentRef ref) {
    return root.resolve("garbage").resolve(ref.container()).resolve(ref.component());
  }

  /** Marks a component active, taking back a garbage mark. */
  void markActive(ComponentRef ref) throws IOException {
    Path active = activated(ref);
    Files.createDirectories(active.getParent());
    if (Files.exists(garbage(ref))) {
      Files.move(garbage(ref), active, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      DurableFiles.fsync(garbage(ref).getParent());
    } else if (!Files.exists(active)) {
      Files.createFile(active);
    }
    DurableFiles.fsync(active.getParent());
  }

  /** Marks a component garbage: its state may now be collected. */
  void markGarbage(ComponentRef ref) throws IOException {
    Path garbage = garbage(ref);
    if (Files.exists(garbage)) {
      return;
    }
    Files.createDirectories(garbage.getParent());
    if (Files.exists(activated(ref))) {
      Files.move(activated(ref), garbage, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsync(activated(ref).getParent());
    } else {
      try (FileChannel c = FileChannel.open(garbage, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }
    DurableFiles.fsync(garbage.getParent());
  }

  boolean isGarbage(ComponentRef ref) {
    return Files.isRegularFile(garbage(ref));
  }

  /** Forgets a collected component. */
  void unmarkGarbage(ComponentRef ref) throws IOException {
    Files.deleteIfExists(garbage(ref));
  }
}
