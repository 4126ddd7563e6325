package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Store;
import dev.stasis.store.StoreLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a snapshot looks like to the other users of the machine: as Dysnomia's own, files
 * {@code rw-r--r--} in {@code rwxr-xr-x} directories, whatever the umask, because the real
 * Dysnomia's modules read snapshots as the service's user (its PostgreSQL restore reads the
 * dump as {@code postgres}, after dropping the database). The store's root decides who may
 * come in.
 */
class StoreModesTest {
  @TempDir
  Path root;

  @Test
  void publishedFilesAreReadableByAllInDirectoriesAllMayEnter() throws IOException {
    Store store = Store.open(FsBackend.open(root), FsLocks.forRoot(root), Duration.ofSeconds(5));
    IngestResult r;
    try (Ingest ingest = store.ingest(new ComponentRef("pgc", "shop"), "dump.pgsql", Compression.XZ, "test",
        Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream("SELECT 1;\n".getBytes(StandardCharsets.UTF_8)));
      r = ingest.commit();
    }
    Path snapshot = Path.of(store.location(r.snapshot()));
    assertEquals("rw-r--r--", mode(snapshot.resolve("dump.pgsql.xz")));
    assertEquals("rw-r--r--", mode(root.resolve(StoreLayout.checksum(r.snapshot()).path())));
    assertEquals("rw-r--r--", mode(root.resolve(StoreLayout.meta(r.snapshot()).path())));
    for (Path dir = snapshot; !dir.equals(root); dir = dir.getParent()) {
      assertEquals("rwxr-xr-x", mode(dir), dir.toString());
    }
    assertEquals("rwxr-xr-x", mode(root.resolve("generations/pgc/shop")));
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
