package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stasis.store.LockedException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment lock between commands: held in this process, held by another process (a JVM of
 * its own, {@link DeployLockHolder}), left by a process that died, and broken with
 * {@code --force-unlock}.
 */
class DeployLockTest {
  /** Only keeps a hang from stalling the build; nothing waits for it to pass. */
  private static final long GUARD_SECONDS = 300;
  private static final long PID = ProcessHandle.current().pid();

  @TempDir
  Path tmp;
  private final ByteArrayOutputStream said = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopHolders() throws Exception {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  private Path coordinator() {
    return tmp.resolve("coordinator");
  }

  /** A holder process of the lock, once it says it holds it. */
  private Holder holder(String command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), DeployLockHolder.class.getName(), coordinator().toString(), command)
        .redirectError(tmp.resolve("holder-" + started.size() + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    Holder h = new Holder(p, new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    assertEquals("locked", h.line(), "the holder took the lock");
    return h;
  }

  private record Holder(Process process, BufferedReader out) {
    /** Its next line of output; null at its end. */
    String line() throws Exception {
      FutureTask<String> read = new FutureTask<>(out::readLine);
      Thread t = new Thread(read, "holder output");
      t.setDaemon(true);
      t.start();
      try {
        return read.get(GUARD_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException hung) {
        return fail("no line from the holder in " + GUARD_SECONDS + " s");
      }
    }

    /** Ends its stdin: it releases the lock, says so, and exits. */
    void release() throws Exception {
      process.getOutputStream().close();
      assertEquals("released", line());
      assertTrue(process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS), "the holder exits");
      assertEquals(0, process.exitValue());
    }

    long pid() {
      return process.pid();
    }
  }

  private String said() {
    return said.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aSecondTakeWhileHeldIsRefusedNamingTheHolder() throws Exception {
    try (DeployLock first = DeployLock.take(coordinator(), "deploy snapshot", false, err)) {
      LockedException e = assertThrows(LockedException.class,
          () -> DeployLock.take(coordinator(), "deploy migrate", false, err));
      assertTrue(e.getMessage().contains("locked by pid " + PID + " on "), e.getMessage());
      assertTrue(e.getMessage().contains("(deploy snapshot, since "), e.getMessage());
      assertTrue(e.getMessage().contains("--force-unlock"), "says the way out: " + e.getMessage());
    }
    try (DeployLock again = DeployLock.take(coordinator(), "deploy migrate", false, err)) {
      assertEquals("", said(), "released by its holder: nothing taken over, nothing said");
    }
  }

  @Test
  void aLockHeldByAnotherProcessIsRefusedUntilItReleasesIt() throws Exception {
    Holder h = holder("deploy restore");
    LockedException e = assertThrows(LockedException.class,
        () -> DeployLock.take(coordinator(), "deploy snapshot", false, err));
    assertTrue(e.getMessage().contains("locked by pid " + h.pid() + " on "), e.getMessage());
    assertTrue(e.getMessage().contains("(deploy restore, since "), e.getMessage());

    h.release();
    try (DeployLock mine = DeployLock.take(coordinator(), "deploy snapshot", false, err)) {
      assertEquals("", said());
    }
  }

  @Test
  void theLockOfAProcessThatDiedIsTakenOverSayingSo() throws Exception {
    Holder h = holder("deploy migrate");
    h.process().destroyForcibly();
    h.process().waitFor();
    try (DeployLock mine = DeployLock.take(coordinator(), "deploy migrate", false, err)) {
      assertTrue(said().contains("taking over the deployment lock pid " + h.pid() + " on "), said());
      assertTrue(said().contains("(deploy migrate, since ") && said().contains("left (it is gone)"), said());
      LockedException e = assertThrows(LockedException.class,
          () -> DeployLock.take(coordinator(), "deploy clean-snapshots", false, err));
      assertTrue(e.getMessage().contains("locked by pid " + PID + " on "), "the record is the new holder's: "
          + e.getMessage());
    }
  }

  @Test
  void forceUnlockBreaksTheLockOfALiveHolderWithAWarningNamingIt() throws Exception {
    Holder h = holder("deploy migrate");
    try (DeployLock mine = DeployLock.take(coordinator(), "deploy restore", true, err)) {
      assertTrue(said().contains("--force-unlock: breaking the deployment lock of pid " + h.pid() + " on "), said());
      assertTrue(said().contains("(deploy migrate, since ") && said().contains("which is still running"), said());
      assertFalse(said().contains("taking over"), said());

      // the old holder finishes after all: the lock and its record stay the breaker's
      h.release();
      LockedException e = assertThrows(LockedException.class,
          () -> DeployLock.take(coordinator(), "deploy snapshot", false, err));
      assertTrue(e.getMessage().contains("locked by pid " + PID + " on ") && e.getMessage().contains(
          "(deploy restore, since "), e.getMessage());
    }
    try (DeployLock after = DeployLock.take(coordinator(), "deploy snapshot", false, err)) {
      assertFalse(said().contains("taking over"), "the breaker released it as a holder does: " + said());
    }
  }
}
