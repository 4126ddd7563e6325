package dev.stasis.s3;

import dev.stasis.store.Key;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object's bytes as they stream from S3, picking up where a broken connection left them. The
 * SDK retries a GET only until it hands the response over; a reset or timeout in the body is the
 * reader's. So the rest is asked for again with a range, from the same version of the object
 * only ({@code If-Match} its ETag), at most {@code maxAttempts - 1} times without progress, each
 * time told to the log.
 */
final class S3Download extends InputStream {
  private final S3Backend backend;
  private final Key key;
  private final String etag;
  private final long length;
  private ResponseInputStream<GetObjectResponse> in;
  private long position;
  private int failures;

  S3Download(S3Backend backend, Key key, ResponseInputStream<GetObjectResponse> first) {
    this.backend = backend;
    this.key = key;
    this.etag = first.response().eTag();
    this.length = first.response().contentLength() == null ? -1 : first.response().contentLength();
    this.in = first;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    while (true) {
      try {
        int n = in.read(b, off, len);
        if (n > 0) {
          position += n;
          failures = 0;
        }
        return n;
      } catch (IOException e) {
        if (position == length) {
          return -1;  // every byte arrived; only the end of the stream was lost
        }
        resume(e);
      }
    }
  }

  private void resume(IOException broken) throws IOException {
    if (++failures >= backend.settings().maxAttempts() || etag == null) {
      throw new IOException("cannot read " + backend.location(key) + " past byte " + position + ": "
          + broken.getMessage(), broken);
    }
    in.abort();
    backend.settings().log().accept("S3 GetObject " + backend.location(key) + ": connection lost after " + position
        + " bytes (" + broken.getMessage() + "); resuming (attempt=" + (failures + 1) + ")");
    String bucket = backend.s3().bucket();
    String s3Key = backend.key(key);
    try {
      in = backend.client().getObject(g -> g.bucket(bucket).key(s3Key).range("bytes=" + position + "-").ifMatch(etag));
    } catch (SdkException e) {
      IOException failed = backend.failed(e, "read", key);
      failed.addSuppressed(broken);
      throw failed;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
