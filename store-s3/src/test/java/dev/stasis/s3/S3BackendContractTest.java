package dev.stasis.s3;

import dev.stasis.store.Backend;
import dev.stasis.store.BackendContract;

class S3BackendContractTest extends BackendContract {
  @Override
  protected Backend newBackend() {
    return S3MockServer.freshBackend();
  }
}
