package dev.stasis.deploy;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.store.LockedException;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The deployment-wide lock of a coordinator: an OS lock on {@code .stasis/deploy/lock} in the
 * coordinator's state directory, which the OS releases when its holder dies, beside an owner
 * record ({@code .stasis/deploy/owner}: pid, host, command, since when) for the messages of
 * whoever finds it held.
 *
 * <p>{@code --force-unlock} is for a holder that is alive but hung (an ssh that never returns):
 * it replaces the lock file, so this command gets a lock of its own while the old holder keeps
 * one on a file nobody else looks at. Both may then work on the same services at once; the
 * message says so and names the holder to stop.
 */
public final class DeployLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;
  private final Path owner;
  private String record = "";

  private DeployLock(FileChannel channel, FileLock lock, Path owner) {
    this.channel = channel;
    this.lock = lock;
    this.owner = owner;
  }

  /**
   * Takes the lock of the coordinator whose state directory is {@code stateDir}.
   *
   * @param command what the holder does, for the owner record
   * @throws LockedException when another command holds it (and {@code force} is not set)
   */
  public static DeployLock take(Path stateDir, String command, boolean force, PrintStream err) throws IOException {
    Path dir = stateDir.resolve(StoreLayout.DEPLOY.path());
    Files.createDirectories(dir);
    Path file = dir.resolve("lock");
    Path owner = dir.resolve("owner");
    DeployLock held = tryTake(file, owner);
    if (held == null) {
      String who = describe(owner);
      if (!force) {
        throw new LockedException("the deployment is locked by %s; wait for it to finish, or if it is hung, stop it"
            + " (or use --force-unlock, which lets both run at once)", who);
      }
      err.println("stasis: --force-unlock: breaking the deployment lock of " + who + ", which is still running: it"
          + " and this command may now change the same services at once; stop it if it is hung");
      Files.deleteIfExists(file);
      held = tryTake(file, owner);
      if (held == null) {
        throw new LockedException("the deployment lock was taken again at once by %s", describe(owner));
      }
    } else if (Files.exists(owner) && Files.size(owner) > 0) {
      err.println("stasis: taking over the deployment lock " + describe(owner) + " left (it is gone)");
    }
    held.record = "pid " + ProcessHandle.current().pid() + " on " + hostName() + " (" + command + ", since "
        + Instant.now() + ")";
    DurableFiles.writeAtomically(owner, held.record.getBytes(StandardCharsets.UTF_8));
    return held;
  }

  private static DeployLock tryTake(Path file, Path owner) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock l = ch.tryLock();
      if (l != null) {
        return new DeployLock(ch, l, owner);
      }
    } catch (OverlappingFileLockException inThisProcess) {
      // held by this process already: held
    }
    ch.close();
    return null;
  }

  private static String describe(Path owner) {
    try {
      String who = Files.readString(owner).strip();
      return who.isEmpty() ? "an unknown process" : who;
    } catch (IOException e) {
      return "an unknown process";
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this machine";
    }
  }

  @Override
  public void close() throws IOException {
    // after a --force-unlock the record is the breaker's, who still holds the lock: leave it
    if (describe(owner).equals(record)) {
      Files.write(owner, new byte[0]);
    }
    lock.release();
    channel.close();
  }
}
