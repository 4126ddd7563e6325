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
 * A database whose objects belong to a role the new target's server lacks: a database's dump
 * names its roles (owners, grants) but does not make them, so a migration gives the new server
 * the roles it lacks of the old server's first (its {@code @globals} snapshot); roles the new
 * server has keep their own attributes.
 */
class DeployPostgresRolesTest {
  @RegisterExtension
  static final PgServer A = new PgServer();
  @RegisterExtension
  static final PgServer B = new PgServer();

  @TempDir
  Path tmp;

  @AfterEach
  void dropTheRoles() throws IOException {
    for (PgServer server : List.of(A, B)) {
      server.sql("postgres", "DROP DATABASE IF EXISTS shop WITH (FORCE)");
      server.sql("postgres", "DROP ROLE IF EXISTS shopkeeper");
      server.sql("postgres", "DROP ROLE IF EXISTS auditor");
    }
  }

  @Test
  void theRolesTheNewServerLacksAreMadeThereBeforeTheDatabase() throws Exception {
    PgFleet fleet = new PgFleet(tmp, A, B);
    Path old = fleet.deployment("old.toml", "shop=a");
    Path now = fleet.deployment("new.toml", "shop=b");
    A.sql("postgres", "CREATE ROLE shopkeeper NOLOGIN CONNECTION LIMIT 3");
    A.sql("postgres", "CREATE ROLE auditor NOLOGIN");
    B.sql("postgres", "CREATE ROLE auditor LOGIN CONNECTION LIMIT 7");
    PgFleet.fill(A, "shop", 300);
    A.sql("shop", "ALTER TABLE customers OWNER TO shopkeeper; ALTER TABLE orders OWNER TO shopkeeper;"
        + " ALTER TABLE notes OWNER TO shopkeeper; GRANT SELECT ON customers TO auditor");
    List<String> rows = PgFleet.rows(A, "shop");

    List<Outcome> moved = fleet.migrate(old, now, true, false);
    assertEquals("done", moved.get(0).status(), moved + "\n" + fleet.messages());
    assertEquals(rows, PgFleet.rows(B, "shop"));
    assertEquals(List.of("customers\tshopkeeper", "notes\tshopkeeper", "orders\tshopkeeper"),
        B.rows("shop", "SELECT tablename || chr(9) || tableowner FROM pg_tables WHERE schemaname = 'public'"
            + " ORDER BY 1"));
    assertEquals(List.of("shopkeeper\tfalse\t3"), B.rows("postgres", "SELECT rolname || chr(9) || rolcanlogin || chr(9)"
        + " || rolconnlimit FROM pg_roles WHERE rolname = 'shopkeeper'"), "made with the old server's attributes");
    assertEquals(List.of("auditor\ttrue\t7"), B.rows("postgres", "SELECT rolname || chr(9) || rolcanlogin || chr(9)"
        + " || rolconnlimit FROM pg_roles WHERE rolname = 'auditor'"), "a role B has keeps its own attributes");
    assertFalse(A.databases().contains("shop"));
    // The database itself is the container user's on B: a plain dump (no --create) holds what is
    // in the database, not the database's own owner or settings.
    assertEquals("postgres", B.owner("shop"));
  }
}
