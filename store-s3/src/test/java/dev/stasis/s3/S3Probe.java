package dev.stasis.s3;

import dev.stasis.store.Key;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * A store on S3Mock whose requests a test can watch (in store-s3's test-jar, for the cli's tests
 * too): it counts the parts uploaded and can refuse to abort uploads, which is what a writer
 * killed mid-upload amounts to on the server. It also reads and plants multipart uploads the
 * way a killed command leaves them.
 */
public final class S3Probe implements AutoCloseable {
  private final S3Location location;
  private final S3Backend backend;
  private final S3Client client;
  private final AtomicInteger partsUploaded = new AtomicInteger();
  private final AtomicBoolean refuseAborts = new AtomicBoolean();

  private S3Probe(S3Location location, int partSize) {
    this.location = location;
    S3Settings settings = S3MockServer.settings().withPartSize(partSize);
    ExecutionInterceptor watch = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof UploadPartRequest) {
          partsUploaded.incrementAndGet();
        } else if (context.request() instanceof AbortMultipartUploadRequest && refuseAborts.get()) {
          throw SdkClientException.create("the writer was killed: nothing aborts its upload");
        }
      }
    };
    this.backend = S3Backend.open(location, S3Clients.builder(settings, watch).build(), settings);
    this.client = S3Clients.build(settings);
  }

  /** A probe on a fresh store (a new prefix of S3Mock's bucket), writing parts of {@code partSize} bytes. */
  public static S3Probe fresh(int partSize) {
    return new S3Probe(S3MockServer.freshLocation(), partSize);
  }

  /** The store's backend, watched; closed with the probe. */
  public S3Backend backend() {
    return backend;
  }

  /** {@code s3://bucket/prefix}. */
  public String url() {
    return location.toString();
  }

  /** Parts this backend has sent since the last {@link #resetCount()}. */
  public int partsUploaded() {
    return partsUploaded.get();
  }

  public void resetCount() {
    partsUploaded.set(0);
  }

  /** While on, the backend's writers cannot abort their uploads, as if their process had died. */
  public void refuseAborts(boolean on) {
    refuseAborts.set(on);
  }

  /** The multipart uploads in progress under the store's prefix. */
  public int uploadsInProgress() {
    return client.listMultipartUploads(b -> b.bucket(location.bucket()).prefix(location.key(""))).uploads().size();
  }

  /** The parts on the server of the upload in progress to {@code key}; 0 when there is none. */
  public int partsOnServer(Key key) {
    String target = location.key(key.path());
    for (MultipartUpload u : client.listMultipartUploads(b -> b.bucket(location.bucket()).prefix(target)).uploads()) {
      if (u.key().equals(target)) {
        return client.listParts(b -> b.bucket(location.bucket()).key(target).uploadId(u.uploadId())).parts().size();
      }
    }
    return 0;
  }

  /** Starts an upload to {@code key} and sends one part, then leaves it: what a killed writer leaves. */
  public void abandonUpload(Key key) {
    String target = location.key(key.path());
    String id = client.createMultipartUpload(b -> b.bucket(location.bucket()).key(target)).uploadId();
    client.uploadPart(b -> b.bucket(location.bucket()).key(target).uploadId(id).partNumber(1),
        RequestBody.fromBytes(new byte[S3Settings.MIN_PART]));
  }

  @Override
  public void close() {
    backend.close();
    client.close();
  }
}
