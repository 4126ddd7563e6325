package dev.stasis.modules.directory;

import dev.stasis.modules.files.DirectorySwap;
import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.DumpSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code directory} type, the embedded default: a component's state is a directory,
 * {@code <directoryRoot>/<component name>} (or one given directly, as by
 * {@code stasis snapshot DIR}), snapshotted as a deterministic tar ({@link DirectoryTar}) and
 * restored beside the live copy, then swapped in ({@link DirectorySwap}).
 */
public final class DirectoryModule implements Module {
  public static final String TYPE = "directory";

  private final Optional<Path> fixed;
  private final Path swapLocks;

  /**
   * @param fixed the state directory itself, or empty to use {@code directoryRoot}
   * @param swapLocks where restores of a directory take their lock
   */
  public DirectoryModule(Optional<Path> fixed, Path swapLocks) {
    this.fixed = fixed;
    this.swapLocks = swapLocks;
  }

  Path state(Target t) {
    return fixed.orElseGet(() -> t.host().path(t.require("directoryRoot")).resolve(t.stateName()));
  }

  /**
   * Refuses a state that is not a directory, or that is the store, holds it or lies inside it:
   * a restore swaps its state away (a file would be replaced, the store swapped out from under
   * itself), collect-garbage deletes it, a snapshot would tar the store into itself.
   */
  @Override
  public void check(Target t) {
    Path state = state(t);
    if (Files.exists(state) && !Files.isDirectory(state)) {
      throw new UsageException("%s is not a directory; the state of a directory component is a directory", state);
    }
    Path store = real(t.host().stateDir());
    Path real = real(state);
    if (real.startsWith(store) || store.startsWith(real)) {
      throw new UsageException("%s %s the store %s; the state of a directory component must be elsewhere",
          state, real.equals(store) ? "is" : real.startsWith(store) ? "lies inside" : "holds", t.host().stateDir());
    }
  }

  /** The real path of {@code p}, or of its nearest existing ancestor with the rest appended. */
  private static Path real(Path p) {
    Path absolute = p.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
    } catch (IOException e) {
      return absolute;  // unreadable on the way: compared as written
    }
  }

  @Override
  public String dumpName() {
    return "state.tar";
  }

  /** Creates the directory, seeded from the component path's contents when it has any. */
  @Override
  public void activate(Target t) throws IOException {
    Path seed = t.component();
    new DirectorySwap(swapLocks).createIfAbsent(state(t), into -> {
      if (seed != null && Files.isDirectory(seed)) {
        copyTree(seed, into);
      }
    });
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    Path state = state(t);
    new DirectorySwap(swapLocks).recover(state);
    new DirectoryTar(w -> t.host().say("warning: " + w)).write(state, sink.output());
  }

  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    Path state = state(t);
    Files.createDirectories(state.getParent());
    return new DirectorySwap(swapLocks).prepare(state, into -> TarUnpacker.unpack(dump, into));
  }

  @Override
  public void drop(Target t) throws IOException {
    DurableFiles.deleteTree(state(t));
  }

  /**
   * Copies a tree, keeping symlinks as links, and makes it writable by its owner: a component
   * in the Nix store is read-only, the state seeded from it must not be.
   */
  private static void copyTree(Path from, Path to) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(from)) {
      for (Path child : children) {
        Path target = to.resolve(child.getFileName().toString());
        if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(target);
          copyTree(child, target);
        } else {
          Files.copy(child, target, LinkOption.NOFOLLOW_LINKS);
        }
        if (!Files.isSymbolicLink(target)) {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(target);
          perms.add(PosixFilePermission.OWNER_WRITE);
          Files.setPosixFilePermissions(target, perms);
        }
      }
    }
  }
}
