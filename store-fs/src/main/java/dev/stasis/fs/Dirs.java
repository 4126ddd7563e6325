package dev.stasis.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
   * Deletes many paths as {@link #deleteAndPrune} does one, but prunes each parent once, after
   * all the deletions (deepest first), and fsyncs each changed directory once at the end: a gc
   * of thousands of snapshots costs a system call or two a path, not a failed removal of their
   * shared parent each.
   */
  static void deleteAllAndPrune(List<Path> paths, Path stop) throws IOException {
    Set<Path> parents = new LinkedHashSet<>();
    for (List<Path> deleted : inParallel(paths, Dirs::deleteAll)) {
      deleted.forEach(p -> parents.add(p.getParent()));
    }
    // prune a level at a time, deepest first: a directory is tried once all below it were
    Set<Path> changed = new LinkedHashSet<>();
    TreeMap<Integer, Set<Path>> levels = new TreeMap<>(Comparator.reverseOrder());
    parents.forEach(dir -> levels.computeIfAbsent(dir.getNameCount(), n -> new LinkedHashSet<>()).add(dir));
    while (!levels.isEmpty()) {
      List<Path> level = new ArrayList<>(levels.pollFirstEntry().getValue());
      List<Path> prunable = new ArrayList<>();
      for (Path dir : level) {
        (dir.equals(stop) || !dir.startsWith(stop) ? changed : prunable).add(dir);
      }
      Set<Path> removed = new HashSet<>();
      inParallel(prunable, Dirs::removeAllEmpty).forEach(removed::addAll);
      for (Path dir : prunable) {
        if (!removed.contains(dir)) {
          changed.add(dir);
        } else if (dir.getParent() != null) {
          levels.computeIfAbsent(dir.getNameCount() - 1, n -> new LinkedHashSet<>()).add(dir.getParent());
        }
      }
    }
    for (Path dir : changed) {
      if (Files.isDirectory(dir)) {
        fsync(dir);
      }
    }
  }

  /** Work on one slice of a batch. */
  private interface Slice<R> {
    R apply(List<Path> slice) throws IOException;
  }

  /**
   * Applies {@code work} to {@code paths}: to all of it when there are few, else to
   * {@link #DELETERS} contiguous slices at once. A filesystem removes entries far faster with
   * several removals in flight (each waits on the disk and the journal), as a parallel
   * {@code rm} does. Returns only when every slice is done, so a caller's order between two
   * calls (links before snapshots, files before checksums) holds; then throws the first failure.
   */
  private static <R> List<R> inParallel(List<Path> paths, Slice<R> work) throws IOException {
    if (paths.size() < PARALLEL_FROM) {
      return List.of(work.apply(paths));
    }
    ExecutorService pool = Executors.newFixedThreadPool(DELETERS, r -> {
      Thread t = new Thread(r, "stasis-delete");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<R>> slices = new ArrayList<>();
      for (int i = 0; i < DELETERS; i++) {
        List<Path> slice = paths.subList(i * paths.size() / DELETERS, (i + 1) * paths.size() / DELETERS);
        slices.add(pool.submit(() -> work.apply(slice)));
      }
      List<R> results = new ArrayList<>();
      IOException failed = null;
      for (Future<R> slice : slices) {
        try {
          results.add(slice.get());
        } catch (ExecutionException e) {
          if (failed == null) {
            failed = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
          }
        }
      }
      if (failed != null) {
        throw failed;
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while deleting");
    } finally {
      pool.shutdown();
    }
  }

  /** Deletes each path; returns those it deleted (not those already gone). */
  private static List<Path> deleteAll(List<Path> paths) throws IOException {
    List<Path> deleted = new ArrayList<>();
    for (Path path : paths) {
      if (delete(path)) {
        deleted.add(path);
      }
    }
    return deleted;
  }

  /** Removes each directory that is empty; returns those it removed. */
  private static List<Path> removeAllEmpty(List<Path> dirs) throws IOException {
    List<Path> removed = new ArrayList<>();
    for (Path dir : dirs) {
      if (removeIfEmpty(dir)) {
        removed.add(dir);
      }
    }
    return removed;
  }

  /** Removals in flight at once for a large batch, and the batch size from which they run in parallel. */
  private static final int DELETERS = 8;
  private static final int PARALLEL_FROM = 256;

  /**
   * Deletes a file, link or empty directory; false when it was not there. One system call on the
   * default filesystem (no stat first, no exception for a path already gone).
   */
  private static boolean delete(Path path) throws IOException {
    if (path.getFileSystem() == FileSystems.getDefault() && path.toFile().delete()) {
      return true;
    }
    return Files.deleteIfExists(path);  // gone, or refused: this says which
  }

  /** Removes {@code dir} if it is empty; false when it holds something (or is gone). */
  private static boolean removeIfEmpty(Path dir) throws IOException {
    if (dir.getFileSystem() == FileSystems.getDefault()) {
      return dir.toFile().delete();
    }
    try {
      Files.delete(dir);
      return true;
    } catch (DirectoryNotEmptyException | NoSuchFileException e) {
      return false;
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
