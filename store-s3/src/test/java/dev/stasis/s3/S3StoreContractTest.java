package dev.stasis.s3;

import dev.stasis.store.Backend;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.StoreContract;
import dev.stasis.store.StoreLocks;

class S3StoreContractTest extends StoreContract {
  @Override
  protected Backend newBackend() {
    return S3MockServer.freshBackend();
  }

  @Override
  protected StoreLocks locksFor(Backend backend) {
    return ProcessLocks.forStore(backend.location(dev.stasis.store.Key.ROOT));
  }
}
