package dev.stasis.cli;

import static dev.stasis.cli.DeploymentFile.HERE;
import static dev.stasis.cli.DeploymentFile.THERE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stasis deploy migrate} of a PostgreSQL database between two real servers, one per target:
 * {@code here} (local) and {@code there}, reached over a real sshd ({@link SshServer}); the
 * database moves with its rows, and the source is unlocked afterwards, also when the ssh channel
 * to it dies half-way.
 */
class DeploySshPostgresIT {
  @RegisterExtension
  static final SshServer SSH = new SshServer();
  @RegisterExtension
  static final PgServer PG_HERE = new PgServer();
  @RegisterExtension
  static final PgServer PG_THERE = new PgServer();
  private static final String ROWS = "SELECT id || ':' || v FROM t ORDER BY id";
  private static final String CONTAINER = "postgresql-database";

  @TempDir
  Path tmp;

  private Path coordinator;
  private Launchers bin;
  private DeploymentFile files;

  @BeforeEach
  void setUp() {
    coordinator = tmp.resolve("coordinator");
    bin = new Launchers(coordinator);
    files = new DeploymentFile(tmp, SSH);
    files.container(HERE, CONTAINER, container(PG_HERE));
    files.container(THERE, CONTAINER, container(PG_THERE));
  }

  /** A container on {@code pg}: the superuser, by peer authentication as root, on its socket. */
  private static Map<String, String> container(PgServer pg) {
    return Map.of("postgresqlUsername", "postgres", "postgresqlPort", Integer.toString(PgServer.PORT),
        "postgresqlRuntimeDir", pg.socketDir().toString());
  }

  @Test
  void aDatabaseMovesToTheSshTargetWithItsRows() throws Exception {
    table(PG_HERE, 300);
    List<String> rows = PG_HERE.rows("shop", ROWS);
    assertEquals(300, rows.size());
    Path old = files.write("old.toml", "shop=here/" + CONTAINER);
    Path now = files.write("new.toml", "shop=there/" + CONTAINER);

    Result moved = bin.stasis("deploy", "migrate", "--store", coordinator.toString(), "--from", old.toString(),
        "--to", now.toString()).ok();
    assertEquals(List.of("shop\tmigrate\tdone\there -> there, old state kept on here"), moved.lines(),
        moved.stderr());
    assertEquals(rows, PG_THERE.rows("shop", ROWS));
    assertEquals(rows, PG_HERE.rows("shop", ROWS), "the old database is kept without --delete-state");
    assertUnlocked(PG_HERE);

    bin.stasis("deploy", "migrate", "--store", coordinator.toString(), "--from", old.toString(), "--to",
        now.toString(), "--delete-state").ok();
    assertFalse(PG_HERE.databases().contains("shop"), "--delete-state kept the old database");
    assertEquals(rows, PG_THERE.rows("shop", ROWS));
  }

  /**
   * The source database is locked (no connections, read-only) for the migration. When the
   * channel to it dies, the coordinator cannot unlock it; the agent there does, as its channel ends.
   */
  @Test
  void aChannelThatDiesHalfWayLeavesTheSourceUnlockedOnTheSshTarget() throws Exception {
    table(PG_THERE, 3000);
    List<String> rows = PG_THERE.rows("shop", ROWS);
    Path old = files.write("old.toml", "shop=there/" + CONTAINER);
    Path now = files.write("new.toml", "shop=here/" + CONTAINER);
    String real = files.stasis;
    files.stasis = files.dyingStasis(DeploymentFile.Cut.ANSWERS, 16 << 10);
    Path oldDying = files.write("old-dying.toml", "shop=there/" + CONTAINER);

    Result failed;
    List<ProcessHandle> sessions;
    try (Running migrate = bin.start(Launchers.launcher("stasis", "deploy", "migrate", "--store",
        coordinator.toString(), "--from", oldDying.toString(), "--to", now.toString(), "--delete-state"))) {
      migrate.stdin().close();
      migrate.awaitStderr("[target there] " + DeploymentFile.HELD);
      sessions = SSH.sessions();
      assertEquals("0", PG_THERE.sql("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"),
          "the source is not locked while it is sent");
      SshServer.killClientOf(migrate);
      failed = migrate.finish();
    }
    failed.exits(1);
    assertTrue(failed.out().startsWith("shop\tmigrate\tfailed\tthere -> here: send to the coordinator failed: lost"
        + " the connection to the stasis agent on target there"), () -> failed.out() + failed.stderr());
    SSH.awaitEnd(sessions);
    assertUnlocked(PG_THERE);
    assertEquals(rows, PG_THERE.rows("shop", ROWS));
    assertFalse(PG_HERE.databases().contains("shop"), "a restore happened here");

    files.stasis = real;
    bin.stasis("deploy", "migrate", "--store", coordinator.toString(), "--from", old.toString(), "--to",
        now.toString()).ok();
    assertEquals(rows, PG_HERE.rows("shop", ROWS));
    assertUnlocked(PG_THERE);
  }

  /** A database {@code shop} on {@code pg} with a table {@code t} of {@code n} rows of hashes (compressing little). */
  private static void table(PgServer pg, int n) throws Exception {
    pg.sql("postgres", "CREATE DATABASE shop");
    pg.sql("shop", "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);\n"
        + "INSERT INTO t SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)"
        + " FROM generate_series(1, " + n + ") g;");
  }

  /** The lock's marks are gone: the connection limit back, no read-only default, nothing saved. */
  private static void assertUnlocked(PgServer pg) throws Exception {
    assertEquals("-1", pg.sql("postgres", "SELECT datconnlimit FROM pg_database WHERE datname = 'shop'"));
    assertEquals("", pg.sql("postgres", "SELECT s FROM pg_db_role_setting r, unnest(r.setconfig) s"
        + " WHERE r.setdatabase = (SELECT oid FROM pg_database WHERE datname = 'shop')"));
  }
}
