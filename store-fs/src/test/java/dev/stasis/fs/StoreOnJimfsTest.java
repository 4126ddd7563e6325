package dev.stasis.fs;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.stasis.store.Backend;
import dev.stasis.store.StoreContract;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.file.FileSystem;
import org.junit.jupiter.api.AfterEach;

class StoreOnJimfsTest extends StoreContract {
  private FileSystem fs;

  @Override
  protected Backend newBackend() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    return FsBackend.open(fs.getPath("/state"));
  }

  @Override
  protected StoreLocks locksFor(Backend backend) throws IOException {
    return FsLocks.forRoot(((FsBackend) backend).root());
  }

  @AfterEach
  void closeFs() throws IOException {
    fs.close();
  }
}
