package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dysnomia -o lock} and {@code unlock} of {@code mysql-database} components. Unset,
 * {@code mysqlLock} does nothing (as Dysnomia's module), so a transition over stock container
 * files works; {@code server-read-only} sets the server's {@code read_only} from the first lock to
 * the last unlock of the container's components and then puts back what it was, also across a
 * crash between the record stasis keeps and the server.
 */
class MysqlLockTest {
  @RegisterExtension
  static final MariadbServer mariadb = new MariadbServer();

  @TempDir
  Path tmp;
  DysnomiaHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    mariadb.container(host, "mdb", "mysqlLock=server-read-only");
    MysqlShop.component(host, "mdb", "shop");
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
  }

  private CliRun run(String operation, String component) {
    return host.ok("-o", operation, "-C", "mdb", "-c", component);
  }

  private static String readOnly() throws IOException {
    return mariadb.sql("", "SELECT @@GLOBAL.read_only");
  }

  private Path record() {
    return host.store.resolve(".stasis/mysql-lock/mdb");
  }

  @Test
  void aStockContainerFileLocksNothingSaysSoOnceAndATransitionGoesThrough() throws IOException {
    mariadb.container(host, "mdb");
    // Disnix's transition: lock all, snapshot, unlock all
    CliRun lock = run("lock", "shop");
    List<String> said = lock.stderr().lines().toList();
    assertEquals(1, said.size(), lock.stderr());
    assertTrue(said.get(0).contains("does nothing") && said.get(0).contains("mysqlLock=server-read-only"),
        lock.stderr());
    assertEquals("0", readOnly());
    run("snapshot", "shop");
    assertTrue(run("unlock", "shop").stderr().contains("does nothing"));
    assertEquals(1, host.all().size());
    assertEquals("0", readOnly());

    mariadb.container(host, "mdb", "mysqlLock=none");
    assertTrue(run("lock", "shop").stderr().contains("does nothing"));
    assertEquals("0", readOnly());

    mariadb.container(host, "mdb", "mysqlLock=server");
    CliRun wrong = host.dysnomia("-o", "lock", "-C", "mdb", "-c", "shop");
    assertEquals(2, wrong.code(), wrong.toString());
    assertTrue(wrong.stderr().contains("mysqlLock=server is not a lock mode"), wrong.stderr());
  }

  @Test
  void lockMakesTheServerRefuseWritesUntilUnlockBeyondTheStasisProcess() throws IOException {
    mariadb.sql("", "CREATE USER writer@localhost;\nGRANT ALL ON shop.* TO writer@localhost");
    List<String> writer = new ArrayList<>(List.of("mariadb", "--no-defaults", "--socket=" + mariadb.socket(),
        "--user=writer", "--database=shop", "-e", "INSERT INTO items (name, price) VALUES ('x', 9)"));

    CliRun locked = run("lock", "shop");
    assertTrue(locked.stderr().contains("whole MySQL server"), locked.stderr());
    // the dysnomia run is over; the lock is the server's, a new session of an application meets it
    Process p = new ProcessBuilder(writer).redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertNotEquals(0, waitFor(p), said);
    assertTrue(said.contains("read-only") || said.contains("read_only"), said);
    // stasis itself (root) can still take a snapshot
    run("snapshot", "shop");

    assertTrue(run("unlock", "shop").stderr().contains("writable again"));
    MariadbServer.run(writer, "");
    assertEquals("x", mariadb.sql("shop", "SELECT name FROM items WHERE price = 9"));
    assertTrue(Files.notExists(record()));
  }

  @Test
  void aServerThatWasReadOnlyBeforeLockStaysReadOnlyAfterUnlock() throws IOException {
    mariadb.sql("", "SET GLOBAL read_only = ON");  // a replica
    assertTrue(run("lock", "shop").stderr().contains("was read-only already"));
    assertEquals("1", readOnly());
    CliRun unlock = run("unlock", "shop");
    assertTrue(unlock.stderr().contains("stays read-only"), unlock.stderr());
    assertEquals("1", readOnly());
    assertTrue(Files.notExists(record()));
  }

  @Test
  void twoComponentsOnOneServerKeepItReadOnlyUntilTheLastUnlock() throws IOException {
    MysqlShop.component(host, "mdb", "other");
    run("activate", "other");
    run("lock", "shop");
    run("lock", "other");
    run("lock", "shop");  // again: still one holder
    CliRun first = run("unlock", "shop");
    assertTrue(first.stderr().contains("still locked for other"), first.stderr());
    assertEquals("1", readOnly());
    CliRun again = run("unlock", "shop");
    assertTrue(again.stderr().contains("no lock of it is recorded"), again.stderr());
    assertEquals("1", readOnly());
    run("unlock", "other");
    assertEquals("0", readOnly());
  }

  @Test
  void unlockWithoutALockChangesNothingAndSaysSo() throws IOException {
    mariadb.sql("", "SET GLOBAL read_only = ON");  // by someone else
    CliRun unlock = run("unlock", "shop");
    assertTrue(unlock.stderr().contains("no lock of it is recorded"), unlock.stderr());
    assertEquals("1", readOnly());
  }

  @Test
  void unlockUndoesARecordedLockAfterTheContainerDroppedMysqlLock() throws IOException {
    run("lock", "shop");
    mariadb.container(host, "mdb");
    CliRun unlock = run("unlock", "shop");
    assertTrue(unlock.stderr().contains("undoing it"), unlock.stderr());
    assertEquals("0", readOnly());
    assertTrue(Files.notExists(record()));
  }

  @Test
  void aCrashBetweenTheRecordAndTheServerIsRepairedByRunningTheSameOperationAgain() throws Exception {
    // lock killed after the record was written, before read_only was set
    crashes(faulty("kill -9 $PPID; exit 1"), "lock");
    assertEquals("0", readOnly());
    assertTrue(Files.readString(record()).contains("locked=shop"));
    run("lock", "shop");
    assertEquals("1", readOnly());

    // unlock killed after read_only was put back, before the record went
    crashes(faulty("/usr/bin/mariadb \"$@\" < \"$input\"; kill -9 $PPID; exit 1"), "unlock");
    assertEquals("0", readOnly());
    assertTrue(Files.exists(record()));
    assertTrue(run("unlock", "shop").stderr().contains("writable again"));
    assertEquals("0", readOnly());
    assertTrue(Files.notExists(record()));
  }

  /** A directory with a {@code mariadb} that does {@code fault} when it is given {@code SET GLOBAL read_only}. */
  private Path faulty(String fault) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("faulty-" + fault.hashCode()));
    DysnomiaHost.script(bin.resolve("mariadb"),
        "#!/bin/sh",
        "PATH=/usr/bin:/bin",
        "input=$(mktemp)",
        "trap 'rm -f \"$input\"' EXIT",
        "cat > \"$input\"",
        "if grep -q 'SET GLOBAL read_only' \"$input\"; then",
        "  " + fault,
        "fi",
        "/usr/bin/mariadb \"$@\" < \"$input\"");
    return bin;
  }

  /** Runs {@code dysnomia -o OPERATION} on shop in a JVM of its own, {@code bin} first on its PATH; it must be killed. */
  private void crashes(Path bin, String operation) throws Exception {
    Path log = tmp.resolve("separately.log");
    ProcessBuilder pb = new ProcessBuilder(Launchers.java(DysnomiaCommand.class, "-o", operation, "-C", "mdb", "-c",
        "shop")).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("DYSNOMIA_STATEDIR", host.store.toString());
    pb.environment().put("DYSNOMIA_CONTAINERS_PATH", host.containers.toString());
    pb.environment().put("DYSNOMIA_COMPONENTS_PATH", host.components.toString());
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    Process p = pb.start();
    if (!p.waitFor(MariadbServer.GUARD_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("dysnomia did not end:\n" + Files.readString(log));
    }
    assertEquals(137, p.exitValue(), () -> operation + " was not killed:\n" + read(log));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static int waitFor(Process p) {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
