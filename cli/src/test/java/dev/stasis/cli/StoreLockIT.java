package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store lock as the launchers meet it: a command that cannot get it within
 * {@code --lock-wait} exits 5 and names who holds it; a holder killed with -9 leaves no lock.
 * The holder is another JVM ({@link StoreLockHolder}), since a stasis command holds the lock
 * only for moments.
 */
class StoreLockIT {
  @TempDir
  Path tmp;

  private Path store;
  private Launchers bin;

  @BeforeEach
  void setUp() {
    store = tmp.resolve("store");
    bin = new Launchers(store);
  }

  @Test
  void gcGivesUpOnAnExclusiveHolderNamingItAndGoesAheadOnceItIsKilled() throws Exception {
    bin.stasis("snapshot", "--from-command", "printf one", "-C", "c", "-c", "x").ok();
    bin.stasis("snapshot", "--from-command", "printf two", "-C", "c", "-c", "x").ok();
    try (Running holder = bin.start(Launchers.java(StoreLockHolder.class, store.toString(), "EXCLUSIVE", "child gc"))) {
      holder.awaitStderr("locked");

      Result gc = bin.stasis("gc", "--lock-wait", "0").exits(5);
      assertTrue(gc.stderr().startsWith("stasis: the store "), gc.stderr());
      assertTrue(gc.stderr().contains(" is locked; gc (exclusive) waited 0s."), gc.stderr());
      assertTrue(gc.stderr().contains("Held by: child gc (exclusive), pid " + holder.pid() + " on "), gc.stderr());
      assertEquals(2, generations().size(), "a gc that could not lock deleted something");

      // An ingest can stage its dump, but not commit it: it stores nothing.
      Result ingest = bin.stasis("snapshot", "--from-command", "printf three", "-C", "c", "-c", "x",
          "--lock-wait", "0").exits(5);
      assertTrue(ingest.stderr().contains("child gc (exclusive)"), ingest.stderr());
      assertEquals(2, generations().size());

      holder.killTree();  // the kernel releases its lock; its owner record stays behind
    }
    Result gc = bin.stasis("gc", "--lock-wait", "0").ok();
    assertTrue(gc.stderr().contains("Removing old generation symlink: c/x/1"), gc.stderr());
    assertEquals(List.of("2"), generations());
    bin.stasis("check").ok();
  }

  @Test
  void aSharedHolderLetsIngestsCommitButKeepsGcOut() throws Exception {
    try (Running holder = bin.start(Launchers.java(StoreLockHolder.class, store.toString(), "SHARED", "child import"))) {
      holder.awaitStderr("locked");

      bin.stasis("snapshot", "--from-command", "printf one", "-C", "c", "-c", "x", "--lock-wait", "0").ok();
      Result gc = bin.stasis("gc", "--keep", "0", "--lock-wait", "0").exits(5);
      assertTrue(gc.stderr().contains("Held by: child import (shared), pid " + holder.pid()), gc.stderr());
      assertEquals(List.of("1"), generations());

      // A dry run only reads, under the shared lock: it goes ahead.
      bin.stasis("gc", "--keep", "0", "--dry-run", "--lock-wait", "0").ok();

      holder.stdin().close();
      holder.finish().ok();
    }
    bin.stasis("gc", "--keep", "0", "--lock-wait", "0").ok();
    assertEquals(List.of(), Launchers.committed(store));
  }

  @Test
  void checkWaitsForAGcInsteadOfReportingWhatAHalfDoneOneShows() throws Exception {
    bin.stasis("snapshot", "--from-command", "printf one", "-C", "c", "-c", "x").ok();
    bin.stasis("snapshot", "--from-command", "printf two", "-C", "c", "-c", "x").ok();
    try (Running holder = bin.start(Launchers.java(StoreLockHolder.class, store.toString(), "EXCLUSIVE", "child gc"))) {
      holder.awaitStderr("locked");

      Result check = bin.stasis("check", "--lock-wait", "0").exits(5);
      assertTrue(check.stderr().contains(" is locked; check (shared) waited 0s."), check.stderr());
      assertTrue(check.stderr().contains("Held by: child gc (exclusive), pid " + holder.pid()), check.stderr());
      assertEquals("", check.out());
      Result query = bin.dysnomiaSnapshots("--query-all", "--check", "--lock-wait", "0").exits(5);
      assertEquals("", query.out());
      // a query alone is one listing, which needs no lock
      assertEquals(2, bin.dysnomiaSnapshots("--query-all", "--lock-wait", "0").ok().lines().size());

      holder.killTree();
    }
    bin.stasis("check", "--lock-wait", "0").ok();
    assertEquals(2, bin.dysnomiaSnapshots("--query-all", "--check", "--lock-wait", "0").ok().lines().size());
  }

  private List<String> generations() throws Exception {
    Path dir = store.resolve("generations/c/x");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var links = Files.list(dir)) {
      return links.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
