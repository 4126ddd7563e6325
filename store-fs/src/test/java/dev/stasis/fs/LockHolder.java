package dev.stasis.fs;

import dev.stasis.store.LockMode;
import dev.stasis.store.LockedException;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process of the lock tests ({@link ChildJvm}): takes the store lock of a root without
 * waiting and tells on stdout whether it got it.
 *
 * <pre>
 * hold ROOT MODE OPERATION   print "locked", hold the lock until stdin ends
 * try  ROOT MODE OPERATION   print "locked" or "refused: MESSAGE", release and exit
 * </pre>
 */
final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws IOException {
    boolean hold = args[0].equals("hold");
    FsLocks locks = FsLocks.forRoot(Path.of(args[1]));
    try (StoreLocks.Held lock = locks.store(LockMode.valueOf(args[2]), args[3], Duration.ZERO)) {
      System.out.println("locked");
      System.out.flush();
      if (hold) {
        ChildJvm.awaitEndOfStdin();
      }
    } catch (LockedException e) {
      System.out.println("refused: " + e.getMessage());
    }
  }
}
