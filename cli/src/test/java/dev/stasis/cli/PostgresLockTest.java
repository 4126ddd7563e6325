package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dysnomia -o lock} and {@code unlock} of a {@code postgresql-database} component: while
 * locked, the database takes no new connections but superusers' (so stasis can still dump it),
 * their sessions are read-only, and sessions open at the lock are ended. The lock is kept in the
 * catalog, so it outlasts the process that set it (and the server's restart); unlock puts the
 * previous connection limit back.
 */
class PostgresLockTest {
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
    PG.sql("postgres", "ALTER DATABASE shop CONNECTION LIMIT 7");
  }

  private String connectionLimit(String db) throws IOException {
    return PG.sql("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = '" + db + "'");
  }

  @Test
  void aLockedDatabaseRefusesNewConnectionsAndWritesUntilUnlocked() throws Exception {
    assertEquals(0, PG.asApp("shop", "SELECT 1").exit());
    try (PgSession open = PgSession.open(PG, "shop")) {
      String pid = open.backendPid();

      host.ok("lock", "shop");

      // the session open at the lock could still write: it was ended
      assertEquals(List.of(), PG.rows("postgres", "SELECT pid FROM pg_stat_activity WHERE pid = " + pid));
    }

    // Checked from new processes after dysnomia and all it started have exited: the catalog keeps the lock.
    PgServer.Outcome refused = PG.asApp("shop", "SELECT 1");
    assertNotEquals(0, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("too many connections for database \"shop\""), refused.err());
    assertEquals("on", PG.sql("shop", "SHOW default_transaction_read_only"));
    try (PgSession superuser = PgSession.open(PG, "shop")) {
      superuser.run("INSERT INTO t VALUES (2, 'pear')");
      assertTrue(superuser.stderr().contains("cannot execute INSERT in a read-only transaction"), superuser.stderr());
    }
    assertEquals(List.of("apple"), host.values("shop"));

    // a snapshot still works: stasis dumps as the superuser, and a dump only reads
    host.ok("snapshot", "shop");
    assertEquals(1, host.all().size());
    assertTrue(host.dump(host.all().get(0)).contains("\n1\tapple\n"));

    host.ok("unlock", "shop");
    assertEquals("7", connectionLimit("shop"));
    assertEquals("off", PG.sql("shop", "SHOW default_transaction_read_only"));
    assertEquals(List.of(), PG.rows("postgres", "SELECT setconfig FROM pg_db_role_setting"
        + " WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = 'shop')"));
    PgServer.Outcome allowed = PG.asApp("shop", "SELECT 1");
    assertEquals(0, allowed.exit(), allowed.toString());
    PG.sql("shop", "INSERT INTO t VALUES (2, 'pear')");
    assertEquals(List.of("apple", "pear"), host.values("shop"));
  }

  @Test
  void theLockOutlastsAServerRestartAndASecondLockKeepsTheFirstSavedLimit() throws IOException {
    host.ok("lock", "shop");
    assertEquals("0", connectionLimit("shop"));
    // locking again must not save 0 as the limit to restore
    host.ok("lock", "shop");

    PG.stop();
    PG.start();
    assertNotEquals(0, PG.asApp("shop", "SELECT 1").exit());
    assertEquals("on", PG.sql("shop", "SHOW default_transaction_read_only"));

    host.ok("unlock", "shop");
    assertEquals("7", connectionLimit("shop"));
    // unlocking what is not locked changes nothing
    host.ok("unlock", "shop");
    assertEquals("7", connectionLimit("shop"));
    assertEquals(0, PG.asApp("shop", "SELECT 1").exit());
  }

  @Test
  void lockingAMissingDatabaseIsNotFound() throws IOException {
    host.host.component(PgHost.PGC, "nowhere");
    CliRun r = host.dysnomia("lock", "nowhere");
    assertEquals(4, r.code(), r.toString());
  }

  @Test
  void aRoleThatMayNotKeepTheSavedLimitIsToldWhatToGrant() throws IOException {
    host.component(PgHost.APPC, "appdb", "01.sql", "CREATE TABLE t (v text);\n");
    assertEquals(0, host.on(PgHost.APPC, "activate", "appdb").code());

    // PostgreSQL 15 lets only superusers, and roles granted it, set a custom parameter
    CliRun refused = host.on(PgHost.APPC, "lock", "appdb");
    assertNotEquals(0, refused.code(), refused.toString());
    assertTrue(refused.stderr().contains("GRANT SET ON PARAMETER stasis.saved_connlimit TO app"), refused.stderr());
    assertEquals("-1", connectionLimit("appdb"));
    assertEquals(0, PG.asApp("appdb", "INSERT INTO t VALUES ('still writable')").exit());

    PG.sql("postgres", "GRANT SET ON PARAMETER stasis.saved_connlimit TO app");
    assertEquals(0, host.on(PgHost.APPC, "lock", "appdb").code());
    // the owner is no superuser: it is locked out too, until it unlocks (from the maintenance database)
    assertNotEquals(0, PG.asApp("appdb", "SELECT 1").exit());
    assertEquals(0, host.on(PgHost.APPC, "unlock", "appdb").code());
    assertEquals("-1", connectionLimit("appdb"));
    assertEquals(0, PG.asApp("appdb", "INSERT INTO t VALUES ('writable again')").exit());
  }
}
