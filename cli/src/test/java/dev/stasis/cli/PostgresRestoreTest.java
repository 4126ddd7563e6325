package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Restores of a {@code postgresql-database} component on a real server: the newest or an older
 * generation, under another name, while a client is connected, and from a store the real
 * Dysnomia 0.10.2 wrote. Each is built in a side database and renamed in, so none leaves one.
 */
class PostgresRestoreTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;
  PgHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new PgHost(tmp, PG);
    host.table("shop", "apple", "pear");
    host.ok("activate", "shop");
  }

  @Test
  void restoreBringsTheRowsBack() throws IOException {
    PG.sql("shop", "CREATE INDEX t_v ON t (v); CREATE VIEW fruit AS SELECT v FROM t");
    host.ok("snapshot", "shop");

    PG.sql("shop", "DELETE FROM t WHERE id = 1; DROP VIEW fruit; CREATE TABLE junk (x int)");
    CliRun r = host.ok("restore", "shop");

    assertTrue(r.stderr().contains("restored " + host.all().get(0)), r.stderr());
    assertEquals(List.of("apple", "pear"), host.values("shop"));
    assertEquals(List.of("apple", "pear"), PG.rows("shop", "SELECT v FROM fruit ORDER BY v"));
    assertEquals(List.of("t", "t_pkey", "t_v"), PG.rows("shop", "SELECT relname FROM pg_class"
        + " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i') ORDER BY 1"));
    assertEquals("0", PG.sql("shop", "SELECT count(*) FROM pg_tables WHERE tablename = 'junk'"));
    // the same owner, encoding and locale as the database it replaced
    assertEquals("postgres|UTF8|C.UTF-8", PG.sql("postgres", "SELECT pg_get_userbyid(datdba), "
        + "pg_encoding_to_char(encoding), datcollate FROM pg_database WHERE datname = 'shop'"));
    assertEquals(List.of(), host.sideDatabases());
  }

  @Test
  void restoreOfAnOlderGeneration() throws IOException {
    host.ok("snapshot", "shop");
    PG.sql("shop", "INSERT INTO t VALUES (3, 'plum')");
    host.ok("snapshot", "shop");
    PG.sql("shop", "DELETE FROM t");
    host.ok("snapshot", "shop");
    assertEquals(3, host.all().size(), host.all().toString());

    CliRun first = host.ok("restore", "shop", "--generation", "1");
    assertTrue(first.stderr().contains("restored " + host.all().get(0)), first.stderr());
    assertEquals(List.of("apple", "pear"), host.values("shop"));

    CliRun second = host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop",
        "--generation", "2");
    assertEquals(0, second.code(), second.toString());
    assertEquals(List.of("apple", "pear", "plum"), host.values("shop"));

    host.ok("restore", "shop");
    assertEquals(List.of(), host.values("shop"));
    assertEquals(List.of(), host.sideDatabases());
    // restoring took no snapshot and added no generation
    assertEquals(3, host.all().size(), host.all().toString());
  }

  @Test
  void restoreAsAnotherNameLeavesTheLiveDatabaseAsItWas() throws IOException {
    host.ok("snapshot", "shop");
    PG.sql("shop", "UPDATE t SET v = 'live' WHERE id = 2");

    CliRun r = host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop",
        "--as", "copy");

    assertEquals(0, r.code(), r.toString());
    assertEquals(List.of("apple", "pear"), host.values("copy"));
    assertEquals(List.of("apple", "live"), host.values("shop"));
    assertEquals("postgres", PG.owner("copy"));
    assertEquals(List.of(), host.sideDatabases());

    // again, over the copy: replaced, the live one still untouched
    PG.sql("copy", "DELETE FROM t");
    assertEquals(0, host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop",
        "--as", "copy").code());
    assertEquals(List.of("apple", "pear"), host.values("copy"));
    assertEquals(List.of("apple", "live"), host.values("shop"));
  }

  @Test
  void restoreEndsTheSessionsOfTheLiveDatabase() throws Exception {
    host.ok("snapshot", "shop");
    PG.sql("shop", "DELETE FROM t");
    try (PgSession app = PgSession.open(PG, "shop")) {
      String pid = app.backendPid();
      assertEquals(List.of("0"), app.run("SELECT count(*) FROM t"));

      // A connected client keeps a database from being renamed or dropped: the restore ends it.
      host.ok("restore", "shop");

      assertEquals(List.of(), PG.rows("postgres", "SELECT pid FROM pg_stat_activity WHERE pid = " + pid));
    }
    assertEquals(List.of("apple", "pear"), host.values("shop"));
    assertEquals(List.of(), host.sideDatabases());
    // and the restored database takes connections again
    try (PgSession again = PgSession.open(PG, "shop")) {
      assertEquals(List.of("2"), again.run("SELECT count(*) FROM t"));
    }
  }

  @Test
  void aNameThatSqlMustQuoteGoesThroughTheWholeCycle() throws IOException {
    // upper case, a dash, a quote, a space and '=' (which would make a bare -d argument a
    // connection string): an identifier only when quoted, never spliced into SQL or conninfo
    String name = "Shop-2024 o'clock=host\\x";
    host.component(PgHost.PGC, name, "01.sql", "CREATE TABLE t (id int, v text);\nINSERT INTO t VALUES (1, 'x');\n");
    host.ok("activate", name);
    host.ok("snapshot", name);
    PG.sql(name, "DELETE FROM t");

    host.ok("restore", name);

    assertEquals(List.of("x"), host.values(name));
    assertTrue(host.all().get(0).startsWith("pgc/" + name + "/"), host.all().toString());
    assertEquals(List.of(), host.sideDatabases());
  }

  @Test
  void aSnapshotTheRealDysnomiaWroteRestores() throws Exception {
    // The fixture's pgc/testdb: three generations of dump.pgsql.xz, named by the SHA-256 of the
    // compressed file, each with a random restrict key, a table test owned by postgres.
    Path unpacked = Files.createDirectories(tmp.resolve("dysnomia"));
    Path fixture = Path.of(getClass().getResource("/dysnomia-0.10.2-store.tar.gz").toURI());
    Process tar = new ProcessBuilder("tar", "xzf", fixture.toString(), "-C", unpacked.toString()).inheritIO().start();
    assertEquals(0, tar.waitFor());
    Path dysnomiaStore = unpacked.resolve("state");
    host.host.component(PgHost.PGC, "testdb");
    host.ok("activate", "testdb");

    // straight from the store Dysnomia wrote: its newest generation
    host.ok("restore", "testdb", "--store", dysnomiaStore.toString());
    assertEquals(List.of("Hello world", "Two", "Three"), PG.rows("testdb", "SELECT test FROM test"));
    assertEquals("postgres", PG.sql("testdb", "SELECT tableowner FROM pg_tables WHERE tablename = 'test'"));

    // imported into a stasis store (verified against their names), then any generation
    List<String> dirs = new java.util.ArrayList<>(List.of("import", "-C", PgHost.PGC, "-c", "testdb"));
    for (String generation : List.of("1", "2", "3")) {
      dirs.add(dysnomiaStore.resolve("generations/pgc/testdb").resolve(generation).toRealPath().toString());
    }
    CliRun imported = host.host.stasis(dirs.toArray(String[]::new));
    assertEquals(0, imported.code(), imported.toString());
    host.ok("restore", "testdb", "--generation", "1");
    assertEquals(List.of("Hello world"), PG.rows("testdb", "SELECT test FROM test"));
    host.ok("restore", "testdb");
    assertEquals(List.of("Hello world", "Two", "Three"), PG.rows("testdb", "SELECT test FROM test"));
    assertEquals(List.of(), host.sideDatabases());
  }
}
