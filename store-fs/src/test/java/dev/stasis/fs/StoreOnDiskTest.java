package dev.stasis.fs;

import dev.stasis.store.Backend;
import dev.stasis.store.StoreContract;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class StoreOnDiskTest extends StoreContract {
  @TempDir
  Path root;

  @Override
  protected Backend newBackend() throws IOException {
    return FsBackend.open(root);
  }

  @Override
  protected StoreLocks locksFor(Backend backend) throws IOException {
    return FsLocks.forRoot(root);
  }
}
