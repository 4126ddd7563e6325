package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swap that moves a restored {@code mysql-database} in, failing or crashing at its one
 * atomic step, the multi-table {@code RENAME TABLE}: a failure is undone at once; a crash just
 * before it is undone, a crash just after it finished, by the next activate. The fault is a
 * {@code mariadb} on the PATH in front of the real one, which fails, or kills the stasis process
 * (a JVM of its own, as a crashing stasis would be), when the statement it is given is that rename.
 */
class MysqlCrashRecoveryTest {
  @RegisterExtension
  static final MariadbServer mariadb = new MariadbServer();

  @TempDir
  Path tmp;
  DysnomiaHost host;
  String snapshotDump;
  String liveDump;

  /** A shop with a snapshot, then changed: a restore would bring back {@link #snapshotDump} over {@link #liveDump}. */
  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    mariadb.container(host, "mdb");
    MysqlShop.component(host, "mdb", "shop");
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    host.ok("-o", "snapshot", "-C", "mdb", "-c", "shop");
    snapshotDump = mariadb.dump("shop");
    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7);\nDROP VIEW cheapest;\n"
        + "CREATE TABLE extra (x INT)");
    liveDump = mariadb.dump("shop");
  }

  /** A directory with a {@code mariadb} that does {@code fault} when it is given the swap's RENAME TABLE. */
  private Path faulty(String fault) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("faulty-" + fault.hashCode()));
    DysnomiaHost.script(bin.resolve("mariadb"),
        "#!/bin/sh",
        "PATH=/usr/bin:/bin",
        "input=$(mktemp)",
        "cat > \"$input\"",
        "if grep -q '^RENAME TABLE' \"$input\"; then",
        "  " + fault,
        "fi",
        "/usr/bin/mariadb \"$@\" < \"$input\"; status=$?; rm -f \"$input\"; exit $status");
    return bin;
  }

  /** Runs {@code dysnomia ARGS} in a JVM of its own, with {@code bin} first on its PATH, and expects it killed. */
  private void crashes(Path bin, String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Launchers.java(DysnomiaCommand.class, args))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("separately.log").toFile());
    pb.environment().put("DYSNOMIA_STATEDIR", host.store.toString());
    pb.environment().put("DYSNOMIA_CONTAINERS_PATH", host.containers.toString());
    pb.environment().put("DYSNOMIA_COMPONENTS_PATH", host.components.toString());
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    Process p = pb.start();
    if (!p.waitFor(MariadbServer.GUARD_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("dysnomia did not end:\n" + Files.readString(tmp.resolve("separately.log")));
    }
    assertEquals(137, p.exitValue(), () -> "dysnomia was not killed:\n" + read(tmp.resolve("separately.log")));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private List<String> triggers() throws IOException {
    return mariadb.rows("", "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'shop'");
  }

  @Test
  void aFailingSwapIsUndoneAndTheLiveDatabaseIsAsItWas() throws IOException {
    host.env("PATH", faulty("echo 'ERROR 9999: injected' >&2; rm -f \"$input\"; exit 1") + ":/usr/bin:/bin");
    CliRun r = host.dysnomia("-o", "restore", "-C", "mdb", "-c", "shop");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("injected"), r.stderr());
    // the live triggers, dropped so the tables could move, are back
    assertEquals(List.of("items_audit"), triggers());
    assertEquals(liveDump, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }

  @Test
  void aCrashJustBeforeTheSwapIsUndoneByTheNextActivate() throws Exception {
    Path bin = faulty("kill -9 $PPID; rm -f \"$input\"; exit 1");
    crashes(bin, "-o", "restore", "-C", "mdb", "-c", "shop");

    // what the crash left: the journal, the loaded copy beside, the live tables without triggers
    List<String> left = mariadb.databases();
    assertTrue(left.contains("shop") && left.stream().anyMatch(d -> d.endsWith("_journal"))
        && left.stream().anyMatch(d -> d.endsWith("_load")), left.toString());
    assertEquals(List.of(), triggers());
    // a snapshot of that would not be the database as it was: refused, nothing stored
    CliRun snapshot = host.dysnomia("-o", "snapshot", "-C", "mdb", "-c", "shop");
    assertEquals(1, snapshot.code(), snapshot.toString());
    assertTrue(snapshot.stderr().contains("interrupted"), snapshot.stderr());
    assertEquals(1, host.all().size());

    CliRun activate = host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    assertTrue(activate.stderr().contains("undoing an interrupted restore"), activate.stderr());
    assertEquals(liveDump, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }

  @Test
  void aCrashJustAfterTheSwapIsFinishedByTheNextActivate() throws Exception {
    Path bin = faulty("/usr/bin/mariadb \"$@\" < \"$input\"; kill -9 $PPID; rm -f \"$input\"; exit 1");
    crashes(bin, "-o", "restore", "-C", "mdb", "-c", "shop");

    // what the crash left: the restored tables live, without their triggers and with the old views
    assertEquals(List.of("1\tapple\t1", "2\tbread\t2"), mariadb.rows("shop", "SELECT * FROM items ORDER BY id"));
    assertEquals(List.of(), triggers());
    assertTrue(mariadb.databases().stream().anyMatch(d -> d.endsWith("_journal")), mariadb.databases().toString());

    CliRun activate = host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    assertTrue(activate.stderr().contains("finishing an interrupted restore"), activate.stderr());
    assertEquals(snapshotDump, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }
}
