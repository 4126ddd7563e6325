package dev.stasis.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The staging area {@code .stasis/tmp/}: each entry is a directory of a live writer, which
 * holds an OS lock on its file, or the leftover of a killed one, which nobody locks. The sweep
 * removes leftovers and leaves live entries alone.
 */
final class Staging {
  /** Staging directories of writers in this JVM: OS locks do not exclude within one process. */
  static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();

  private Staging() {}

  /** Removes every unlocked entry of {@code tmp}; returns how many. */
  static int sweep(Path tmp) throws IOException {
    if (!Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(tmp)) {
      stream.forEach(entries::add);
    }
    int removed = 0;
    for (Path entry : entries) {
      try {
        if (!ACTIVE.contains(entry) && removeIfStale(entry)) {
          removed++;
        }
      } catch (IOException e) {
        // not ours to judge (a foreign file, a permission): leave it
      }
    }
    return removed;
  }

  /**
   * Takes the lock of every file in {@code entry}; if all are free the writer is gone, and the
   * files are deleted while still locked, so a writer that races us finds its file missing.
   */
  private static boolean removeIfStale(Path entry) throws IOException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(entry)) {
        stream.forEach(files::add);
      } catch (NoSuchFileException e) {
        return false;  // published or removed meanwhile
      }
    } else {
      files.add(entry);
    }
    List<FileChannel> held = new ArrayList<>();
    try {
      for (Path file : files) {
        FileChannel channel;
        try {
          channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          return false;
        }
        held.add(channel);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;  // held by this JVM
        }
        if (lock == null) {
          return false;
        }
      }
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(entry);
      return true;
    } finally {
      for (FileChannel channel : held) {
        channel.close();
      }
    }
  }

  /** Deletes a staging directory and what it holds, ignoring what is already gone. */
  static void deleteTree(Path dir) {
    try {
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
          for (Path p : stream) {
            Files.deleteIfExists(p);
          }
        }
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover is swept by the next command; the abort itself must not fail
    }
  }
}
