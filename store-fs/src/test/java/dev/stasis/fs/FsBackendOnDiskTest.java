package dev.stasis.fs;

import dev.stasis.store.Backend;
import dev.stasis.store.BackendContract;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FsBackendOnDiskTest extends BackendContract {
  @TempDir
  Path root;

  @Override
  protected Backend newBackend() throws IOException {
    return FsBackend.open(root);
  }
}
