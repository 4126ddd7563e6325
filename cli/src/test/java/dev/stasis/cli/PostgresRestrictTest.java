package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * pg_dump's {@code \restrict} key, which keeps psql from running meta-commands (such as
 * {@code \!}, a shell) hidden in a dump: stasis's dumps carry a key derived from the store's
 * secret, which no other user sees in any process's argv or environment while a dump runs;
 * and a restore never runs a meta-command from a dump, whether it came from pg_dump, from
 * {@code --stdin} or from the real Dysnomia.
 */
class PostgresRestrictTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();
  private static final Pattern RESTRICT = Pattern.compile("(?m)^\\\\restrict ([A-Za-z0-9]+)$");

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
  void theRestrictKeyIsInNoProcesssArgvOrEnvironmentWhileADumpRuns() throws Exception {
    CliRun snapshot;
    List<String> seen = new ArrayList<>();
    try (PgSession blocker = PgSession.open(PG, "shop")) {
      // pg_dump waits for this lock, so it is alive while every process is looked at
      blocker.run("BEGIN");
      blocker.run("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<CliRun> running = CompletableFuture.supplyAsync(() -> host.dysnomia("snapshot", "shop"));
      awaitPgDumpWaiting();
      for (Path proc : processes()) {
        seen.add(read(proc.resolve("cmdline")) + " " + read(proc.resolve("environ")));
      }
      blocker.run("COMMIT");
      snapshot = running.get(PgServer.GUARD_SECONDS, TimeUnit.SECONDS);
    }
    assertEquals(0, snapshot.code(), snapshot.toString());
    assertTrue(seen.stream().anyMatch(s -> s.contains("pg_dump")), "pg_dump was not seen running: " + seen);

    String dump = host.dump(host.all().get(0));
    Matcher key = RESTRICT.matcher(dump);
    assertTrue(key.find(), "the dump keeps its \\restrict line");
    for (String process : seen) {
      assertFalse(process.contains(key.group(1)), "the key is visible: " + process);
      assertFalse(process.contains("restrict-key"), "a restrict key is visible: " + process);
    }
    assertTrue(dump.strip().endsWith("\\unrestrict " + key.group(1)), "the dump ends with its \\unrestrict line");
  }

  @Test
  void unchangedDatabasesDumpToTheSameBytesAndComponentsGetKeysOfTheirOwn() throws IOException {
    host.table("depot", "pear");
    host.ok("activate", "depot");
    host.ok("snapshot", "shop");
    host.ok("snapshot", "shop");
    host.ok("snapshot", "depot");
    List<String> all = host.all();
    assertEquals(2, all.size(), all.toString());
    Matcher shop = RESTRICT.matcher(host.dump(all.get(1)));
    Matcher depot = RESTRICT.matcher(host.dump(all.get(0)));
    assertTrue(shop.find() && depot.find());
    assertNotEquals(shop.group(1), depot.group(1));
  }

  @Test
  void aRestoreRunsNoMetaCommandFromAStdinDump() throws IOException {
    Path marker = escapeMarker();
    String hostile = "\\! touch " + marker + "\nCREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);\n"
        + "INSERT INTO t VALUES (1, 'stolen');\n";
    CliRun stored = CliRun.stasisWithInput(host.host.store, hostile.getBytes(StandardCharsets.UTF_8),
        "snapshot", "--stdin", "-C", PgHost.PGC, "-c", "shop", "--name", "dump.pgsql");
    assertEquals(0, stored.code(), stored.toString());

    CliRun restore = host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop");
    assertNotEquals(0, restore.code(), restore.toString());
    assertFalse(Files.exists(marker), "a restore ran the dump's shell escape");
    assertEquals(List.of("apple"), host.values("shop"), "the live database changed");
    assertEquals(List.of(), host.sideDatabases());
  }

  @Test
  void aRestoreRunsNoMetaCommandAfterADumpsOwnUnrestrict() throws IOException {
    host.ok("snapshot", "shop");
    String dump = host.dump(host.all().get(0));
    Matcher key = RESTRICT.matcher(dump);
    assertTrue(key.find());
    Path marker = escapeMarker();
    // someone who read the key in an old dump planted it, with a command after it
    String hostile = dump.replace("\\unrestrict " + key.group(1) + "\n",
        "\\unrestrict " + key.group(1) + "\n\\! touch " + marker + "\n");
    CliRun stored = CliRun.stasisWithInput(host.host.store, hostile.getBytes(StandardCharsets.UTF_8),
        "snapshot", "--stdin", "-C", PgHost.PGC, "-c", "shop", "--name", "dump.pgsql");
    assertEquals(0, stored.code(), stored.toString());

    PG.sql("shop", "DELETE FROM t");
    CliRun restore = host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop");
    assertNotEquals(0, restore.code(), restore.toString());
    assertFalse(Files.exists(marker), "a restore ran the dump's shell escape");
    assertEquals(List.of(), host.values("shop"), "the live database changed");
  }

  @Test
  void aDumpWithItsRestrictLinesRestores() throws IOException {
    host.ok("snapshot", "shop");
    PG.sql("shop", "UPDATE t SET v = 'changed'");
    host.ok("restore", "shop");
    assertEquals(List.of("apple"), host.values("shop"));
  }

  /** Where a shell escape run as the server's user would leave a file: a directory anyone may write. */
  private Path escapeMarker() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("open"));
    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir.resolve("escaped");
  }

  /** Until a backend of pg_dump waits for a lock. */
  private static void awaitPgDumpWaiting() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PgServer.GUARD_SECONDS);
    while (PG.rows("postgres", "SELECT 1 FROM pg_stat_activity WHERE application_name = 'pg_dump'"
        + " AND wait_event_type = 'Lock'").isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("pg_dump never waited for the lock");
      }
      Thread.onSpinWait();
    }
  }

  private static List<Path> processes() throws IOException {
    List<Path> all = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
        .matches("\\d+"))) {
      s.forEach(all::add);
    }
    return all;
  }

  /** A /proc file with NULs as spaces; empty when the process is gone or not ours to read. */
  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
