package dev.stasis.fs;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The store the real Dysnomia 0.10.2 wrote on Debian 12 (see shared/fixtures/README.md):
 * pgc/testdb with three generations of dump.pgsql.xz, files/webdata-comp with eleven of
 * state.tar.xz.
 */
final class DysnomiaFixture {
  private DysnomiaFixture() {}

  /** Unpacks the fixture under {@code dir}; returns its state directory. */
  static Path unpack(Path dir) throws IOException {
    try (InputStream raw = DysnomiaFixture.class.getResourceAsStream("/dysnomia-0.10.2-store.tar.gz");
        TarArchiveInputStream tar = new TarArchiveInputStream(
            new GzipCompressorInputStream(new BufferedInputStream(raw)))) {
      for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
        Path p = dir.resolve(e.getName()).normalize();
        if (!p.startsWith(dir)) {
          throw new IOException("fixture entry outside its directory: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(p);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(p.getParent());
          Files.createSymbolicLink(p, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(p.getParent());
          Files.copy(tar, p);
        }
      }
    }
    return dir.resolve("state");
  }
}
