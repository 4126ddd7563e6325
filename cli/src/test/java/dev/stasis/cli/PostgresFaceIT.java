package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/dysnomia} and {@code bin/dysnomia-snapshots} as separate processes on the packaged
 * jar, driving a database on a real PostgreSQL server through its life as a deployment tool
 * such as Disnix would: activate, snapshot, change, snapshot, list, restore, check, lock.
 */
class PostgresFaceIT {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;

  @Test
  void aDatabasesLifeThroughTheLaunchers() throws Exception {
    Path container = DysnomiaHost.write(tmp.resolve("containers/pgc"), "type=postgresql-database",
        "postgresqlUsername=postgres", "postgresqlPort=" + PgServer.PORT,
        "postgresqlRuntimeDir='" + PG.socketDir() + "'");
    Path component = tmp.resolve("components/shop");
    DysnomiaHost.write(component.resolve("postgresql-databases/01-schema.sql"),
        "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);");
    DysnomiaHost.write(component.resolve("postgresql-databases/02-rows.sql"), "INSERT INTO t VALUES (1, 'apple');");
    Path store = tmp.resolve("state");
    Launchers bin = new Launchers(store);
    String[] on = {"--container", container.toString(), "--component", component.toString()};

    bin.dysnomia(args("activate", on)).ok();
    assertEquals(List.of("apple"), PG.rows("shop", "SELECT v FROM t ORDER BY id"));
    assertTrue(Files.isRegularFile(store.resolve("activated/pgc/shop")));

    bin.dysnomia(args("snapshot", on)).ok();
    PG.sql("shop", "INSERT INTO t VALUES (2, 'pear')");
    bin.dysnomia(args("snapshot", on)).ok();
    // unchanged since: no third generation
    bin.dysnomia(args("snapshot", on)).ok();

    List<String> all = bin.dysnomiaSnapshots("--query-all", "-C", "pgc").ok().lines();
    assertEquals(2, all.size(), all.toString());
    assertTrue(all.stream().allMatch(p -> p.matches("pgc/shop/[0-9a-f]{64}")), all.toString());
    assertEquals(List.of(all.get(1)), bin.dysnomiaSnapshots("--query-latest").ok().lines());

    PG.sql("shop", "DELETE FROM t; CREATE TABLE junk (x int)");
    bin.dysnomia(args("restore", on)).ok();
    assertEquals(List.of("apple", "pear"), PG.rows("shop", "SELECT v FROM t ORDER BY id"));
    assertEquals("0", PG.sql("shop", "SELECT count(*) FROM pg_tables WHERE tablename = 'junk'"));

    List<String> restoreFirst = new ArrayList<>(List.of(args("restore", on)));
    restoreFirst.addAll(List.of("--generation", "1"));
    bin.dysnomia(restoreFirst.toArray(String[]::new)).ok();
    assertEquals(List.of("apple"), PG.rows("shop", "SELECT v FROM t ORDER BY id"));

    bin.dysnomiaSnapshots("--query-all", "--check").ok();
    Path stored = store.resolve("snapshots").resolve(all.get(0)).resolve("dump.pgsql.zst");
    byte[] bytes = Files.readAllBytes(stored);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(stored, bytes);
    Result check = bin.dysnomiaSnapshots("--query-all", "--check").exits(3);
    assertTrue(check.stderr().contains(all.get(0)), check.stderr());

    // the lock is set by one process and still holds once it exited
    bin.dysnomia(args("lock", on)).ok();
    assertNotEquals(0, PG.asApp("shop", "SELECT 1").exit());
    bin.dysnomia(args("unlock", on)).ok();
    assertEquals(0, PG.asApp("shop", "SELECT 1").exit());
  }

  private static String[] args(String operation, String... on) {
    List<String> all = new ArrayList<>(List.of("--operation", operation));
    all.addAll(List.of(on));
    return all.toArray(String[]::new);
  }
}
