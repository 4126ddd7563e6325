package dev.stasis.store;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Store locks within this process only, for backends that offer no lock of their own (S3):
 * threads of one process are ordered, other processes are not. Such a backend makes what must
 * be unique unique by other means (S3: conditional writes for generation numbers), and gc on
 * it should not run while another process writes.
 */
public final class ProcessLocks implements StoreLocks {
  private static final ConcurrentMap<String, ProcessLocks> REGISTRY = new ConcurrentHashMap<>();

  private final String name;
  private final ReentrantReadWriteLock store = new ReentrantReadWriteLock(true);
  private final ConcurrentMap<SnapshotRef, ReentrantLock> snapshots = new ConcurrentHashMap<>();

  private ProcessLocks(String name) {
    this.name = name;
  }

  /** The one instance for the store named {@code name} (its location) in this process. */
  public static ProcessLocks forStore(String name) {
    return REGISTRY.computeIfAbsent(name, ProcessLocks::new);
  }

  @Override
  public StoreLocks.Held store(LockMode mode, String operation, Duration wait) {
    return take(mode == LockMode.SHARED ? store.readLock() : store.writeLock(), operation, wait);
  }

  @Override
  public StoreLocks.Held snapshot(SnapshotRef snapshot, Duration wait) {
    return take(snapshots.computeIfAbsent(snapshot, s -> new ReentrantLock()), "publish " + snapshot, wait);
  }

  private StoreLocks.Held take(Lock lock, String operation, Duration wait) {
    try {
      if (!lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new LockedException("the store %s is locked by another thread of this process; %s waited %s",
            name, operation, wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LockedException("interrupted while %s waited for the store %s", operation, name);
    }
    return lock::unlock;
  }
}
