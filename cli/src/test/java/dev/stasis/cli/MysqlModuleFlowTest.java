package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dysnomia's life cycle of a {@code mysql-database} component against a real MariaDB server,
 * through {@code dysnomia}, {@code dysnomia-snapshots} and {@code stasis restore}: activate,
 * snapshot, query, gc, check, restore (every kind of object, any generation, under another
 * name), deactivate, collect-garbage. Lock and unlock: {@link MysqlLockTest}.
 */
class MysqlModuleFlowTest {
  @RegisterExtension
  static final MariadbServer mariadb = new MariadbServer();

  private static final String[] ON_SHOP = {"-C", "mdb", "-c", "shop"};

  @TempDir
  Path tmp;
  DysnomiaHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    mariadb.container(host, "mdb");
    MysqlShop.component(host, "mdb", "shop");
  }

  private CliRun run(String operation, String... more) {
    return host.ok(args(operation, more));
  }

  private static String[] args(String operation, String... more) {
    List<String> all = new ArrayList<>(List.of("-o", operation));
    all.addAll(List.of(ON_SHOP));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void activateRunsTheScriptsOnceAndLeavesNothingBeside() throws IOException {
    run("activate");
    String made = MysqlShop.describe(mariadb, "shop");
    // the data script ran after the schema script: its rows fired the trigger
    assertTrue(made.contains("items: [1\tapple\t1, 2\tbread\t2]"), made);
    assertTrue(made.contains("audit: [1\t1\tinsert, 2\t2\tinsert]"), made);
    assertTrue(made.contains("cheapest: [apple]") && made.contains("routines: [3\t42]"), made);
    assertTrue(Files.isRegularFile(host.marker("activated", "mdb", "shop")));
    // built beside and moved in: no side schema is left
    assertEquals(List.of("shop"), mariadb.databases());

    // the service writes; activating again must not run the scripts over it
    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
    String live = mariadb.dump("shop");
    run("activate");
    assertEquals(live, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }

  @Test
  void unchangedDatabaseGivesOneGenerationAndChangesGiveMore() throws IOException {
    run("activate");
    run("snapshot");
    List<String> first = host.all();
    assertEquals(1, first.size(), first.toString());
    assertTrue(first.get(0).matches("mdb/shop/[0-9a-f]{64}"), first.get(0));
    // unchanged: byte-identical dump (no dump date, same transaction snapshot), no new generation
    run("snapshot");
    run("snapshot");
    assertEquals(first, host.all());

    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
    run("snapshot");
    mariadb.sql("shop", "CREATE VIEW dear AS SELECT name FROM items WHERE price > 5");
    run("snapshot");
    List<String> three = host.all();
    assertEquals(3, three.size(), three.toString());
    assertEquals(3, three.stream().distinct().count(), three.toString());
    assertEquals(first.get(0), three.get(0));
    assertEquals(List.of(three.get(2)), host.snapshots("--query-latest").lines());

    // --resolve prints where the snapshot lives: a directory holding the zstd-compressed dump
    CliRun resolve = host.snapshots("--resolve", three.get(1));
    assertEquals(0, resolve.code(), resolve.toString());
    Path resolved = Path.of(resolve.line());
    assertEquals(List.of("dump.sql.zst"), DysnomiaHost.names(resolved));
    // the stored dump is the database without CREATE DATABASE or USE, so it restores under any name
    CliRun dump = host.stasis("dump", three.get(1));
    assertEquals(0, dump.code(), dump.stderr());
    String sql = dump.out();
    assertTrue(sql.contains("INSERT INTO `items` VALUES") && sql.contains("'cheese',7"), sql);
    assertTrue(sql.contains("CREATE DEFINER=`root`@`localhost` PROCEDURE `total`"), "routines dumped");
    assertTrue(sql.contains("EVENT `nightly`") && sql.contains("TRIGGER items_audit"), "events, triggers dumped");
    assertTrue(!sql.contains("\nUSE ") && !sql.contains("CREATE DATABASE"), sql);

    assertEquals(0, host.snapshots("--query-all", "--check").code());
    // each snapshot's metadata names the dumper and the server
    String server = "attr.server=" + mariadb.sql("", "SELECT VERSION()");
    try (Stream<Path> metas = Files.walk(host.store.resolve(".stasis/meta"))) {
      List<String> found = metas.filter(Files::isRegularFile).map(MysqlModuleFlowTest::read).toList();
      assertEquals(3, found.size(), found.toString());
      assertTrue(found.stream().allMatch(m -> m.contains(server) && m.contains("attr.dumper=mariadb-dump")), found.toString());
    }
    CliRun gc = host.snapshots("--gc", "--keep", "1");
    assertEquals(0, gc.code(), gc.toString());
    assertEquals(List.of(three.get(2)), host.all());
    assertTrue(Files.notExists(host.store.resolve("snapshots").resolve(three.get(0))));
  }

  @Test
  void restoreBringsBackRowsViewsRoutinesTriggersAndEventsOfAnyGeneration() throws IOException {
    run("activate");
    run("snapshot");
    String first = MysqlShop.describe(mariadb, "shop");
    String firstDump = mariadb.dump("shop");

    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7);\n"
        + "CREATE TABLE extra (x INT PRIMARY KEY);\nINSERT INTO extra VALUES (1)");
    run("snapshot");
    String second = MysqlShop.describe(mariadb, "shop");
    String secondDump = mariadb.dump("shop");

    // every kind of object broken or gone
    mariadb.sql("shop", "DELETE FROM audit;\nDELETE FROM items;\nDROP VIEW cheapest;\nDROP VIEW cheap;\n"
        + "DROP PROCEDURE total;\nDROP FUNCTION twice;\nDROP TRIGGER items_audit;\nDROP EVENT nightly;\n"
        + "CREATE TABLE junk (y INT)");
    run("restore", "--generation", "1");
    assertEquals(first, MysqlShop.describe(mariadb, "shop"));
    assertEquals(firstDump, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
    // the trigger is live on the restored table again
    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('dates', 4)");
    assertEquals("3\tinsert", mariadb.sql("shop", "SELECT item, what FROM audit WHERE item = 3"));

    CliRun restored = run("restore");
    assertTrue(restored.stderr().contains("restored " + host.all().get(1)), restored.stderr());
    assertEquals(second, MysqlShop.describe(mariadb, "shop"));
    assertEquals(secondDump, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());

    // a restored database dumps to the bytes it was restored from: no new snapshot
    run("snapshot");
    List<String> all = host.all();
    assertEquals(all.get(1), all.get(all.size() - 1));
  }

  @Test
  void restoreAsAnotherNameLeavesTheComponentsDatabaseAlone() throws IOException {
    run("activate");
    run("snapshot");
    String snapshot = MysqlShop.describe(mariadb, "shop");
    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
    String live = mariadb.dump("shop");

    Path container = host.containers.resolve("mdb");
    CliRun r = host.stasis("restore", "-C", container.toString(), "-c", "shop", "--as", "shop_copy");
    assertEquals(0, r.code(), r.toString());
    assertEquals(snapshot, MysqlShop.describe(mariadb, "shop_copy"));
    assertEquals(mariadb.rows("shop_copy", "SELECT * FROM items ORDER BY id"),
        List.of("1\tapple\t1", "2\tbread\t2"));
    assertEquals(live, mariadb.dump("shop"));
    assertEquals(List.of("shop", "shop_copy"), mariadb.databases());
  }

  @Test
  void tamperingIsFoundByCheckAndRefusedByRestoreWithTheLiveDatabaseUntouched() throws IOException {
    run("activate");
    run("snapshot");
    String path = host.all().get(0);
    host.damage(path);

    CliRun check = host.snapshots("--query-all", "--check");
    assertEquals(3, check.code(), check.toString());
    assertTrue(check.stderr().contains(path) || check.out().contains(path), check.toString());

    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
    String live = mariadb.dump("shop");
    CliRun restore = host.dysnomia(args("restore"));
    assertEquals(3, restore.code(), restore.toString());
    assertEquals(live, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
  }

  @Test
  void deactivateKeepsTheDataAndCollectGarbageDropsOnlyMarkedComponents() throws IOException {
    MysqlShop.component(host, "mdb", "other");
    run("activate");
    host.ok("-o", "activate", "-C", "mdb", "-c", "other");
    run("snapshot");
    String live = mariadb.dump("shop");

    CliRun refused = run("collect-garbage");
    assertTrue(refused.stderr().contains("not marked as garbage"), refused.stderr());
    assertEquals(live, mariadb.dump("shop"));

    run("deactivate");
    assertTrue(Files.isRegularFile(host.marker("garbage", "mdb", "shop")));
    assertEquals(live, mariadb.dump("shop"));
    // only the marked component is collected; the other one, never deactivated, stays
    run("collect-garbage");
    host.ok("-o", "collect-garbage", "-C", "mdb", "-c", "other");
    assertEquals(List.of("other"), mariadb.databases());
    assertTrue(Files.notExists(host.marker("garbage", "mdb", "shop")));

    // the data went, its snapshots did not: a redeployment restores it
    run("restore");
    assertEquals(live, mariadb.dump("shop"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
