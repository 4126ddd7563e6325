package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code postgresql-database} component's life on a real server through {@code dysnomia}:
 * activate builds the database from the component's scripts (once, and all or nothing),
 * deactivate only marks it, collect-garbage drops only what was marked.
 */
class PostgresActivateTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;
  PgHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new PgHost(tmp, PG);
  }

  @Test
  void activateCreatesTheDatabaseAndRunsTheScriptsInNameOrder() throws IOException {
    // Written in another order than their names; each needs the ones before it by name, so in
    // any other order a table is missing or the prices come out different.
    host.component(PgHost.PGC, "shop",
        "10-prices.sql", "UPDATE item SET price = price * 2;\nINSERT INTO log VALUES ('10');\n",
        "01-schema.sql", "CREATE TABLE item (name text PRIMARY KEY, price int);\nCREATE TABLE log (step text);\n"
            + "INSERT INTO log VALUES ('01');\n",
        "02-items.sql", "INSERT INTO item VALUES ('apple', 3), ('pear', 5);\nINSERT INTO log VALUES ('02');\n",
        "notes.txt", "not a script: DROP TABLE item;\n");

    host.ok("activate", "shop");

    assertEquals(List.of("apple|6", "pear|10"), PG.rows("shop", "SELECT name, price FROM item ORDER BY name"));
    assertEquals(List.of("01", "02", "10"), PG.rows("shop", "SELECT step FROM log"));
    assertEquals("postgres", PG.owner("shop"));
    assertTrue(Files.isRegularFile(host.host.marker("activated", PgHost.PGC, "shop")));
    assertEquals(List.of(), host.sideDatabases());
  }

  @Test
  void aSecondActivateChangesNothing() throws IOException {
    host.table("shop", "one", "two");
    host.ok("activate", "shop");
    // the service writes; running the scripts again would fail on the table or reset the rows
    PG.sql("shop", "UPDATE t SET v = 'changed' WHERE id = 1; INSERT INTO t VALUES (3, 'three')");
    String before = PG.sql("shop", "SELECT xmin, * FROM t ORDER BY id");

    CliRun again = host.ok("activate", "shop");

    assertEquals(before, PG.sql("shop", "SELECT xmin, * FROM t ORDER BY id"), again.toString());
    // nor says anything: the client tools run as postgres, from a directory it may enter
    assertEquals("", again.stderr());
    assertEquals(List.of("changed", "two", "three"), host.values("shop"));
    assertEquals(List.of(), host.sideDatabases());
  }

  @Test
  void aComponentWithoutScriptsGetsAnEmptyDatabase() throws IOException {
    host.host.component(PgHost.PGC, "blank");
    host.ok("activate", "blank");
    assertEquals("0", PG.sql("blank", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
  }

  @Test
  void aFailingScriptStopsActivationAndLeavesNoDatabase() throws IOException {
    host.component(PgHost.PGC, "broken",
        "01-schema.sql", "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n",
        "02-bad.sql", "INSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);\n",  // a duplicate key
        "03-never.sql", "CREATE TABLE never_run (x int);\n");

    CliRun r = host.dysnomia("activate", "broken");

    assertNotEquals(0, r.code(), r.toString());
    assertTrue(r.stderr().contains("duplicate key"), r.stderr());
    assertTrue(r.stderr().contains("02-bad.sql"), r.stderr());
    // not the database, not the side database it was built in, no marker
    assertFalse(PG.databases().contains("broken"), PG.databases().toString());
    assertEquals(List.of(), host.sideDatabases());
    assertFalse(Files.exists(host.host.marker("activated", PgHost.PGC, "broken")));

    // once the script is fixed, the next activate builds it from scratch
    host.component(PgHost.PGC, "broken", "02-bad.sql", "INSERT INTO t VALUES (2);\n");
    host.ok("activate", "broken");
    assertEquals(List.of("1", "2"), PG.rows("broken", "SELECT id FROM t ORDER BY id"));
    assertEquals("1", PG.sql("broken", "SELECT count(*) FROM pg_tables WHERE tablename = 'never_run'"));
  }

  @Test
  void deactivateKeepsTheDataAndCollectGarbageDropsOnlyAMarkedComponent() throws IOException {
    host.table("kept", "k");
    host.table("dropped", "d");
    host.ok("activate", "kept");
    host.ok("activate", "dropped");
    PG.sql("dropped", "UPDATE t SET v = 'written by the service'");
    host.ok("snapshot", "dropped");

    host.ok("deactivate", "dropped");
    assertEquals(List.of("written by the service"), host.values("dropped"));
    assertTrue(Files.isRegularFile(host.host.marker("garbage", PgHost.PGC, "dropped")));
    assertFalse(Files.exists(host.host.marker("activated", PgHost.PGC, "dropped")));

    // not marked: nothing collected
    CliRun refused = host.ok("collect-garbage", "kept");
    assertTrue(refused.stderr().contains("not marked as garbage"), refused.stderr());
    assertEquals(List.of("k"), host.values("kept"));

    host.ok("collect-garbage", "dropped");
    assertFalse(PG.databases().contains("dropped"), PG.databases().toString());
    assertEquals(List.of("k"), host.values("kept"));
    assertFalse(Files.exists(host.host.marker("garbage", PgHost.PGC, "dropped")));
    // the data went, its snapshot stays: a redeployment can restore it
    assertEquals(1, host.all().size(), host.all().toString());
    host.ok("activate", "dropped");
    assertEquals(List.of("d"), host.values("dropped"));
    host.ok("restore", "dropped");
    assertEquals(List.of("written by the service"), host.values("dropped"));
  }
}
