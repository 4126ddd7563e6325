package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores and activations of a {@code mysql-database} component that fail must leave the live
 * database as it was (SQL failing half-way, a dump of the wrong shape, a failing script); dumps
 * from elsewhere must restore: the real Dysnomia's {@code dump.sql.xz}, and MariaDB's dumps
 * through MySQL's client, which rejects their first line.
 */
class MysqlRestoreSafetyTest {
  @RegisterExtension
  static final MariadbServer mariadb = new MariadbServer();

  private static final String SANDBOX = "/*M!999999\\- enable the sandbox mode */";

  @TempDir
  Path tmp;
  DysnomiaHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    mariadb.container(host, "mdb");
    MysqlShop.component(host, "mdb", "shop");
  }

  /** Imports {@code sql} as the snapshot {@code name} (opaque: not a SHA-256) of mdb/shop, its newest generation. */
  private void importDump(String name, String file, byte[] content) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("import").resolve(name));
    Files.write(dir.resolve(file), content);
    CliRun r = host.snapshots("--import", "-C", "mdb", "-c", "shop", dir.toString());
    assertEquals(0, r.code(), r.toString());
  }

  /** The newest snapshot's logical dump, as {@code stasis dump} prints it. */
  private String latestDump() {
    CliRun r = host.stasis("dump", host.all().get(host.all().size() - 1));
    assertEquals(0, r.code(), r.toString());
    return r.out();
  }

  @Test
  void aRestoreWhoseSqlFailsHalfWayLeavesTheLiveDatabaseAsItWas() throws IOException {
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    host.ok("-o", "snapshot", "-C", "mdb", "-c", "shop");
    // the first table is dropped, recreated and filled, then a statement fails
    String good = latestDump();
    int cut = good.indexOf("UNLOCK TABLES;\n") + "UNLOCK TABLES;\n".length();
    assertTrue(cut > 100 && good.indexOf("CREATE TABLE `items`") > cut, good);
    String bad = good.substring(0, cut) + "INSERT INTO nowhere VALUES (1);\n" + good.substring(cut);
    importDump("crafted", "dump.sql", bad.getBytes(StandardCharsets.UTF_8));

    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
    String live = mariadb.dump("shop");
    CliRun r = host.dysnomia("-o", "restore", "-C", "mdb", "-c", "shop");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("live database is unchanged") && r.stderr().contains("nowhere"), r.stderr());
    assertEquals(live, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }

  @Test
  void aDumpThatSwitchesDatabasesIsRefusedBeforeItTouchesTheLiveOne() throws IOException {
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    // made with --databases: CREATE DATABASE and USE `shop`, which would load into the live database
    byte[] dump = MariadbServer.run(List.of("mariadb-dump", "--no-defaults", "--socket=" + mariadb.socket(),
        "--user=root", "--databases", "--add-drop-database", "shop"), "").getBytes(StandardCharsets.UTF_8);
    importDump("all-of-it", "dump.sql", dump);

    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
    String live = mariadb.dump("shop");
    CliRun r = host.dysnomia("-o", "restore", "-C", "mdb", "-c", "shop");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("--databases"), r.stderr());
    assertEquals(live, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }

  @Test
  void anActivationWhoseScriptFailsLeavesNoDatabase() throws IOException {
    Path component = host.component("mdb", "broken");
    DysnomiaHost.write(component.resolve("mysql-databases/01-schema.sql"), MysqlShop.SCHEMA);
    DysnomiaHost.write(component.resolve("mysql-databases/02-data.sql"), "INSERT INTO nowhere VALUES (1);");
    DysnomiaHost.write(component.resolve("mysql-databases/03-more.sql"), "CREATE TABLE later (x INT);");

    CliRun r = host.dysnomia("-o", "activate", "-C", "mdb", "-c", "broken");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("nowhere"), r.stderr());
    assertEquals(List.of(), mariadb.databases());
    assertTrue(Files.notExists(host.marker("activated", "mdb", "broken")));

    // fixed, it runs every script, in name order, to the end
    DysnomiaHost.write(component.resolve("mysql-databases/02-data.sql"), MysqlShop.DATA);
    host.ok("-o", "activate", "-C", "mdb", "-c", "broken");
    assertEquals(List.of("broken"), mariadb.databases());
    assertEquals(List.of("audit\tBASE TABLE", "cheap\tVIEW", "cheapest\tVIEW", "items\tBASE TABLE",
        "later\tBASE TABLE"), mariadb.rows("broken", "SHOW FULL TABLES"));
  }

  @Test
  void aFailingScriptIsNamedWithItsOwnLineNumber() throws IOException {
    Path component = host.component("mdb", "broken");
    // ends in a newline, and the feed adds one after each script: six lines in the session
    DysnomiaHost.write(component.resolve("mysql-databases/01-schema.sql"),
        "CREATE TABLE items (id INT PRIMARY KEY);", "", "-- the data comes next", "CREATE TABLE more (x INT);", "");
    DysnomiaHost.write(component.resolve("mysql-databases/02-data.sql"),
        "INSERT INTO items VALUES (1);", "INSERT INTO items", "  VALUES (2);", "", "INSERT INTO nowhere VALUES (1);",
        "INSERT INTO items VALUES (3);");

    CliRun r = host.dysnomia("-o", "activate", "-C", "mdb", "-c", "broken");
    assertEquals(1, r.code(), r.toString());
    String message = r.stderr().lines().reduce((a, b) -> b).orElse("");
    assertTrue(message.contains("mysql-databases/02-data.sql, line 5: ERROR 1146") && message.contains("nowhere"),
        r.stderr());
    assertEquals(List.of(), mariadb.databases());
  }

  @Test
  void aSnapshotTheRealDysnomiaMadeRestores() throws IOException {
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    String before = withoutRoutinesAndEvents("shop");
    // Dysnomia 0.10.2's mysql-database module: mysqldump --single-transaction --quick, its last
    // line (the date) chopped, xz; the snapshot named by the SHA-256 of the xz file
    Path xz = tmp.resolve("dump.sql.xz");
    MariadbServer.run(List.of("bash", "-o", "pipefail", "-c", "mariadb-dump --no-defaults --socket='"
        + mariadb.socket() + "' --user=root --single-transaction --quick shop | head -n-1 | xz > '" + xz + "'"), "");
    String name = Trees.sha256(Files.readAllBytes(xz));
    Path dir = Files.createDirectories(tmp.resolve("dysnomia").resolve(name));
    Files.move(xz, dir.resolve("dump.sql.xz"));
    CliRun imported = host.snapshots("--import", "-C", "mdb", "-c", "shop", dir.toString());
    assertEquals(0, imported.code(), imported.toString());
    assertEquals(List.of("mdb/shop/" + name), host.all());
    // MariaDB 10.11's dumper begins with the sandbox line; MariaDB's client restores it as it is
    assertTrue(latestDump().startsWith(SANDBOX), latestDump().lines().findFirst().orElse(""));

    mariadb.sql("shop", "DELETE FROM audit;\nDELETE FROM items;\nDROP VIEW cheapest");
    host.ok("-o", "restore", "-C", "mdb", "-c", "shop");
    // Dysnomia's dumps have no routines or events: the restored database is the dump's, without them
    assertEquals(before, withoutRoutinesAndEvents("shop"));
    assertEquals("[]", mariadb.rows("", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES"
        + " WHERE ROUTINE_SCHEMA = 'shop'").toString());
    assertEquals(List.of("shop"), mariadb.databases());
  }

  /** The tables, rows, views and triggers of {@code db}: a dump without routines and events. */
  private static String withoutRoutinesAndEvents(String db) throws IOException {
    return MariadbServer.run(List.of("mariadb-dump", "--no-defaults", "--socket=" + mariadb.socket(), "--user=root",
        "--single-transaction", "--skip-dump-date", db), "");
  }

  @Test
  void mysqlsClientGetsMariadbsDumpsWithoutTheSandboxLineWhichStaysStored() throws IOException {
    Path bin = mysqlStandIn();

    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    host.ok("-o", "snapshot", "-C", "mdb", "-c", "shop");
    String stored = latestDump();
    assertTrue(stored.startsWith(SANDBOX), stored.lines().findFirst().orElse(""));
    // the stand-in refuses the stored dump as it is, as MySQL's client would
    List<String> client = List.of(bin.resolve("mysql").toString(), "--no-defaults", "--socket=" + mariadb.socket(),
        "--user=root", "--database=shop");
    Process p = new ProcessBuilder(client).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(stored.getBytes(StandardCharsets.UTF_8));
    }
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertNotEquals(0, waitFor(p), said);
    assertTrue(said.contains("Unknown command"), said);

    String before = mariadb.dump("shop");
    mariadb.sql("shop", "DELETE FROM audit;\nDELETE FROM items");
    host.ok("-o", "restore", "-C", "mdb", "-c", "shop");
    assertEquals(before, mariadb.dump("shop"));
    assertEquals(stored, latestDump());
  }

  @Test
  void theSandboxLineMysqlsClientIsSparedDoesNotShiftTheLineOfAnError() throws IOException {
    mysqlStandIn();
    Path component = host.component("mdb", "dumped");
    DysnomiaHost.write(component.resolve("mysql-databases/01-dump.sql"), SANDBOX, "CREATE TABLE items (id INT);");
    DysnomiaHost.write(component.resolve("mysql-databases/02-data.sql"), "SELECT 1;", "INSERT INTO nowhere VALUES (1);");
    CliRun r = host.dysnomia("-o", "activate", "-C", "mdb", "-c", "dumped");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("mysql-databases/02-data.sql, line 2: ERROR 1146"), r.stderr());
  }

  /**
   * MySQL 8's client as far as stasis meets it, alone on the PATH (no mariadb or mariadb-dump): its
   * version line, its refusal of the sandbox line, otherwise MariaDB's client.
   */
  private Path mysqlStandIn() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("mysql-bin"));
    DysnomiaHost.script(bin.resolve("mysql"),
        "#!/bin/sh",
        "PATH=/usr/bin:/bin",
        "for a in \"$@\"; do",
        "  [ \"$a\" = --version ] && { echo 'mysql  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)'; exit 0; }",
        "done",
        "IFS= read -r first",
        "case \"$first\" in",
        "  '" + SANDBOX + "'*) echo \"ERROR at line 1: Unknown command '\\-'.\" >&2; exit 1 ;;",
        "esac",
        "{ printf '%s\\n' \"$first\"; cat; } | /usr/bin/mariadb \"$@\"");
    Files.createSymbolicLink(bin.resolve("mysqldump"), Path.of("/usr/bin/mariadb-dump"));
    host.env("PATH", bin.toString());
    return bin;
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
