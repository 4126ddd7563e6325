package dev.stasis.s3;

import dev.stasis.store.MirrorContract;
import dev.stasis.store.Store;

/** The mirror between two stores on S3 (S3Mock): S3 as the source and, with direct writes, the destination. */
class S3MirrorContractTest extends MirrorContract {
  @Override
  protected Store newStore() {
    return withProcessLocks(S3MockServer.freshBackend());
  }
}
