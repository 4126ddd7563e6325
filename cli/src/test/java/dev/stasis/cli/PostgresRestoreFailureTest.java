package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Restores of a {@code postgresql-database} component that must not happen: a damaged snapshot,
 * a dump from a newer pg_dump, SQL that fails half-way. Each fails with its own exit code and
 * leaves the live database exactly as it was, and no side database behind.
 */
class PostgresRestoreFailureTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;
  PgHost host;
  /** The live database's rows after the snapshot, which no failed restore may change. */
  List<String> live;

  @BeforeEach
  void setUp() throws IOException {
    host = new PgHost(tmp, PG);
    host.table("shop", "apple", "pear");
    host.ok("activate", "shop");
    host.ok("snapshot", "shop");
    PG.sql("shop", "UPDATE t SET v = 'live' WHERE id = 1; INSERT INTO t VALUES (3, 'plum')");
    live = host.values("shop");
  }

  private void assertLiveUnchanged() throws IOException {
    assertEquals(live, host.values("shop"));
    assertEquals(List.of(), host.sideDatabases());
  }

  @Test
  void checkFindsATamperedSnapshotAndRestoreRefusesIt() throws IOException {
    String path = host.all().get(0);
    host.host.damage(path);

    CliRun check = host.host.snapshots("--query-all", "--check");
    assertEquals(3, check.code(), check.toString());
    assertTrue(check.stderr().contains(path), check.stderr());

    CliRun restore = host.dysnomia("restore", "shop");
    assertEquals(3, restore.code(), restore.toString());
    assertTrue(restore.stderr().contains("Checksum mismatch detected for snapshot"), restore.stderr());
    assertLiveUnchanged();
  }

  @Test
  void aDumpFromANewerPgDumpIsRefusedBeforeAnythingIsTouched() throws IOException {
    // A real dump whose header claims pg_dump 99, with rows the live database does not have.
    String dump = host.dump(host.all().get(0))
        .replaceFirst("-- Dumped by pg_dump version [^\n]*", "-- Dumped by pg_dump version 99.0")
        .replace("\tapple\n", "\tfrom the future\n");
    importAs("future", dump);

    CliRun r = host.dysnomia("restore", "shop");

    assertEquals(2, r.code(), r.toString());
    String server = PG.sql("postgres", "SHOW server_version").split("\\.")[0];
    assertTrue(r.stderr().contains("made by pg_dump 99, newer than the PostgreSQL " + server + " server"), r.stderr());
    assertLiveUnchanged();
  }

  @Test
  void sqlThatFailsHalfWayLeavesTheLiveDatabaseUnchanged() throws IOException {
    // A bad statement after some that worked, with more to follow: small enough for psql to
    // read it all before failing, and large enough that psql stops reading while it is fed.
    for (int following : List.of(10, 50_000)) {
      StringBuilder dump = new StringBuilder("CREATE TABLE t (id int, v text);\n"
          + "INSERT INTO t VALUES (1, 'half-way');\nDROP TABLE IF EXISTS missing;\nTHIS IS NOT SQL;\n");
      for (int i = 0; i < following; i++) {
        dump.append("INSERT INTO t VALUES (").append(i + 2).append(", 'after the error');\n");
      }
      importAs("halfway-" + following, dump.toString());

      CliRun r = host.dysnomia("restore", "shop");

      assertEquals(1, r.code(), r.toString());
      // psql's own words, not a broken pipe
      assertTrue(r.stderr().contains("syntax error at or near \"THIS\""), r.stderr());
      assertTrue(r.stderr().contains("the live database is unchanged"), r.stderr());
      assertLiveUnchanged();
    }
  }

  @Test
  void aSwapThatCannotEndTheLiveSessionsLeavesEverythingAsItWas() throws Exception {
    // The role app owns its database but may not end a superuser's session on it, so the swap
    // fails after the restore was loaded beside.
    host.component(PgHost.APPC, "appdb", "01.sql",
        "CREATE TABLE t (id int, v text);\nINSERT INTO t VALUES (1, 'a');\n");
    assertEquals(0, host.on(PgHost.APPC, "activate", "appdb").code());
    assertEquals(0, host.on(PgHost.APPC, "snapshot", "appdb").code());
    PG.sql("appdb", "UPDATE t SET v = 'live'");

    try (PgSession admin = PgSession.open(PG, "appdb")) {
      CliRun r = host.on(PgHost.APPC, "restore", "appdb");

      assertNotEquals(0, r.code(), r.toString());
      assertTrue(r.stderr().contains("must be a superuser to terminate superuser process"), r.stderr());
      assertEquals(List.of("live"), admin.run("SELECT v FROM t"));
    }
    assertEquals(List.of("live"), host.values("appdb"));
    assertEquals(0, PG.asApp("appdb", "SELECT 1").exit());  // it takes connections again
    assertLiveUnchanged();
  }

  @Test
  void nothingToRestoreIsAMessageOnDysnomiaAndNotFoundOnStasis() throws IOException {
    host.table("empty", "x");
    host.ok("activate", "empty");

    CliRun dysnomia = host.ok("restore", "empty");
    assertTrue(dysnomia.stderr().contains("no snapshot to restore"), dysnomia.stderr());
    CliRun stasis = host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "empty");
    assertEquals(4, stasis.code(), stasis.toString());

    assertEquals(List.of("x"), host.values("empty"));
    assertLiveUnchanged();
  }

  @Test
  void restoreAsAnInvalidNameIsAUsageError() throws IOException {
    CliRun r = host.host.stasis("restore", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop",
        "--as", "../shop");
    assertEquals(2, r.code(), r.toString());
    assertLiveUnchanged();
  }

  /** Imports {@code dump} as the newest snapshot of pgc/shop, under an opaque (not SHA-256) name. */
  private void importAs(String name, String dump) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("import").resolve(name));
    Files.writeString(dir.resolve("dump.pgsql"), dump, StandardCharsets.UTF_8);
    CliRun r = host.host.stasis("import", "-C", PgHost.PGC, "-c", "shop", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertNotEquals(0, host.all().size());
    assertEquals("pgc/shop/" + name, host.all().get(host.all().size() - 1));
  }
}
