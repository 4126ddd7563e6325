package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of a {@code postgresql-database} component that fail: the server down, the database
 * missing, pg_dump killed while it streams. None stores anything: no snapshot, checksum,
 * generation or staging file. And a password given in the container is in no process's argv.
 *
 * <p>To catch pg_dump mid-dump, another session holds an exclusive lock on the table pg_dump
 * must read, so pg_dump waits on it, connected, with its header written, until released.
 */
class PostgresDumpFailureTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;
  PgHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new PgHost(tmp, PG);
    host.table("shop", "apple");
    host.ok("activate", "shop");
  }

  @Test
  void aStoppedServerFailsTheSnapshotAndStoresNothing() throws IOException {
    PG.stop();
    try {
      CliRun r = host.dysnomia("snapshot", "shop");
      assertNotEquals(0, r.code(), r.toString());
      assertTrue(r.stderr().contains(PG.socketDir().toString()), r.stderr());  // which server it tried
      assertEquals(List.of(), host.stored());
    } finally {
      PG.start();
    }
    assertEquals(List.of(), host.all());
  }

  @Test
  void aMissingDatabaseIsNotFoundAndStoresNothing() throws IOException {
    host.table("never", "x");  // a component, never activated

    CliRun r = host.dysnomia("snapshot", "never");

    assertEquals(4, r.code(), r.toString());
    assertTrue(r.stderr().contains("no database never"), r.stderr());
    assertEquals(List.of(), host.stored());
  }

  @Test
  void aKilledDumperStoresNothing() throws Exception {
    try (PgSession blocker = PgSession.open(PG, "shop")) {
      blocker.run("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<CliRun> snapshot = CompletableFuture.supplyAsync(() -> host.dysnomia("snapshot", "shop"));
      awaitBlockedDump("shop", "postgres");

      ProcessHandle dumper = pgDump().orElseThrow(() -> new AssertionError("no pg_dump process on " + PG.socketDir()));
      dumper.destroyForcibly();  // SIGKILL
      CliRun r = snapshot.get(PgServer.GUARD_SECONDS, TimeUnit.SECONDS);

      assertNotEquals(0, r.code(), r.toString());
      assertTrue(r.stderr().contains("nothing was stored"), r.stderr());
      blocker.run("COMMIT");
    }
    assertEquals(List.of(), host.stored());
    assertEquals(List.of(), host.all());
    // and the next snapshot works
    host.ok("snapshot", "shop");
    assertEquals(1, host.all().size());
  }

  @Test
  void aPasswordIsInNoProcessArgvWhileItDumps() throws Exception {
    host.component(PgHost.APPC, "appdb", "01.sql", "CREATE TABLE t (v text);\nINSERT INTO t VALUES ('by app');\n");
    CliRun activated = host.on(PgHost.APPC, "activate", "appdb");
    assertEquals(0, activated.code(), activated.toString());
    assertEquals("app", PG.owner("appdb"));

    try (PgSession blocker = PgSession.open(PG, "appdb")) {
      blocker.run("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<CliRun> snapshot =
          CompletableFuture.supplyAsync(() -> host.on(PgHost.APPC, "snapshot", "appdb"));
      awaitBlockedDump("appdb", "app");

      // pg_dump is connected with the password and waits: every argv on the machine now
      assertTrue(pgDump().isPresent(), "no pg_dump process on " + PG.socketDir());
      List<Proc> all = processes();
      for (Proc p : all) {
        assertFalse(String.join(" ", p.argv()).contains(PgServer.PASSWORD), "the password is in the argv of " + p);
      }
      assertTrue(all.stream().anyMatch(p -> p.runs("pg_dump") && String.join(" ", p.argv()).contains("-U app")),
          "no pg_dump -U app among " + all);

      blocker.run("COMMIT");
      CliRun r = snapshot.get(PgServer.GUARD_SECONDS, TimeUnit.SECONDS);
      assertEquals(0, r.code(), r.toString());
      assertFalse(r.stderr().contains(PgServer.PASSWORD), r.stderr());
    }
    String path = host.all().get(0);
    assertTrue(path.startsWith("appc/appdb/"), path);
    assertTrue(host.dump(path).contains("by app"));
  }

  /** Waits (bounded) until pg_dump, connected to {@code db} as {@code role}, waits for a lock. */
  private static void awaitBlockedDump(String db, String role) throws IOException {
    String query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_dump'"
        + " AND wait_event_type = 'Lock' AND datname = '" + db + "' AND usename = '" + role + "'";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PgServer.GUARD_SECONDS);
    while (!PG.sql("postgres", query).equals("1")) {
      if (System.nanoTime() > deadline) {
        fail("pg_dump did not start waiting for the lock within " + PgServer.GUARD_SECONDS + "s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** A process and its argv, as {@code /proc/<pid>/cmdline} shows it to everyone on the machine. */
  private record Proc(long pid, List<String> argv) {
    boolean runs(String program) {
      return !argv.isEmpty() && Path.of(argv.get(0)).getFileName().toString().equals(program);
    }
  }

  /** The pg_dump connected to this class's server (argv[0] is the real binary once Debian's wrapper exec'd it). */
  private static Optional<ProcessHandle> pgDump() throws IOException {
    for (Proc p : processes()) {
      if (p.runs("pg_dump") && p.argv().contains(PG.socketDir().toString())) {
        return ProcessHandle.of(p.pid());
      }
    }
    return Optional.empty();
  }

  private static List<Proc> processes() throws IOException {
    List<Path> dirs;
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      dirs = s.filter(p -> p.getFileName().toString().matches("\\d+")).toList();
    }
    List<Proc> all = new ArrayList<>();
    for (Path dir : dirs) {
      byte[] cmdline;
      try {
        cmdline = Files.readAllBytes(dir.resolve("cmdline"));
      } catch (IOException gone) {
        continue;  // the process ended while we looked
      }
      all.add(new Proc(Long.parseLong(dir.getFileName().toString()),
          List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0"))));
    }
    return all;
  }
}
