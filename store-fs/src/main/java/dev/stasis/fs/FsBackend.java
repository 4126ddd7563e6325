package dev.stasis.fs;

import dev.stasis.store.Backend;
import dev.stasis.store.GenerationLinks;
import dev.stasis.store.Key;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.ObjectInfo;
import dev.stasis.store.ObjectWriter;
import dev.stasis.store.StoreLayout;
import dev.stasis.store.SupportsEmptyDirectories;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A {@link Backend} on a local filesystem (or jimfs), in Dysnomia's layout: a key is a path
 * under the root, generation links are symlinks, staging is {@code .stasis/tmp/} on the same
 * filesystem so publishing is a rename.
 *
 * <pre>{@code
 * Backend backend = FsBackend.open(Path.of("/var/state/dysnomia"));
 * }</pre>
 */
public final class FsBackend implements Backend, SupportsEmptyDirectories {
  private final Path root;
  private final Path tmp;
  private final FsGenerations generations;
  private final int swept;

  private FsBackend(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve(StoreLayout.TMP.path());
    this.generations = new FsGenerations(this.root);
    this.swept = Staging.sweep(tmp);
  }

  /**
   * Opens the store at {@code root}, creating nothing until something is written, and removes
   * staging files left by killed writers.
   */
  public static FsBackend open(Path root) throws IOException {
    return new FsBackend(root);
  }

  public Path root() {
    return root;
  }

  /** How many leftover staging entries opening the store removed. */
  public int sweptStaging() {
    return swept;
  }

  Path tmp() {
    return tmp;
  }

  Path path(Key key) {
    return key.path().isEmpty() ? root : root.resolve(key.path());
  }

  @Override
  public Optional<ObjectInfo> stat(Key key) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(path(key), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isRegularFile() ? Optional.of(new ObjectInfo(key, a.size())) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public InputStream open(Key key) throws IOException {
    try {
      return Files.newInputStream(path(key));
    } catch (NoSuchFileException e) {
      throw new NotFoundException("no object %s in %s", key, root);
    }
  }

  @Override
  public ObjectWriter create() throws IOException {
    return FsWriter.create(this);
  }

  @Override
  public void delete(Key key) throws IOException {
    if (key.segments().size() < 2) {
      throw new IllegalArgumentException("not an object key: " + key);
    }
    Dirs.deleteAndPrune(path(key), root.resolve(key.segments().get(0)));
  }

  @Override
  public void deleteAll(List<Key> keys) throws IOException {
    Map<String, List<Path>> byArea = new LinkedHashMap<>();
    for (Key key : keys) {
      if (key.segments().size() < 2) {
        throw new IllegalArgumentException("not an object key: " + key);
      }
      byArea.computeIfAbsent(key.segments().get(0), a -> new ArrayList<>()).add(path(key));
    }
    for (Map.Entry<String, List<Path>> area : byArea.entrySet()) {
      Dirs.deleteAllAndPrune(area.getValue(), root.resolve(area.getKey()));
    }
  }

  @Override
  public void list(Key prefix, Consumer<ObjectInfo> sink) throws IOException {
    Path start = path(prefix);
    if (!Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // walkFileTree visits entries in directory order, as find does: Dysnomia's checksum follows it.
    Files.walkFileTree(start, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        return dir.equals(tmp) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          sink.accept(new ObjectInfo(new Key(root.relativize(file).toString()), attrs.size()));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;  // deleted while we walked
        }
        throw e;
      }
    });
  }

  @Override
  public void emptyDirectories(Key prefix, int depth, Consumer<Key> sink) throws IOException {
    emptyBelow(path(prefix), depth, sink);
  }

  private void emptyBelow(Path dir, int depth, Consumer<Key> sink) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return;  // absent, or removed while we looked
    }
    for (Path child : children) {
      if (!Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) || child.equals(tmp)) {
        continue;
      }
      if (depth > 1) {
        emptyBelow(child, depth - 1, sink);
      } else if (holdsNoFile(child)) {
        sink.accept(new Key(root.relativize(child).toString()));
      }
    }
  }

  @Override
  public void deleteEmptyDirectories(List<Key> dirs) throws IOException {
    Map<String, List<Path>> byArea = new LinkedHashMap<>();
    for (Key key : dirs) {
      Path dir = path(key);
      if (key.segments().size() < 2 || !holdsNoFile(dir)) {
        continue;  // something arrived meanwhile: not debris
      }
      List<Path> inside;
      try (Stream<Path> walk = Files.walk(dir)) {
        inside = walk.filter(p -> !p.equals(dir)).sorted(Comparator.reverseOrder()).toList();
      }
      for (Path p : inside) {
        Files.deleteIfExists(p);  // deepest first; a crash leaves fewer of them for the next gc
      }
      byArea.computeIfAbsent(key.segments().get(0), a -> new ArrayList<>()).add(dir);
    }
    for (Map.Entry<String, List<Path>> area : byArea.entrySet()) {
      Dirs.deleteAllAndPrune(area.getValue(), root.resolve(area.getKey()));
    }
  }

  /** Whether {@code dir} holds nothing but directories, at any depth (false when it is gone). */
  private static boolean holdsNoFile(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.allMatch(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException | UncheckedIOException e) {
      return false;
    }
  }

  @Override
  public GenerationLinks generations() {
    return generations;
  }

  @Override
  public String location(Key key) {
    return path(key).toString();
  }

  @Override
  public void close() {
    // nothing held: writers and locks have their own lifetimes
  }
}
