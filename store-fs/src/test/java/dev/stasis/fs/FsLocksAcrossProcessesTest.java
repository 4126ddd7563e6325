package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.LockMode;
import dev.stasis.store.LockedException;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store lock between processes: OS record locks on {@code .stasis/lock}, shared or
 * exclusive, named by owner records, released by the kernel when a holder dies. Every other
 * holder here is a separate JVM ({@link LockHolder}), because Java's file locks belong to the
 * whole JVM and cannot be tested against the process that holds them.
 */
class FsLocksAcrossProcessesTest {
  @TempDir
  Path root;

  @Test
  void anExclusiveHolderInAnotherProcessIsNamedAndItsDeathReleasesTheLock() throws Exception {
    FsLocks locks = FsLocks.forRoot(root);
    long deadPid;
    try (ChildJvm child = ChildJvm.start(LockHolder.class, "hold", root.toString(), "EXCLUSIVE", "child gc")) {
      assertEquals("locked", child.readLine());
      deadPid = child.pid();

      LockedException e = assertThrows(LockedException.class,
          () -> locks.store(LockMode.SHARED, "test list", Duration.ZERO));
      assertTrue(e.getMessage().contains("child gc (exclusive), pid " + deadPid + " on "), e.getMessage());
      assertTrue(e.getMessage().contains("test list (shared) waited 0s"), e.getMessage());

      child.kill();  // no release, no cleanup: only the kernel lets go
    }
    // Free at once, even for an exclusive taker: nothing was left held.
    try (StoreLocks.Held lock = locks.store(LockMode.EXCLUSIVE, "test gc", Duration.ZERO)) {
      assertEquals(1, ownerRecordsOf(deadPid).size(), "a killed holder cannot remove its own record");
    }

    // The dead holder's record is still on disk, but the next message leaves it out and removes it.
    try (ChildJvm next = ChildJvm.start(LockHolder.class, "hold", root.toString(), "EXCLUSIVE", "second gc")) {
      assertEquals("locked", next.readLine());
      LockedException e = assertThrows(LockedException.class,
          () -> locks.store(LockMode.SHARED, "test list", Duration.ZERO));
      assertTrue(e.getMessage().contains("second gc (exclusive), pid " + next.pid()), e.getMessage());
      assertFalse(e.getMessage().contains("child gc"), e.getMessage());
      assertFalse(e.getMessage().contains("pid " + deadPid + " "), e.getMessage());
      assertEquals(List.of(), ownerRecordsOf(deadPid));
      assertEquals(0, next.finish());
    }
  }

  @Test
  void sharedHoldersInSeparateProcessesDoNotExcludeEachOther() throws Exception {
    FsLocks locks = FsLocks.forRoot(root);
    long firstPid;
    try (ChildJvm first = ChildJvm.start(LockHolder.class, "hold", root.toString(), "SHARED", "child commit")) {
      assertEquals("locked", first.readLine());
      firstPid = first.pid();

      try (ChildJvm second = ChildJvm.start(LockHolder.class, "try", root.toString(), "SHARED", "second commit")) {
        assertEquals("locked", second.readLine());
        assertEquals(0, second.finish());
      }
      try (StoreLocks.Held mine = locks.store(LockMode.SHARED, "test commit", Duration.ZERO)) {
        // a third process shares it too
      }

      // But an exclusive taker is refused, and told who holds it.
      LockedException e = assertThrows(LockedException.class,
          () -> locks.store(LockMode.EXCLUSIVE, "test gc", Duration.ZERO));
      assertTrue(e.getMessage().contains("child commit (shared), pid " + first.pid()), e.getMessage());
      assertEquals(0, first.finish());
    }
    // Released by the holder itself this time: free again, and its record is gone.
    try (StoreLocks.Held lock = locks.store(LockMode.EXCLUSIVE, "test gc", Duration.ZERO)) {
      assertEquals(List.of(), ownerRecordsOf(firstPid));
    }
  }

  @Test
  void anExclusiveHolderHereExcludesSharedAndExclusiveTakersElsewhere() throws Exception {
    FsLocks locks = FsLocks.forRoot(root);
    long me = ProcessHandle.current().pid();
    try (StoreLocks.Held lock = locks.store(LockMode.EXCLUSIVE, "test gc", Duration.ZERO)) {
      for (String mode : List.of("SHARED", "EXCLUSIVE")) {
        try (ChildJvm child = ChildJvm.start(LockHolder.class, "try", root.toString(), mode, "child " + mode)) {
          String line = child.readLine();
          assertTrue(line.startsWith("refused: "), line);
          assertTrue(line.contains("test gc (exclusive), pid " + me + " on "), line);
          assertEquals(0, child.finish());
        }
      }
    }
    try (ChildJvm child = ChildJvm.start(LockHolder.class, "try", root.toString(), "SHARED", "child list")) {
      assertEquals("locked", child.readLine());
      assertEquals(0, child.finish());
    }
  }

  @Test
  void aSharedHolderElsewhereExcludesAnExclusiveOneInAThirdProcess() throws Exception {
    try (ChildJvm holder = ChildJvm.start(LockHolder.class, "hold", root.toString(), "SHARED", "child import")) {
      assertEquals("locked", holder.readLine());
      try (ChildJvm gc = ChildJvm.start(LockHolder.class, "try", root.toString(), "EXCLUSIVE", "child gc")) {
        String line = gc.readLine();
        assertTrue(line.startsWith("refused: "), line);
        assertTrue(line.contains("child import (shared), pid " + holder.pid()), line);
        assertEquals(0, gc.finish());
      }
      holder.kill();
    }
    try (ChildJvm gc = ChildJvm.start(LockHolder.class, "try", root.toString(), "EXCLUSIVE", "child gc")) {
      assertEquals("locked", gc.readLine());
      assertEquals(0, gc.finish());
    }
  }

  /** Owner records written by process {@code pid}. */
  private List<Path> ownerRecordsOf(long pid) throws IOException {
    Path owners = root.resolve(".stasis").resolve("owners");
    if (!Files.isDirectory(owners)) {
      return List.of();
    }
    try (Stream<Path> records = Files.list(owners)) {
      return records.filter(p -> p.getFileName().toString().startsWith(pid + "-")).toList();
    }
  }
}
