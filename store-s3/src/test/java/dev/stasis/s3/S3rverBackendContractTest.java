package dev.stasis.s3;

import dev.stasis.store.Backend;
import dev.stasis.store.BackendContract;
import org.junit.jupiter.api.extension.ExtendWith;

/** The backend contract on s3rver, an S3-compatible server that checks less than S3Mock. */
@ExtendWith(S3rverServer.class)
class S3rverBackendContractTest extends BackendContract {
  @Override
  protected Backend newBackend() {
    return S3rverServer.freshBackend();
  }
}
