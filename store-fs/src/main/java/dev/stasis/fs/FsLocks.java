package dev.stasis.fs;

import dev.stasis.store.LockMode;
import dev.stasis.store.LockedException;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoreLayout;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Store locks on {@code .stasis/lock}: byte 0 is the store lock, shared or exclusive; bytes
 * 1..65536 are striped publish locks for single snapshots. They are OS record locks, so the
 * kernel releases them when a process dies and a crash never leaves a stale lock.
 *
 * <p>Java's file locks belong to the whole JVM, so each store root has one instance in this
 * process ({@link #forRoot(Path)}) that first orders threads with in-process locks and then
 * takes the OS lock once on behalf of them all. Every holder of the store lock writes an
 * owner record ({@link Owners}) so a blocked command can name who holds it.
 */
public final class FsLocks implements StoreLocks {
  private static final ConcurrentMap<Path, FsLocks> REGISTRY = new ConcurrentHashMap<>();
  private static final int STRIPES = 1 << 16;

  private final Path root;
  private final Path lockFile;
  private final Owners owners;
  private final ReentrantReadWriteLock threads = new ReentrantReadWriteLock(true);
  private final ConcurrentMap<Integer, ReentrantLock> stripeThreads = new ConcurrentHashMap<>();
  private final Object os = new Object();
  private FileChannel channel;
  private FileLock sharedLock;
  private int sharedHolders;

  private FsLocks(Path root) {
    this.root = root;
    this.lockFile = root.resolve(StoreLayout.LOCK.path());
    this.owners = new Owners(root.resolve(StoreLayout.OWNERS.path()));
  }

  /** The one instance for the store at {@code root} in this JVM. */
  public static FsLocks forRoot(Path root) throws IOException {
    return REGISTRY.computeIfAbsent(canonical(root), FsLocks::new);
  }

  /** The real path of {@code root}, or of its nearest existing ancestor plus the rest. */
  private static Path canonical(Path root) throws IOException {
    Path absolute = root.toAbsolutePath().normalize();
    Path existing = absolute;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing == null ? absolute : existing.toRealPath().resolve(existing.relativize(absolute));
  }

  @Override
  public StoreLocks.Held store(LockMode mode, String operation, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    Lock thread = mode == LockMode.SHARED ? threads.readLock() : threads.writeLock();
    if (!tryLock(thread, deadline)) {
      throw locked(mode, operation, wait);
    }
    FileLock exclusive = null;
    try {
      synchronized (os) {
        if (mode == LockMode.EXCLUSIVE) {
          exclusive = acquire(0, false, deadline, mode, operation, wait);
        } else if (sharedHolders++ == 0) {
          try {
            sharedLock = acquire(0, true, deadline, mode, operation, wait);
          } catch (RuntimeException e) {
            sharedHolders--;
            throw e;
          }
        }
      }
      Path record = owners.add(mode, operation);
      FileLock held = exclusive;
      return () -> {
        owners.remove(record);
        synchronized (os) {
          try {
            if (held != null) {
              held.release();
            } else if (--sharedHolders == 0) {
              sharedLock.release();
              sharedLock = null;
            }
          } catch (IOException e) {
            throw new StoreException(e, "cannot release the lock on %s", lockFile);
          } finally {
            thread.unlock();
          }
        }
      };
    } catch (RuntimeException e) {
      release(exclusive);
      thread.unlock();
      throw e;
    }
  }

  @Override
  public StoreLocks.Held snapshot(SnapshotRef snapshot, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    int stripe = Math.floorMod(snapshot.toString().hashCode(), STRIPES);
    ReentrantLock thread = stripeThreads.computeIfAbsent(stripe, s -> new ReentrantLock());
    String operation = "publish " + snapshot;
    if (!tryLock(thread, deadline)) {
      throw locked(LockMode.EXCLUSIVE, operation, wait);
    }
    try {
      FileLock held = acquire(1 + stripe, false, deadline, LockMode.EXCLUSIVE, operation, wait);
      return () -> {
        release(held);
        thread.unlock();
      };
    } catch (RuntimeException e) {
      thread.unlock();
      throw e;
    }
  }

  /** Takes the OS lock on one byte, retrying until the deadline (the OS offers no timed wait). */
  private FileLock acquire(long position, boolean shared, long deadline, LockMode mode, String operation,
      Duration wait) {
    long pause = 2;
    while (true) {
      try {
        FileLock lock = channel().tryLock(position, 1, shared);
        if (lock != null) {
          return lock;
        }
      } catch (OverlappingFileLockException e) {
        // another thread of this JVM holds the range; wait for it like for another process
      } catch (NonWritableChannelException e) {
        throw new StoreException(e, "permission denied: %s (%s writes the store; this user may only read it)",
            lockFile, operation);
      } catch (IOException e) {
        throw new StoreException(e, "cannot lock %s: %s", lockFile, StoreException.reason(e));
      }
      if (System.nanoTime() - deadline >= 0) {
        throw locked(mode, operation, wait);
      }
      try {
        Thread.sleep(Math.min(pause, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(e, "interrupted while waiting for the lock on %s", lockFile);
      }
      pause = Math.min(pause * 2, 100);
    }
  }

  private FileChannel channel() throws IOException {
    synchronized (os) {
      if (channel == null || !channel.isOpen()) {
        try {
          Dirs.create(lockFile.getParent());
          channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
              StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
          if (!Files.exists(lockFile)) {
            throw e;
          }
          // A user who may read the store but not write it still takes the shared lock (check);
          // an exclusive one on this channel fails as not writable.
          channel = FileChannel.open(lockFile, StandardOpenOption.READ);
        }
      }
      return channel;
    }
  }

  private static boolean tryLock(Lock lock, long deadline) {
    try {
      return lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void release(FileLock lock) {
    if (lock != null) {
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel or the process releases it too
      }
    }
  }

  private LockedException locked(LockMode mode, String operation, Duration wait) {
    return new LockedException("the store %s is locked; %s (%s) waited %s. Held by: %s."
        + " Try again later or give a longer --lock-wait.",
        root, operation, mode.name().toLowerCase(), describe(wait), owners.describe());
  }

  private static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
