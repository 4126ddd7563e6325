package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.mysql.MysqlModule;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.ComponentRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of a {@code mysql-database} component that must store nothing (server stopped,
 * database missing, dumper killed mid-stream), and the password, which must never show in any
 * process's argv while a dump runs.
 */
class MysqlDumpFailureTest {
  @RegisterExtension
  static final MariadbServer mariadb = new MariadbServer();

  @TempDir
  Path tmp;
  DysnomiaHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    mariadb.container(host, "mdb");
    MysqlShop.component(host, "mdb", "shop");
  }

  /** Nothing in the store's snapshots, checksums or generations, and no staging file left. */
  private void nothingStored() throws IOException {
    assertEquals(List.of(), Launchers.committed(host.store));
    assertEquals(List.of(), DysnomiaHost.names(host.store.resolve(".stasis/tmp")).stream()
        .filter(n -> !n.startsWith(".")).toList());
  }

  @Test
  void aStoppedServerFailsTheSnapshotAndStoresNothing() throws IOException {
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    mariadb.stop();
    try {
      CliRun r = host.dysnomia("-o", "snapshot", "-C", "mdb", "-c", "shop");
      assertEquals(1, r.code(), r.toString());
      assertTrue(r.stderr().contains("Can't connect"), r.stderr());
      nothingStored();
    } finally {
      mariadb.start();
    }
  }

  @Test
  void aMissingDatabaseIsNotFoundAndStoresNothing() throws IOException {
    CliRun r = host.dysnomia("-o", "snapshot", "-C", "mdb", "-c", "shop");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.stderr().contains("no database shop"), r.stderr());
    nothingStored();
  }

  @Test
  void aDumperKilledMidStreamStoresNoSnapshotAndNoGeneration() throws Exception {
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    mariadb.sql("shop", "INSERT INTO audit (item, what) SELECT 1, REPEAT('x', 20) FROM seq_1_to_5000");
    CliRun r;
    try (MariadbSession app = new MariadbSession(mariadb, "shop")) {
      // audit is dumped, then the dump waits for items, which the application holds
      app.run("LOCK TABLES items WRITE");
      CompletableFuture<CliRun> snapshot = CompletableFuture.supplyAsync(
          () -> host.dysnomia("-o", "snapshot", "-C", "mdb", "-c", "shop"));
      awaitDumpWaiting("root", snapshot);
      ProcessHandle dumper = dumper().orElseThrow();
      dumper.destroyForcibly();
      r = snapshot.get();
    }
    assertNotEquals(0, r.code(), r.toString());
    assertTrue(r.stderr().contains("nothing was stored"), r.stderr());
    nothingStored();
    assertEquals(List.of(), host.all());
  }

  @Test
  void thePasswordIsInNoProcesssArgvWhileTheDumpRuns() throws Exception {
    mariadb.container(host, "mdb", "mysqlUsername=app", "mysqlPassword='" + MariadbServer.PASSWORD + "'");
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    List<String> before = optionDirs();
    CliRun r;
    try (MariadbSession app = new MariadbSession(mariadb, "shop")) {
      app.run("LOCK TABLES items WRITE");
      CompletableFuture<CliRun> snapshot = CompletableFuture.supplyAsync(
          () -> host.dysnomia("-o", "snapshot", "-C", "mdb", "-c", "shop"));
      awaitDumpWaiting("app", snapshot);

      // every process's argv, and the environment of ours: no password
      List<String> seen = new ArrayList<>();
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
          String argv = read(proc.resolve("cmdline"));
          assertFalse(argv.contains(MariadbServer.SECRET), () -> proc + " has the password in its argv: " + argv);
          seen.add(argv);
        }
      }
      ProcessHandle dumper = dumper().orElseThrow(() -> new AssertionError("no mariadb-dump among " + seen));
      String environ = read(Path.of("/proc", Long.toString(dumper.pid()), "environ"));
      assertFalse(environ.contains(MariadbServer.SECRET), environ);
      assertFalse(environ.contains("MYSQL_PWD"), environ);

      // the password is in an option file only its owner can read, named first on the command line
      List<String> argv = List.of(read(Path.of("/proc", Long.toString(dumper.pid()), "cmdline")).split("\0"));
      assertTrue(argv.get(1).startsWith("--defaults-extra-file="), argv.toString());
      Path optionFile = Path.of(argv.get(1).substring("--defaults-extra-file=".length()));
      assertTrue(Files.readString(optionFile).contains(MariadbServer.SECRET));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(optionFile)));
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(optionFile.getParent())));

      app.run("UNLOCK TABLES");
      r = snapshot.get();
      assertEquals(0, r.code(), r.toString());
      assertTrue(Files.notExists(optionFile), "the option file is deleted after the dump");
    }
    assertEquals(1, host.all().size());
    // the other operations clean up after themselves as well
    mariadb.sql("shop", "DELETE FROM audit");
    host.ok("-o", "restore", "-C", "mdb", "-c", "shop");
    assertEquals("2", mariadb.sql("shop", "SELECT COUNT(*) FROM audit"));
    assertEquals(before, optionDirs());
  }

  @Test
  void theShellConnectsWithThePasswordAndRemovesItsOptionFileWhenItEnds() throws IOException {
    mariadb.container(host, "mdb", "mysqlUsername=app", "mysqlPassword='" + MariadbServer.PASSWORD + "'");
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    Target target = new Target(new ComponentRef("mdb", "shop"), host.components.resolve("mdb/shop"),
        Map.of("mysqlUsername", "app", "mysqlPassword", MariadbServer.PASSWORD,
            "mysqlSocket", mariadb.socket().toString()),
        new Host(System.out, System.err, Map.of("PATH", System.getenv("PATH")), tmp, host.store, "stasis", false));
    List<String> shell = new MysqlModule().shellCommand(target).orElseThrow();
    assertFalse(String.join(" ", shell).contains(MariadbServer.SECRET), shell.toString());
    Path optionDir = Path.of(shell.get(4));
    assertTrue(Files.isDirectory(optionDir), shell.toString());

    String out = MariadbServer.run(shell, "SELECT CURRENT_USER(), DATABASE(), COUNT(*) FROM items;\n");
    assertTrue(out.contains("app@localhost\tshop\t2"), out);
    assertTrue(Files.notExists(optionDir), "removed when the client ended");
  }

  /** Waits until a session of {@code user} waits for a table lock: the dump has started and stopped mid-way. */
  private static void awaitDumpWaiting(String user, CompletableFuture<CliRun> snapshot) {
    MariadbSession.await("the dump waits for the locked table", () -> {
      try {
        return !mariadb.rows("", "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user + "'"
            + " AND STATE = 'Waiting for table metadata lock'").isEmpty();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }, snapshot::isDone);
  }

  /** The mariadb-dump this JVM started (through stasis). */
  private static Optional<ProcessHandle> dumper() {
    return ProcessHandle.current().descendants()
        .filter(h -> h.info().command().map(c -> c.endsWith("/mariadb-dump")).orElse(false)).findFirst();
  }

  /** The option file directories stasis made in the temp directory. */
  private static List<String> optionDirs() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("stasis-mysql")).sorted().toList();
    }
  }

  private static String read(Path file) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (var in = Files.newInputStream(file)) {
        in.transferTo(out);
      }
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";  // the process ended while we looked, or is not ours to read
    }
  }
}
