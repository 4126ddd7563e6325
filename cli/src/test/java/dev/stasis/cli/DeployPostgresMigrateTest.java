package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.deploy.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stasis deploy migrate} of {@code postgresql-database} services between two local
 * targets, each with a PostgreSQL server of its own: the database arrives whole (rows, schema,
 * indexes, sequences, rights), writes in the window are refused rather than lost, a failed
 * restore deletes nothing and leaves the old database writable, and {@code --delete-state}
 * drops the old database only once the new one is in place.
 */
class DeployPostgresMigrateTest {
  @RegisterExtension
  static final PgServer A = new PgServer();
  @RegisterExtension
  static final PgServer B = new PgServer();
  private static final int CUSTOMERS = 2000;

  @TempDir
  Path tmp;
  PgFleet fleet;
  Path old;
  Path now;

  @BeforeEach
  void setUp() throws Exception {
    fleet = new PgFleet(tmp, A, B);
    old = fleet.deployment("old.toml", "shop=a");
    now = fleet.deployment("new.toml", "shop=b");
    PgFleet.fill(A, "shop", CUSTOMERS);
  }

  @Test
  void theDatabaseArrivesWholeOnTheNewTargetAndStaysOnTheOld() throws Exception {
    List<String> rows = PgFleet.rows(A, "shop");
    String schema = PgFleet.schema(A, "shop");
    assertEquals(CUSTOMERS, PgFleet.customers(A, "shop"));
    assertFalse(B.databases().contains("shop"));

    List<Outcome> done = fleet.migrate(old, now, false, false);
    assertEquals(1, done.size(), done.toString());
    assertEquals("done", done.get(0).status(), done + "\n" + fleet.messages());
    assertTrue(done.get(0).detail().contains("old state kept on a"), done.get(0).detail());

    assertEquals(rows, PgFleet.rows(B, "shop"));
    assertEquals(schema, PgFleet.schema(B, "shop"));
    assertTrue(schema.contains("CREATE UNIQUE INDEX customers_email"), schema);
    assertTrue(schema.contains("CREATE INDEX orders_by_customer"), schema);
    // the index is there and used as an index: a duplicate email is refused on B
    PgServer.Outcome duplicate = B.asApp("shop", "INSERT INTO customers (name, email) VALUES ('x', 'c1@example.org')");
    assertNotEquals(0, duplicate.exit(), duplicate.toString());
    assertTrue(duplicate.err().contains("customers_email"), duplicate.err());
    // B's copy is not locked: the lock is the old database's, and the dump holds no database settings
    assertEquals(0, B.asApp("shop", "INSERT INTO customers (name, email) VALUES ('new on b', 'b@example.org')").exit());
    assertEquals(List.of(), B.rows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'stasis\\_%'"));

    // without --delete-state the old database stays, as it was, and takes writes again
    assertTrue(A.databases().contains("shop"));
    assertEquals(rows, PgFleet.rows(A, "shop"));
    assertEquals(0, A.asApp("shop", "INSERT INTO customers (name, email) VALUES ('new on a', 'a@example.org')").exit());

    // a rerun knows it is done and restores nothing over B's new row
    List<Outcome> again = fleet.migrate(old, now, false, false);
    assertEquals("unchanged", again.get(0).status(), again.toString());
    assertEquals(List.of("new on b"), B.rows("shop", "SELECT name FROM customers WHERE email = 'b@example.org'"));
  }

  @Test
  void writesInTheWindowAreRefusedNotLost() throws Exception {
    List<String> before = PgFleet.rows(A, "shop");
    List<PgServer.Outcome> appAttempts = new ArrayList<>();
    List<String> superuserSaid = new ArrayList<>();
    List<List<String>> inTheWindow = new ArrayList<>();
    PgFleet.Window window = new PgFleet.Window().at("[target a] snapshotting shop", () -> {
      // as the application would: a new connection as its own role, which the lock refuses
      appAttempts.add(A.asApp("shop", "INSERT INTO customers (name, email) VALUES ('lost?', 'window@example.org')"));
      // a superuser may still connect (stasis dumps as one), but only to read
      try (PgSession admin = PgSession.open(A, "shop")) {
        admin.run("INSERT INTO customers (name, email) VALUES ('lost too?', 'admin@example.org')");
        superuserSaid.add(admin.stderr());
      }
      inTheWindow.add(PgFleet.rows(A, "shop"));
    });

    List<Outcome> done = fleet.migrate(old, now, false, false, window);
    assertEquals("done", done.get(0).status(), done + "\n" + fleet.messages());

    PgServer.Outcome refused = appAttempts.get(0);
    assertNotEquals(0, refused.exit(), refused.toString());
    assertTrue(refused.err().contains("too many connections for database \"shop\""), refused.err());
    assertTrue(superuserSaid.get(0).contains("cannot execute INSERT in a read-only transaction"), superuserSaid.get(0));
    assertEquals(before, inTheWindow.get(0), "nothing was written in the window");

    // B has exactly what A had when it was locked; A is unlocked and takes the write now
    assertEquals(before, PgFleet.rows(B, "shop"));
    assertEquals(before, PgFleet.rows(A, "shop"));
    PgServer.Outcome after = A.asApp("shop", "INSERT INTO customers (name, email) VALUES ('later', 'later@example.org')");
    assertEquals(0, after.exit(), after.toString());
    assertEquals(CUSTOMERS + 1, PgFleet.customers(A, "shop"));
    assertEquals(CUSTOMERS, PgFleet.customers(B, "shop"));
    assertEquals("off", A.sql("shop", "SHOW default_transaction_read_only"));
    assertEquals("-1", A.sql("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"));
  }

  @Test
  void aMigrationWhoseRestoreFailsDeletesNothingAndARerunCompletesIt() throws Exception {
    B.stop();
    boolean bDown = true;
    try {
      List<Outcome> failed = fleet.migrate(old, now, true, false);
      assertEquals(1, failed.size(), failed.toString());
      Outcome o = failed.get(0);
      assertEquals("failed", o.status(), failed.toString());
      assertTrue(o.detail().contains("-> b/postgresql-database failed"), "b's server is down when its roles are"
          + " made, before the restore: " + o.detail());
      assertTrue(o.detail().contains("nothing deleted, a unlocked"), o.detail());

      // even with --delete-state: the old database is there, whole, unlocked
      assertTrue(A.databases().contains("shop"));
      assertEquals(CUSTOMERS, PgFleet.customers(A, "shop"));
      PgServer.Outcome write = A.asApp("shop",
          "INSERT INTO customers (name, email) VALUES ('after the failure', 'failure@example.org')");
      assertEquals(0, write.exit(), write.toString());

      B.start();
      bDown = false;
    } finally {
      if (bDown) {
        B.start();
      }
    }
    assertFalse(B.databases().contains("shop"));
    List<String> rows = PgFleet.rows(A, "shop");

    // the rerun snapshots again: the row written since the failure moves too
    List<Outcome> rerun = fleet.migrate(old, now, true, false);
    assertEquals("done", rerun.get(0).status(), rerun + "\n" + fleet.messages());
    assertTrue(rerun.get(0).detail().contains("old state deleted on a"), rerun.get(0).detail());
    assertEquals(rows, PgFleet.rows(B, "shop"));
    assertEquals(List.of("after the failure"),
        B.rows("shop", "SELECT name FROM customers WHERE email = 'failure@example.org'"));
    assertFalse(A.databases().contains("shop"), "--delete-state dropped the old database once B had it");
  }

  @Test
  void deleteStateDropsTheOldDatabaseOnlyAfterTheNewOneIsInPlace() throws Exception {
    List<String> rows = PgFleet.rows(A, "shop");
    String schema = PgFleet.schema(A, "shop");
    List<List<String>> onBAtDeletion = new ArrayList<>();
    List<List<String>> aAtDeletion = new ArrayList<>();
    PgFleet.Window window = new PgFleet.Window().at("[target a] deleting the old state of shop", () -> {
      onBAtDeletion.add(PgFleet.rows(B, "shop"));
      aAtDeletion.add(A.databases());
    });

    List<Outcome> done = fleet.migrate(old, now, true, false, window);
    assertEquals("done", done.get(0).status(), done + "\n" + fleet.messages());
    assertTrue(done.get(0).detail().contains("old state deleted on a"), done.get(0).detail());

    assertEquals(rows, onBAtDeletion.get(0), "B had every row before A's database was dropped");
    assertTrue(aAtDeletion.get(0).contains("shop"));
    String said = fleet.messages();
    assertTrue(said.indexOf("[target b] restoring shop") < said.indexOf("[target a] unlocking shop")
        && said.indexOf("[target a] unlocking shop") < said.indexOf("[target a] deleting the old state of shop"),
        said);

    assertFalse(A.databases().contains("shop"));
    assertEquals(List.of(), A.rows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'stasis\\_%'"));
    assertEquals(rows, PgFleet.rows(B, "shop"));
    assertEquals(schema, PgFleet.schema(B, "shop"));

    List<Outcome> again = fleet.migrate(old, now, true, false);
    assertEquals("unchanged", again.get(0).status(), again.toString());
  }

  @Test
  void depthFirstMovesTwoDatabasesOneAtATimeToTheSameResult() throws Exception {
    PgFleet.fill(A, "depot", 700);
    Path old2 = fleet.deployment("old2.toml", "shop=a", "depot=a");
    Path now2 = fleet.deployment("new2.toml", "shop=b", "depot=b");
    List<String> shop = PgFleet.rows(A, "shop");
    List<String> depot = PgFleet.rows(A, "depot");
    String shopSchema = PgFleet.schema(A, "shop");
    String depotSchema = PgFleet.schema(A, "depot");
    List<Integer> depotWhileShopMoves = new ArrayList<>();
    List<Integer> shopWhileDepotMoves = new ArrayList<>();
    PgFleet.Window window = new PgFleet.Window()
        .at("[target a] snapshotting shop", () -> depotWhileShopMoves.add(A.asApp("depot", "SELECT 1").exit()))
        .at("[target a] snapshotting depot", () -> shopWhileDepotMoves.add(A.asApp("shop", "SELECT 1").exit()));

    List<Outcome> done = fleet.migrate(old2, now2, false, true, window);
    assertEquals(List.of("done", "done"), done.stream().map(Outcome::status).toList(), done + "\n" + fleet.messages());

    // one service at a time: the other one is not locked while this one moves
    assertEquals(List.of(0), depotWhileShopMoves);
    assertEquals(List.of(0), shopWhileDepotMoves);
    assertEquals(shop, PgFleet.rows(B, "shop"));
    assertEquals(depot, PgFleet.rows(B, "depot"));
    assertEquals(shopSchema, PgFleet.schema(B, "shop"));
    assertEquals(depotSchema, PgFleet.schema(B, "depot"));
    assertTrue(A.databases().containsAll(List.of("shop", "depot")));
    assertEquals(0, A.asApp("depot", "INSERT INTO customers (name, email) VALUES ('x', 'x@example.org')").exit());
  }

  @Test
  void breadthFirstKeepsBothDatabasesLockedForTheWholeWindow() throws Exception {
    PgFleet.fill(A, "depot", 700);
    Path old2 = fleet.deployment("old2.toml", "shop=a", "depot=a");
    Path now2 = fleet.deployment("new2.toml", "shop=b", "depot=b");
    List<String> shop = PgFleet.rows(A, "shop");
    List<String> depot = PgFleet.rows(A, "depot");
    List<Integer> depotWhileShopMoves = new ArrayList<>();
    List<Integer> shopWhileDepotMoves = new ArrayList<>();
    PgFleet.Window window = new PgFleet.Window()
        .at("[target a] snapshotting shop", () -> depotWhileShopMoves.add(A.asApp("depot", "SELECT 1").exit()))
        .at("[target b] restoring depot", () -> shopWhileDepotMoves.add(A.asApp("shop", "SELECT 1").exit()));

    List<Outcome> done = fleet.migrate(old2, now2, false, false, window);
    assertEquals(List.of("done", "done"), done.stream().map(Outcome::status).toList(), done + "\n" + fleet.messages());

    assertNotEquals(0, depotWhileShopMoves.get(0), "depot is locked before shop is snapshotted");
    assertNotEquals(0, shopWhileDepotMoves.get(0), "shop is still locked while depot is restored");
    assertEquals(shop, PgFleet.rows(B, "shop"));
    assertEquals(depot, PgFleet.rows(B, "depot"));
    assertEquals(0, A.asApp("shop", "SELECT 1").exit());
    assertEquals(0, A.asApp("depot", "SELECT 1").exit());
  }
}
