package dev.stasis.fs;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Generation;
import dev.stasis.store.GenerationLinks;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.StoreLayout;
import dev.stasis.store.StrayLink;
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
 *
 * <p>A generation is named by its link's last segment, but a link is trusted only when it
 * resolves (lexically, from its directory) into its own component's snapshot directory of this
 * store: any other numbered entry is a {@link StrayLink}, since the real Dysnomia follows the
 * link wherever it goes while stasis would read the snapshot of that name inside the store.
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
    walk(scope, sink, stray -> { });
  }

  @Override
  public void strays(Scope scope, Consumer<StrayLink> sink) throws IOException {
    walk(scope, g -> { }, sink);
  }

  private void walk(Scope scope, Consumer<Generation> generations, Consumer<StrayLink> strays) throws IOException {
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
        // how Dysnomia and stasis write a link: one string comparison instead of resolving it
        String usual = "../../../" + StoreLayout.components(StoreLayout.SNAPSHOTS, ref).path() + "/";
        for (Path link : children(componentDir)) {
          read(ref, link, usual, generations, strays);
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

  /**
   * Sorts one entry: a numbered link is a generation when its last segment is a snapshot name
   * (even a stray one, so numbering sees it), and a stray unless it points into its own
   * component's snapshots; anything not numbered is not ours (Dysnomia lists all).
   */
  private void read(ComponentRef ref, Path link, String usual, Consumer<Generation> generations,
      Consumer<StrayLink> strays) throws IOException {
    String name = link.getFileName().toString();
    if (!isNumber(name)) {
      return;
    }
    long number = Long.parseLong(name);
    Path target;
    try {
      target = Files.readSymbolicLink(link);
    } catch (NoSuchFileException e) {
      return;  // removed while we listed
    } catch (NotLinkException e) {
      strays.accept(new StrayLink(ref, number, null));
      return;
    }
    Generation g = generation(ref, number, target);
    if (g != null) {
      generations.accept(g);
    }
    if (g == null || !usualLink(target, usual, g) && !intoOwnSnapshots(link, target, ref)) {
      strays.accept(new StrayLink(ref, number, target.toString()));
    }
  }

  /** The generation a link's last segment names, or null when that is no snapshot name (a link to "/"). */
  private static Generation generation(ComponentRef ref, long number, Path target) {
    Path last = target.getFileName();
    try {
      return last == null ? null : new Generation(ref, number, new SnapshotName(last.toString()));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether {@code target} is {@code usual} followed by the generation's (safe) snapshot name. */
  private static boolean usualLink(Path target, String usual, Generation g) {
    String text = target.toString();
    return text.length() == usual.length() + g.snapshot().value().length() && text.startsWith(usual)
        && text.endsWith(g.snapshot().value());
  }

  /** Whether {@code target}, resolved from the link's directory, is {@code snapshots/<c>/<comp>/<name>} here. */
  private boolean intoOwnSnapshots(Path link, Path target, ComponentRef ref) throws IOException {
    Path parent = link.getParent().resolve(target).normalize().getParent();
    Path own = root.resolve(StoreLayout.components(StoreLayout.SNAPSHOTS, ref).path());
    if (own.equals(parent)) {
      return true;
    }
    // an absolute link written through the store's real path, where the root was given by another
    return target.isAbsolute() && Files.exists(root) && root.toRealPath().resolve(root.relativize(own)).equals(parent);
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
