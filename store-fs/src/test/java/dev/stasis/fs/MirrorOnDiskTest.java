package dev.stasis.fs;

import dev.stasis.store.MirrorContract;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The mirror between two stores on a real disk: a local store copied into another directory. */
class MirrorOnDiskTest extends MirrorContract {
  @TempDir
  Path tmp;

  @Override
  protected Store newStore() throws IOException {
    Path root = Files.createTempDirectory(tmp, "store");
    return Store.open(FsBackend.open(root), FsLocks.forRoot(root), Duration.ofSeconds(30));
  }
}
