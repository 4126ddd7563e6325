package dev.stasis.cli;

import dev.stasis.fs.FsLocks;
import dev.stasis.store.LockMode;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Another process holding the store lock, as a long gc or commit would, for the end-to-end
 * tests: a stasis command holds it only for moments, too briefly to test against. Run as
 * {@code StoreLockHolder ROOT MODE OPERATION}; prints "locked" on stderr (where the launchers'
 * messages go, so the tests wait for both alike) once it holds the lock, and holds it until
 * stdin ends or it is killed.
 */
final class StoreLockHolder {
  private StoreLockHolder() {}

  public static void main(String[] args) throws IOException {
    FsLocks locks = FsLocks.forRoot(Path.of(args[0]));
    try (StoreLocks.Held lock = locks.store(LockMode.valueOf(args[1]), args[2], Duration.ZERO)) {
      System.err.println("locked");
      System.in.transferTo(OutputStream.nullOutputStream());
    }
  }
}
