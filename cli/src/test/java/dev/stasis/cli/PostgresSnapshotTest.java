package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of a {@code postgresql-database} component on a real server: pg_dump's output
 * streamed into the store, identical for an unchanged database (one generation), with its
 * {@code \restrict} protection kept under a key only the store knows, listed, resolved and
 * garbage-collected like any other component's.
 */
class PostgresSnapshotTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();
  private static final Pattern RESTRICT = Pattern.compile("(?m)^\\\\restrict ([A-Za-z0-9]+)$");

  @TempDir
  Path tmp;
  PgHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new PgHost(tmp, PG);
    host.table("shop", "apple");
    host.ok("activate", "shop");
  }

  @Test
  void twoSnapshotsOfAnUnchangedDatabaseAreOneGeneration() throws IOException {
    host.ok("snapshot", "shop");
    List<String> first = host.all();
    assertEquals(1, first.size(), first.toString());
    assertTrue(first.get(0).matches("pgc/shop/[0-9a-f]{64}"), first.get(0));

    // Nothing written in between: pg_dump, with its restrict key fixed, prints the same bytes,
    // so the id is the same and no generation is added, through either face.
    host.ok("snapshot", "shop");
    CliRun stasis = host.host.stasis("snapshot", "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop");
    assertEquals(0, stasis.code(), stasis.toString());
    assertEquals(first.get(0), stasis.line());
    assertTrue(stasis.stderr().contains("unchanged: generation 1 of pgc/shop"), stasis.stderr());

    assertEquals(first, host.all());
    assertEquals(List.of("1"), DysnomiaHost.names(host.host.store.resolve("generations/pgc/shop")));
    assertEquals(1, DysnomiaHost.names(host.host.store.resolve("snapshots/pgc/shop")).size());
  }

  @Test
  void threeSnapshotsWithChangesAreThreeGenerationsThatQueriesSeeAndGcTrims() throws IOException {
    host.ok("snapshot", "shop");
    PG.sql("shop", "INSERT INTO t VALUES (2, 'pear')");
    host.ok("snapshot", "shop");
    PG.sql("shop", "UPDATE t SET v = 'plum' WHERE id = 1");
    host.ok("snapshot", "shop");

    List<String> all = host.all();
    assertEquals(3, all.size(), all.toString());
    assertEquals(3, all.stream().distinct().count(), all.toString());
    // each generation holds the database as it was
    assertTrue(host.dump(all.get(0)).contains("\n1\tapple\n\\.\n"), host.dump(all.get(0)));
    assertTrue(host.dump(all.get(1)).contains("\n1\tapple\n2\tpear\n\\.\n"), host.dump(all.get(1)));
    String third = host.dump(all.get(2));
    assertTrue(third.contains("\n1\tplum\n") && third.contains("\n2\tpear\n") && !third.contains("apple"), third);

    CliRun latest = host.host.snapshots("--query-latest", "-C", PgHost.PGC, "-c", "shop");
    assertEquals(List.of(all.get(2)), latest.lines(), latest.toString());
    CliRun resolved = host.host.snapshots("--resolve", all.get(0));
    assertEquals(List.of(host.host.store.resolve("snapshots").resolve(all.get(0)).toString()), resolved.lines(),
        resolved.toString());
    assertTrue(Files.isRegularFile(Path.of(resolved.line()).resolve("dump.pgsql.zst")));
    assertEquals(0, host.host.snapshots("--query-all", "--check").code());

    CliRun gc = host.host.snapshots("--gc", "--keep", "2");
    assertEquals(0, gc.code(), gc.toString());
    assertEquals(all.subList(1, 3), host.all());
    assertFalse(Files.exists(host.host.store.resolve("snapshots").resolve(all.get(0))));
    assertFalse(Files.exists(host.host.store.resolve("checksums").resolve(all.get(0))));
    assertEquals(0, host.host.snapshots("--query-all", "--check").code());
  }

  @Test
  void theDumpKeepsItsRestrictLineUnderAKeyOfTheStoreAndComponent() throws IOException {
    host.ok("snapshot", "shop");
    PG.sql("shop", "INSERT INTO t VALUES (2, 'pear')");
    host.ok("snapshot", "shop");
    List<String> all = host.all();
    String first = host.dump(all.get(0));
    String second = host.dump(all.get(1));

    // The protection stays: psql reads the dump with meta-commands refused until the unrestrict line
    // with the same key, which ends the dump.
    String key = restrictKey(first);
    assertTrue(first.stripTrailing().endsWith("\\unrestrict " + key), first);
    assertTrue(first.indexOf("\\restrict " + key) < first.indexOf("CREATE TABLE"), first);
    // the same for every dump of the component (or no two dumps could be equal) ...
    assertEquals(key, restrictKey(second));
    assertTrue(key.length() >= 32, key);

    // ... but another component's, and another store's, differ: the key is drawn from the
    // store's own random secret, which only those who can read the store have.
    host.table("depot", "crate");
    host.ok("activate", "depot");
    host.ok("snapshot", "depot");
    String depotKey = restrictKey(host.dump(host.host.snapshots("--query-latest", "-c", "depot").line()));
    assertNotEquals(key, depotKey);

    Path other = tmp.resolve("other-store");
    CliRun elsewhere = host.host.stasis("snapshot", "--store", other.toString(),
        "-C", host.containerFile(PgHost.PGC).toString(), "-c", "shop");
    assertEquals(0, elsewhere.code(), elsewhere.toString());
    CliRun otherDump = host.host.stasis("dump", "--store", other.toString(), elsewhere.line());
    assertEquals(0, otherDump.code(), otherDump.toString());
    String otherKey = restrictKey(otherDump.out());
    assertNotEquals(key, otherKey);
    // apart from the key, the same database gives the same dump in both stores
    assertEquals(second.replace(key, otherKey), otherDump.out());

    for (Path store : List.of(host.host.store, other)) {
      Path secret = store.resolve(".stasis/secret");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)),
          secret.toString());
      assertEquals(32, Files.size(secret));
    }
  }

  @Test
  void theMetadataRecordsTheDumperAndServerVersions() throws IOException {
    host.ok("snapshot", "shop");
    String path = host.host.snapshots("--query-latest").line();
    String meta = Files.readString(host.host.store.resolve(".stasis/meta").resolve(path));

    String server = PG.sql("postgres", "SHOW server_version");
    assertTrue(meta.contains("\nattr.server=" + server + "\n"), meta);
    Matcher dumper = Pattern.compile("(?m)^attr\\.dumper=pg_dump \\(PostgreSQL\\) (\\d+)\\.").matcher(meta);
    assertTrue(dumper.find(), meta);
    assertEquals(server.split("\\.")[0], dumper.group(1));
    assertTrue(meta.contains("\nfile=dump.pgsql.zst\n"), meta);

    // the dump says the same in its header
    String dump = host.dump(path);
    assertTrue(dump.contains("-- Dumped from database version " + server), dump);
  }

  private static String restrictKey(String dump) {
    Matcher m = RESTRICT.matcher(dump);
    assertTrue(m.find(), "no \\restrict line in\n" + dump);
    return m.group(1);
  }
}
