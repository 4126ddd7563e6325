package dev.stasis.fs;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Generation;
import dev.stasis.store.GenerationLinks;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Generations as Dysnomia keeps them: {@code generations/<c>/<comp>/<N>} is a symlink to
 * {@code ../../../snapshots/<c>/<comp>/<name>}. Creating a symlink fails if the name exists,
 * which makes generation numbers unique without a lock.
 */
final class FsGenerations implements GenerationLinks {
  private final Path root;
  private final Path base;

  FsGenerations(Path root) {
    this.root = root;
    this.base = root.resolve(StoreLayout.GENERATIONS.path());
  }

  @Override
  public void list(Scope scope, Consumer<Generation> sink) throws IOException {
    for (Path containerDir : children(base)) {
      String container = containerDir.getFileName().toString();
      if (!scope.matchesContainer(container)) {
        continue;
      }
      for (Path componentDir : children(containerDir)) {
        ComponentRef ref = component(container, componentDir.getFileName().toString());
        if (ref == null || !scope.matches(ref)) {
          continue;
        }
        for (Path link : children(componentDir)) {
          Generation g = read(ref, link);
          if (g != null) {
            sink.accept(g);
          }
        }
      }
    }
  }

  @Override
  public boolean create(Generation g) throws IOException {
    Path dir = directory(g.component());
    Dirs.create(dir);
    Path target = dir.getFileSystem().getPath("..", "..", "..", StoreLayout.SNAPSHOTS.path(),
        g.component().container(), g.component().component(), g.snapshot().value());
    try {
      Files.createSymbolicLink(dir.resolve(Long.toString(g.number())), target);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    Dirs.fsync(dir);
    return true;
  }

  @Override
  public void delete(Generation g) throws IOException {
    Dirs.deleteAndPrune(directory(g.component()).resolve(Long.toString(g.number())), base);
  }

  @Override
  public void deleteAll(List<Generation> generations) throws IOException {
    List<Path> links = new ArrayList<>();
    for (Generation g : generations) {
      links.add(directory(g.component()).resolve(Long.toString(g.number())));
    }
    Dirs.deleteAllAndPrune(links, base);
  }

  private Path directory(ComponentRef ref) {
    return root.resolve(StoreLayout.components(StoreLayout.GENERATIONS, ref).path());
  }

  /** A generation from a link, or null for anything else found there (Dysnomia lists all). */
  private static Generation read(ComponentRef ref, Path link) throws IOException {
    String name = link.getFileName().toString();
    if (!isNumber(name)) {
      return null;
    }
    Path target;
    try {
      target = Files.readSymbolicLink(link);
    } catch (NoSuchFileException e) {
      return null;  // removed while we listed
    } catch (NotLinkException e) {
      return null;
    }
    Path file = target.getFileName();
    try {
      return new Generation(ref, Long.parseLong(name), new SnapshotName(file.toString()));
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }

  /** Whether {@code name} is a generation number: 1 to 18 digits, no leading zero. */
  private static boolean isNumber(String name) {
    int n = name.length();
    if (n == 0 || n > 18 || name.charAt(0) == '0') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static ComponentRef component(String container, String component) {
    try {
      return new ComponentRef(container, component);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Iterable<Path> children(Path dir) throws IOException {
    List<Path> list = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return list;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(list::add);
    } catch (NoSuchFileException | NotDirectoryException e) {
      // removed while we listed
    }
    return list;
  }
}
