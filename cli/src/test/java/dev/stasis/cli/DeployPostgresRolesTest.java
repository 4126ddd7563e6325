package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.deploy.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code stasis deploy migrate} does today with a database whose objects belong to a role
 * the new target's server lacks: a database's dump names its roles (owners, grants) but does not
 * make them, so the restore there fails, whole, until the role exists. Roles are the server's
 * (PostgreSQL's globals), not the database's; the migration moves databases only.
 */
class DeployPostgresRolesTest {
  @RegisterExtension
  static final PgServer A = new PgServer();
  @RegisterExtension
  static final PgServer B = new PgServer();

  @TempDir
  Path tmp;

  @AfterEach
  void dropTheRole() throws IOException {
    for (PgServer server : List.of(A, B)) {
      server.sql("postgres", "DROP DATABASE IF EXISTS shop WITH (FORCE)");
      server.sql("postgres", "DROP ROLE IF EXISTS shopkeeper");
    }
  }

  @Test
  void aRoleMissingOnTheNewServerFailsTheRestoreUntilItIsMadeThere() throws Exception {
    PgFleet fleet = new PgFleet(tmp, A, B);
    Path old = fleet.deployment("old.toml", "shop=a");
    Path now = fleet.deployment("new.toml", "shop=b");
    A.sql("postgres", "CREATE ROLE shopkeeper NOLOGIN");
    PgFleet.fill(A, "shop", 300);
    A.sql("postgres", "ALTER DATABASE shop OWNER TO shopkeeper");
    A.sql("shop", "ALTER TABLE customers OWNER TO shopkeeper; ALTER TABLE orders OWNER TO shopkeeper;"
        + " ALTER TABLE notes OWNER TO shopkeeper");
    List<String> rows = PgFleet.rows(A, "shop");

    List<Outcome> failed = fleet.migrate(old, now, true, false);
    Outcome o = failed.get(0);
    assertEquals("failed", o.status(), failed.toString());
    assertTrue(o.detail().contains("restore on b failed"), o.detail());
    assertTrue(o.detail().contains("nothing deleted, a unlocked"), o.detail());
    // psql's own message, passed through to stderr, names the role
    assertTrue(fleet.messages().contains("role \"shopkeeper\" does not exist"), fleet.messages());
    // all or nothing: the restore is one transaction in a side database, dropped on failure
    assertEquals(List.of("postgres", "template0", "template1"), B.databases());
    assertTrue(A.databases().contains("shop"));
    assertEquals(0, A.asApp("shop", "SELECT count(*) FROM customers").exit(), "A is unlocked");

    // The role made on B (by hand here; from `stasis snapshot --globals` of A, say): the rerun completes.
    B.sql("postgres", "CREATE ROLE shopkeeper NOLOGIN");
    List<Outcome> rerun = fleet.migrate(old, now, true, false);
    assertEquals("done", rerun.get(0).status(), rerun + "\n" + fleet.messages());
    assertEquals(rows, PgFleet.rows(B, "shop"));
    assertEquals(List.of("customers\tshopkeeper", "notes\tshopkeeper", "orders\tshopkeeper"),
        B.rows("shop", "SELECT tablename || chr(9) || tableowner FROM pg_tables WHERE schemaname = 'public'"
            + " ORDER BY 1"));
    assertFalse(A.databases().contains("shop"));
    // The database itself is the container user's on B, not shopkeeper's as on A: a plain dump
    // (no --create) holds what is in the database, not the database's own owner or settings.
    assertEquals("postgres", B.owner("shop"));
  }
}
