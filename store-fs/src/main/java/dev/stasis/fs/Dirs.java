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
import java.util.ArrayDeque;
import java.util.Deque;

/** Durable directory operations: what a crash must not undo is fsynced, directories included. */
final class Dirs {
  private Dirs() {}

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
        Files.createDirectory(p);
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
    if (!Files.deleteIfExists(path)) {
      return;
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
    if (dir != null && Files.isDirectory(dir)) {
      fsync(dir);
    }
  }
}
