package dev.stasis.fs;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.stasis.store.Backend;
import dev.stasis.store.BackendContract;
import java.io.IOException;
import java.nio.file.FileSystem;
import org.junit.jupiter.api.AfterEach;

class FsBackendOnJimfsTest extends BackendContract {
  private FileSystem fs;

  @Override
  protected Backend newBackend() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    return FsBackend.open(fs.getPath("/var/state/dysnomia"));
  }

  @AfterEach
  void closeFs() throws IOException {
    fs.close();
  }
}
