package dev.stasis.s3;

import dev.stasis.store.Backend;
import dev.stasis.store.Key;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.StoreContract;
import dev.stasis.store.StoreLocks;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract on s3rver: generations without conditional writes, uploads that cannot be aborted. */
@ExtendWith(S3rverServer.class)
class S3rverStoreContractTest extends StoreContract {
  @Override
  protected Backend newBackend() {
    return S3rverServer.freshBackend();
  }

  @Override
  protected StoreLocks locksFor(Backend backend) {
    return ProcessLocks.forStore(backend.location(Key.ROOT));
  }

  @Override
  protected boolean racesLeaveNoGap() {
    return false;
  }
}
