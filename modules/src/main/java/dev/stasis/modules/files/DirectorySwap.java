package dev.stasis.modules.files;

import dev.stasis.modules.spi.Module;
import dev.stasis.store.LockedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Replaces a live directory with new content so that the old content survives any failure:
 * the new tree is built beside it ({@code .<name>.stasis-new}), completely and durably, and
 * only then swapped in with two renames ({@code <name>} to {@code .<name>.stasis-old}, the new
 * one to {@code <name>}), after which the old tree is deleted.
 *
 * <p>The only window is between the two renames, when {@code <name>} is briefly absent. A crash
 * there (or anywhere) is repaired by {@link #recover(Path)} at the start of the next restore or
 * snapshot of that directory: with {@code <name>} missing and an old tree present, the old tree
 * goes back (the interrupted restore did not happen); leftover new or old trees are deleted.
 * Swaps of one directory are serialized by an OS lock in the store's {@code .stasis/restore/}.
 */
public final class DirectorySwap {
  /** Builds the new content in an empty directory. */
  public interface Builder {
    void build(Path into) throws IOException;
  }

  private final Path locks;

  /** @param locks where the per-directory lock files live (the store's {@code .stasis/restore}) */
  public DirectorySwap(Path locks) {
    this.locks = locks;
  }

  /**
   * Creates {@code target} with what {@code builder} makes, beside and then renamed in, unless it
   * exists (after repairing an interrupted swap): what {@code activate} does. Its parents are
   * created as needed.
   */
  public void createIfAbsent(Path target, Builder builder) throws IOException {
    recover(target);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.createDirectories(target.getParent());
    replace(target, builder);
  }

  /** Replaces {@code target} (which may not exist yet) with what {@code builder} makes. */
  public void replace(Path target, Builder builder) throws IOException {
    try (Prepared prepared = prepare(target, builder)) {
      prepared.commit();
    }
  }

  /**
   * Builds the new content beside {@code target}, durably, holding the swap lock until the
   * result is closed; {@link Prepared#commit()} swaps it in, closing without commit discards it.
   */
  public Prepared prepare(Path target, Builder builder) throws IOException {
    Held held = lock(target);
    try {
      recoverLocked(target);
      Path fresh = sibling(target, "new");
      Files.createDirectory(fresh);
      try {
        builder.build(fresh);
        DurableFiles.fsyncDirectories(fresh);
      } catch (IOException | RuntimeException e) {
        DurableFiles.deleteTree(fresh);
        throw e;
      }
      return new Prepared(target, fresh, held);
    } catch (IOException | RuntimeException e) {
      held.close();
      throw e;
    }
  }

  /** New content built beside a directory, not yet swapped in: a module's restore as it stands. */
  public static final class Prepared implements Module.Restore {
    private final Path target;
    private final Path fresh;
    private final Held held;
    private boolean done;

    private Prepared(Path target, Path fresh, Held held) {
      this.target = target;
      this.fresh = fresh;
      this.held = held;
    }

    /** Swaps the new content in with two renames, then deletes the old. */
    @Override
    public void commit() throws IOException {
      done = true;
      Path old = sibling(target, "old");
      boolean hadOld = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
      if (hadOld) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsync(target.getParent());
      if (hadOld) {
        DurableFiles.deleteTree(old);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        if (!done) {
          DurableFiles.deleteTree(fresh);
        }
      } finally {
        held.close();
      }
    }
  }

  /** Repairs what an interrupted swap of {@code target} left, if anything; see the class comment. */
  public void recover(Path target) throws IOException {
    if (!Files.exists(sibling(target, "new"), LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(sibling(target, "old"), LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Held held = lock(target)) {
      recoverLocked(target);
    }
  }

  private void recoverLocked(Path target) throws IOException {
    Path fresh = sibling(target, "new");
    Path old = sibling(target, "old");
    if (Files.exists(old, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      DurableFiles.fsync(target.getParent());
    }
    DurableFiles.deleteTree(fresh);
    DurableFiles.deleteTree(old);
  }

  public static Path sibling(Path target, String which) {
    return target.resolveSibling("." + target.getFileName() + ".stasis-" + which);
  }

  private interface Held extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  private Held lock(Path target) throws IOException {
    Files.createDirectories(locks);
    String key = DigestUtils.sha256Hex(target.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
    FileChannel channel = FileChannel.open(locks.resolve(key.substring(0, 32) + ".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new LockedException("another restore of %s is running; try again when it ends", target);
    }
    return channel::close;
  }
}
