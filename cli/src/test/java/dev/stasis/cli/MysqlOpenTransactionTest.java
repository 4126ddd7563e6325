package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A restore of a {@code mysql-database} component while an application holds a transaction open
 * on the live database: the swap needs the locks of the live tables, so it waits for the
 * transaction to end, and says so on stderr while it waits; then it completes.
 */
class MysqlOpenTransactionTest {
  @RegisterExtension
  static final MariadbServer mariadb = new MariadbServer();

  @TempDir
  Path tmp;
  DysnomiaHost host;
  String snapshotDump;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    mariadb.container(host, "mdb");
    MysqlShop.component(host, "mdb", "shop");
    host.ok("-o", "activate", "-C", "mdb", "-c", "shop");
    host.ok("-o", "snapshot", "-C", "mdb", "-c", "shop");
    snapshotDump = mariadb.dump("shop");
    mariadb.sql("shop", "INSERT INTO items (name, price) VALUES ('cheese', 7)");
  }

  /**
   * items has a trigger, so dropping it (before the rename) is what waits; audit has none, so
   * the rename waits.
   */
  @ParameterizedTest
  @ValueSource(strings = {"items", "audit"})
  void aRestoreBehindAnOpenTransactionSaysSoAndCompletesWhenItEnds(String table) throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliRun r;
    try (MariadbSession app = new MariadbSession(mariadb, "shop")) {
      app.run("START TRANSACTION");
      app.run("SELECT COUNT(*) FROM " + table);
      CompletableFuture<CliRun> restore = CompletableFuture.supplyAsync(
          () -> host.dysnomiaWatched(err, "-o", "restore", "-C", "mdb", "-c", "shop"));
      MariadbSession.await("the restore says what it waits for",
          () -> err.toString(StandardCharsets.UTF_8).contains("waiting for 1 open transaction(s) to end"),
          restore::isDone);
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("shop"), err.toString(StandardCharsets.UTF_8));

      app.run("COMMIT");
      r = restore.get(MariadbServer.GUARD_SECONDS, TimeUnit.SECONDS);
    }
    assertEquals(0, r.code(), r.toString());
    assertEquals(snapshotDump, mariadb.dump("shop"));
    assertEquals(List.of("shop"), mariadb.databases());
    // the timed-out attempt is explained, not shown
    assertTrue(!r.stderr().contains("ERROR 1205"), r.stderr());
  }
}
