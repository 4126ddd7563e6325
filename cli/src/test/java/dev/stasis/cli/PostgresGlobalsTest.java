package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stasis snapshot -C FILE --globals}: a PostgreSQL server's roles
 * ({@code pg_dumpall --globals-only}) as the component {@code @globals} of its container,
 * deterministic like a database's dump, and loadable with psql to bring roles back.
 */
class PostgresGlobalsTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;
  PgHost host;
  String container;

  @BeforeEach
  void setUp() throws IOException {
    host = new PgHost(tmp, PG);
    container = host.containerFile(PgHost.PGC).toString();
  }

  @AfterEach
  void dropTheRolesMade() throws IOException {
    PG.sql("postgres", "DROP ROLE IF EXISTS reader");
  }

  private CliRun globals(String... more) {
    List<String> args = new ArrayList<>(List.of("snapshot", "-C", container, "--globals"));
    args.addAll(List.of(more));
    return host.host.stasis(args.toArray(String[]::new));
  }

  @Test
  void theRolesAreASnapshotOfTheirOwnThatChangesOnlyWithThem() throws IOException {
    CliRun first = globals();
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.line().matches("pgc/@globals/[0-9a-f]{64}"), first.line());
    String dump = host.dump(first.line());
    assertTrue(dump.contains("\nCREATE ROLE app;\n"), dump);
    assertTrue(dump.contains("\nCREATE ROLE postgres;\n"), dump);
    assertTrue(dump.matches("(?s).*\n\\\\restrict [0-9a-f]+\n.*"), dump);

    // unchanged roles: the same bytes, no new generation
    CliRun again = globals();
    assertEquals(first.line(), again.line(), again.toString());
    assertEquals(List.of(first.line()), host.all());

    PG.sql("postgres", "CREATE ROLE reader NOLOGIN; GRANT app TO reader");
    CliRun changed = globals();
    assertNotEquals(first.line(), changed.line());
    assertEquals(List.of(first.line(), changed.line()), host.all());
    assertTrue(host.dump(changed.line()).contains("\nGRANT app TO reader GRANTED BY postgres;\n"),
        host.dump(changed.line()));

    String meta = Files.readString(host.host.store.resolve(".stasis/meta").resolve(changed.line()));
    assertTrue(meta.lines().anyMatch(l -> l.startsWith("attr.dumper=pg_dumpall (PostgreSQL) ")), meta);
    assertEquals(0, host.host.snapshots("--query-all", "--check").code());
  }

  @Test
  void psqlBringsADroppedRoleBackFromTheSnapshot() throws Exception {
    PG.sql("postgres", "CREATE ROLE reader NOLOGIN; GRANT app TO reader");
    String path = globals().line();
    PG.sql("postgres", "DROP ROLE reader");

    // As the README says: pipe it into psql; the roles that exist say so and stay as they are.
    try (PgSession psql = PgSession.open(PG, "postgres")) {
      psql.run(host.dump(path));
      assertTrue(psql.stderr().contains("role \"postgres\" already exists"), psql.stderr());
    }
    assertEquals(List.of("app"), PG.rows("postgres", "SELECT b.rolname FROM pg_auth_members m"
        + " JOIN pg_roles r ON r.oid = m.member JOIN pg_roles b ON b.oid = m.roleid WHERE r.rolname = 'reader'"));
  }

  @Test
  void globalsAreOnlyForAPostgresqlContainerAndOnlySnapshotted() throws IOException {
    assertEquals(2, globals("-c", "shop").code());
    assertEquals(2, host.host.stasis("snapshot", "--globals", tmp.toString()).code());
    host.host.directoryContainer("files");
    CliRun files = host.host.stasis("snapshot", "-C", "files", "--globals");
    assertEquals(2, files.code(), files.toString());
    assertTrue(files.stderr().contains("only postgresql-database containers"), files.stderr());

    // no database is named @globals, nor may stasis restore the roles over a live server's
    String path = globals().line();
    CliRun restore = host.host.stasis("restore", "-C", container, "-c", "@globals");
    assertNotEquals(0, restore.code(), restore.toString());
    assertFalse(PG.databases().contains("@globals"));
    assertTrue(host.dump(path).contains("CREATE ROLE app;"));
  }
}
