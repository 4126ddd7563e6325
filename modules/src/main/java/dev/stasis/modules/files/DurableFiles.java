package dev.stasis.modules.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Files and directories made to survive a crash, and trees deleted without following links. */
public final class DurableFiles {
  private DurableFiles() {}

  /** Fsyncs a file or directory: for a directory, what was created, renamed or deleted in it. */
  public static void fsync(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Fsyncs every directory of a tree (files are the writer's business), so its names survive a crash. */
  public static void fsyncDirectories(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        dirs.add(dir);
        return FileVisitResult.CONTINUE;
      }
    });
    for (Path dir : dirs) {
      fsync(dir);
    }
  }

  /**
   * Copies the tree {@code from} into {@code to} (which must not exist): files with their
   * modes and times, fsynced; symlinks as links. Directories are the caller's to fsync
   * ({@link #fsyncDirectories}).
   */
  public static void copyTree(Path from, Path to) throws IOException {
    Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
    if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(from)) {
        for (Path child : children) {
          copyTree(child, to.resolve(child.getFileName().toString()));
        }
      }
    } else if (Files.isRegularFile(to, LinkOption.NOFOLLOW_LINKS)) {
      try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    }
  }

  /**
   * Replaces {@code file} with {@code content}, all or nothing: a temp file beside it (its name
   * begins with a dot), written and fsynced, renamed over it, then the directory fsynced, or a
   * crash could lose the rename. Readers see the old content or the new, never part of it.
   */
  public static void writeAtomically(Path file, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        for (ByteBuffer b = ByteBuffer.wrap(content); b.hasRemaining(); ) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    fsync(file.getParent());
  }

  /** Deletes {@code file} if it is there and fsyncs its directory, so the deletion survives a crash. */
  public static void deleteDurably(Path file) throws IOException {
    if (Files.deleteIfExists(file)) {
      fsync(file.getParent());
    }
  }

  /** Deletes a tree without following symlinks; nothing there is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
        stream.forEach(children::add);
      }
      for (Path child : children) {
        deleteTree(child);
      }
    }
    Files.deleteIfExists(root);
  }
}
