package dev.stasis.s3;

import dev.stasis.store.MirrorContract;
import dev.stasis.store.Store;
import org.junit.jupiter.api.extension.ExtendWith;

/** The mirror between two stores on s3rver. */
@ExtendWith(S3rverServer.class)
class S3rverMirrorContractTest extends MirrorContract {
  @Override
  protected Store newStore() {
    return withProcessLocks(S3rverServer.freshBackend());
  }
}
