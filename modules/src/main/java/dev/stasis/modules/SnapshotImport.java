package dev.stasis.modules;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Key;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Imports a snapshot directory (named by its snapshot name, holding one file) into a store. */
public final class SnapshotImport {
  private SnapshotImport() {}

  /**
   * Imports {@code dir} as a snapshot of {@code component}; a directory already inside the
   * store is only linked. With {@code move}, the source is deleted once the snapshot is committed,
   * unless it lies inside the store itself ({@link #insideStore}): then it is copied.
   */
  public static IngestResult run(Store store, ComponentRef component, Path dir, boolean move) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(dir + " (not a snapshot directory)");
    }
    SnapshotRef ref = component.snapshot(new SnapshotName(DysnomiaNames.baseName(dir.toString())));
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(entries::add);
    }
    if (entries.size() != 1 || !Files.isRegularFile(entries.get(0), LinkOption.NOFOLLOW_LINKS)) {
      throw new UsageException("%s holds %d entries; stasis imports snapshot directories holding exactly one"
          + " regular file", dir, entries.size());
    }
    Path file = entries.get(0);
    boolean inStore = insideStore(store, dir);
    IngestResult result = store.importSnapshot(ref, file.getFileName().toString(),
        () -> Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), dir.toString());
    if (move && !inStore) {
      DurableFiles.deleteTree(dir);
    }
    return result;
  }

  /**
   * Whether {@code dir}, by its real path, lies inside the store's directory: a snapshot of the
   * store itself, perhaps imported under another component's name. Moving it would take it from
   * under its own generations (and Dysnomia's {@code mv} would do just that), so an import with
   * move copies it instead; false for a store that is not a local directory.
   */
  public static boolean insideStore(Store store, Path dir) throws IOException {
    String root = store.backend().location(Key.ROOT);
    if (!root.startsWith("/") || !Files.exists(Path.of(root)) || !Files.exists(dir)) {
      return false;
    }
    return dir.toRealPath().startsWith(Path.of(root).toRealPath());
  }
}
