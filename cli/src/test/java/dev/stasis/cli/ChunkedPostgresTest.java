package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code postgresql-database} container with {@code compression=chunked}, on a real server: a
 * database of some 20 MiB of dump whose second generation, after an update of a contiguous 1%
 * of its rows, stores a few new chunks; both generations restore through the module (a damaged
 * chunk stops a restore before it swaps anything in); and {@code export-dysnomia} gives the real
 * Dysnomia's restore a snapshot it reads.
 */
class ChunkedPostgresTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();
  private static final String CONTAINER = "pgchunked";
  private static final int ROWS = 200_000;
  /** Counts and hashes the whole table, so two states compare as one line. */
  private static final String CONTENT =
      "SELECT count(*) || ' ' || md5(string_agg(id || ':' || v, ',' ORDER BY id)) FROM t";

  @TempDir
  Path tmp;
  PgHost host;
  Path containerFile;

  @BeforeEach
  void setUp() throws IOException {
    // The store lies where the server's user may walk, as /var/state/dysnomia does: the real
    // Dysnomia's restore reads the snapshot as postgres.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    host = new PgHost(tmp, PG);
    containerFile = host.host.container(CONTAINER, "type=postgresql-database", "postgresqlUsername=postgres",
        "postgresqlPort=" + PgServer.PORT, "postgresqlRuntimeDir=" + PG.socketDir(), "compression=chunked");
    // about 105 bytes a row in the dump: some 20 MiB, about a dozen chunks
    host.component(CONTAINER, "shop", "01-schema.sql", "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);\n",
        "02-rows.sql", "INSERT INTO t SELECT i, repeat(md5(i::text), 3) FROM generate_series(1, " + ROWS + ") i;\n");
    ok("activate");
  }

  /** {@code dysnomia -o OPERATION -C pgchunked -c shop MORE…}, which must exit 0. */
  private CliRun ok(String operation, String... more) {
    CliRun r = host.on(CONTAINER, operation, "shop", more);
    assertEquals(0, r.code(), () -> "dysnomia -o " + operation + ": " + r);
    return r;
  }

  private String content() throws IOException {
    return PG.sql("shop", CONTENT);
  }

  private List<String> generations() {
    CliRun r = host.host.snapshots("--query-all", "-C", CONTAINER);
    assertEquals(0, r.code(), r.toString());
    return r.lines();
  }

  @Test
  void aClusteredUpdateCostsFewChunksAndEveryGenerationRestores() throws IOException {
    ok("snapshot");
    String first = content();
    assertEquals(ROWS + " ", first.substring(0, first.indexOf(' ') + 1));

    // 1% of the rows, one key range. PostgreSQL writes the new row versions at the end of the
    // heap (its pages are full), and pg_dump prints rows in heap order: the dump loses 2000
    // rows in its middle and gains them at the end of the table's data. Two local edits, each
    // costing the one or two chunks around it: every other chunk is cut as before and found.
    PG.sql("shop", "UPDATE t SET v = upper(v) WHERE id BETWEEN 100001 AND 102000");
    String second = content();
    assertNotEquals(first, second);
    ok("snapshot");

    List<String> all = generations();
    assertEquals(2, all.size(), all.toString());
    Path store = host.host.store;
    for (String path : all) {
      assertEquals(List.of("dump.pgsql.cdc"), DysnomiaHost.names(store.resolve("snapshots").resolve(path)));
    }
    long chunks = ChunkedStore.attr(store, all.get(1), "chunks");
    long fresh = ChunkedStore.attr(store, all.get(1), "new-chunks");
    assertTrue(chunks >= 6, "the dump was cut into " + chunks + " chunk(s)");
    assertTrue(fresh >= 1 && fresh < chunks / 2, fresh + " of " + chunks + " chunks were new");
    assertEquals(ChunkedStore.attr(store, all.get(0), "chunks") + fresh, ChunkedStore.chunkFiles(store).size());

    // Each generation restores through the module, over a database that has changed since.
    PG.sql("shop", "DELETE FROM t WHERE id % 7 = 0");
    CliRun one = ok("restore", "--generation", "1");
    assertTrue(one.stderr().contains("restored " + all.get(0)), one.stderr());
    assertEquals(first, content());
    CliRun two = host.host.stasis("restore", "-C", containerFile.toString(), "-c", "shop", "--generation", "2");
    assertEquals(0, two.code(), two.toString());
    assertEquals(second, content());
    assertEquals(List.of(), host.sideDatabases());

    // A damaged chunk (one only generation 1 lists) stops its restore before anything is swapped in.
    Set<String> onlyFirst = new TreeSet<>(ChunkedStore.names(store, all.get(0)));
    onlyFirst.removeAll(ChunkedStore.names(store, all.get(1)));
    Path chunk = ChunkedStore.chunkFile(store, onlyFirst.iterator().next());
    byte[] intact = Files.readAllBytes(chunk);
    ChunkedStore.flipMiddleByte(chunk);
    CliRun damaged = host.on(CONTAINER, "restore", "shop", "--generation", "1");
    assertEquals(3, damaged.code(), damaged.toString());
    assertEquals(second, content());
    assertEquals(List.of(), host.sideDatabases());
    Files.write(chunk, intact);

    // The real Dysnomia cannot read a chunked snapshot; exported, its newest generation is an xz
    // copy, which its restore (drop, create, xzcat | psql) loads.
    CliRun export = host.host.stasis("export-dysnomia", CONTAINER + "/shop");
    assertEquals(0, export.code(), export.toString());
    assertEquals(3, generations().size());
    Path newest = RealDysnomia.lastSnapshot(store, CONTAINER, "shop");
    assertEquals(List.of("dump.pgsql.xz"), DysnomiaHost.names(newest));
    PG.sql("shop", "DELETE FROM t");
    assertEquals(0, RealDysnomia.postgresqlRestore(store, CONTAINER, "shop", PG));
    assertEquals(second, content());
    assertEquals(0, host.host.stasis("check").code());
  }
}
