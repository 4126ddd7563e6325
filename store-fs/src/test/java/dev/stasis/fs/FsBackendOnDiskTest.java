package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stasis.store.Backend;
import dev.stasis.store.BackendContract;
import dev.stasis.store.Key;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsBackendOnDiskTest extends BackendContract {
  @TempDir
  Path root;

  @Override
  protected Backend newBackend() throws IOException {
    return FsBackend.open(root);
  }

  @Test
  void committedObjectsAreReadableByAllAsDysnomiasAre() throws IOException {
    Key key = Key.of("snapshots", "c", "x", "n", "dump.sql.zst");
    put(key, bytes("a dump the service's user reads back"));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(key.path()))));
  }
}
