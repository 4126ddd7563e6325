package dev.stasis.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Durable directory operations: what a crash must not undo is fsynced, directories included.
 * Directories are made {@code rwxr-xr-x} and files {@code rw-r--r--} whatever the umask, as
 * Dysnomia's own stores are: the real Dysnomia's modules read snapshots as the service's user
 * ({@code postgres}), so the store's root is where access is restricted, not its insides.
 */
final class Dirs {
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");

  private Dirs() {}

  /** Gives {@code path} the mode {@code mode} where the filesystem has POSIX modes. */
  static void chmod(Path path, Set<PosixFilePermission> mode) throws IOException {
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(path, mode);
    }
  }

  /** Creates one directory, {@code rwxr-xr-x}. */
  static void createOne(Path dir) throws IOException {
    Files.createDirectory(dir);
    chmod(dir, DIRECTORY);
  }

  /**
   * Fsyncs a directory, so a rename or creation inside it survives a crash. A no-op on
   * filesystems other than the default one (jimfs cannot fsync directories).
   */
  static void fsync(Path dir) throws IOException {
    if (dir.getFileSystem() != FileSystems.getDefault()) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Creates {@code dir} and any missing parents, fsyncing the parent of each one created. */
  static void create(Path dir) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    while (!missing.isEmpty()) {
      Path p = missing.pop();
      try {
        createOne(p);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw e;
        }
        continue;  // made by someone else meanwhile
      }
      fsync(p.getParent());
    }
  }

  /**
   * Deletes {@code path} if present, then each parent that became empty, up to but not
   * including {@code stop}; fsyncs every directory it changed.
   */
  static void deleteAndPrune(Path path, Path stop) throws IOException {
    Path changed = deletePruning(path, stop);
    if (changed != null) {
      fsync(changed);
    }
  }

  /**
   * Deletes many paths as {@link #deleteAndPrune} does one, fsyncing each changed directory
   * once, after all the deletions.
   */
  static void deleteAllAndPrune(List<Path> paths, Path stop) throws IOException {
    Set<Path> changed = new LinkedHashSet<>();
    for (Path path : paths) {
      Path dir = deletePruning(path, stop);
      if (dir != null) {
        changed.add(dir);
      }
    }
    for (Path dir : changed) {
      if (Files.isDirectory(dir)) {
        fsync(dir);
      }
    }
  }

  /** Deletes {@code path} and the parents it left empty; returns the directory left changed, if any. */
  private static Path deletePruning(Path path, Path stop) throws IOException {
    if (!Files.deleteIfExists(path)) {
      return null;
    }
    Path dir = path.getParent();
    while (dir != null && !dir.equals(stop) && dir.startsWith(stop)) {
      try {
        Files.delete(dir);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        break;
      }
      dir = dir.getParent();
    }
    return dir != null && Files.isDirectory(dir) ? dir : null;
  }
}
