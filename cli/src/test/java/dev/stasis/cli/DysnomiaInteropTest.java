package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise to users of the real Dysnomia: what stasis stores with
 * {@code compression=xz} the real Dysnomia's modules restore, as they restore (see
 * {@link RealDysnomia}), and never lose data on. Their PostgreSQL restore drops the database
 * before it reads the snapshot, as the server's user: if it cannot read it, or finds no
 * {@code dump.pgsql.xz}, the database is gone.
 */
class DysnomiaInteropTest {
  @RegisterExtension
  static final PgServer PG = new PgServer();

  @TempDir
  Path tmp;

  private PgHost pg;

  @BeforeEach
  void setUp() throws IOException {
    // The store lies where the server's user may walk, as /var/state/dysnomia does.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    pg = new PgHost(tmp, PG);
    pg.table("shop", "apple", "pear");
  }

  private void xzFromNowOn() throws IOException {
    Files.writeString(pg.containerFile(PgHost.PGC), "compression=xz\n", StandardOpenOption.APPEND);
  }

  private int realRestore() throws IOException {
    return RealDysnomia.postgresqlRestore(pg.host.store, PgHost.PGC, "shop", PG);
  }

  @Test
  void theRealRestoreReadsAnXzSnapshotAsTheServersUser() throws IOException {
    xzFromNowOn();
    pg.ok("activate", "shop");
    pg.ok("snapshot", "shop");
    PG.sql("shop", "DELETE FROM t");

    assertEquals(0, realRestore());
    assertEquals(List.of("apple", "pear"), pg.values("shop"));
  }

  @Test
  void askingForXzOnAnUnchangedStateStoredWithZstdGivesTheRealRestoreItsXzFile() throws IOException {
    pg.ok("activate", "shop");
    CliRun zstd = pg.host.stasis("snapshot", "-C", PgHost.PGC, "-c", "shop");
    assertEquals(0, zstd.code(), zstd.toString());
    xzFromNowOn();
    CliRun xz = pg.ok("snapshot", "shop");
    assertTrue(Files.exists(RealDysnomia.lastSnapshot(pg.host.store, PgHost.PGC, "shop").resolve("dump.pgsql.xz")),
        xz.toString());
    // once the xz form is there, the state is unchanged again: no new generation
    pg.ok("snapshot", "shop");
    assertEquals(2, pg.all().size(), pg.all().toString());
    CliRun stasis = pg.host.stasis("snapshot", "-C", PgHost.PGC, "-c", "shop", "--compression", "xz");
    assertTrue(stasis.stderr().contains("unchanged"), stasis.toString());

    PG.sql("shop", "DELETE FROM t");
    assertEquals(0, realRestore());
    assertEquals(List.of("apple", "pear"), pg.values("shop"));
    CliRun check = pg.host.snapshots("--query-all", "--check");
    assertEquals(0, check.code(), check.toString());
  }
}
