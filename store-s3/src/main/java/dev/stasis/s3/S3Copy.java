package dev.stasis.s3;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A server-side copy, how an ingest staged under {@code .stasis/tmp/} reaches its key (S3 has no
 * rename): one request up to 5 GiB, S3's limit for it, ranged part copies of 1 GiB beyond.
 */
final class S3Copy {
  private static final long ONE_REQUEST = 5L * 1024 * 1024 * 1024;

  private S3Copy() {}

  /**
   * Copies the object {@code from} ({@code size} bytes) to {@code to} in the same bucket, server
   * side, with the backend's encryption settings.
   */
  static void copy(S3Backend backend, String from, String to, long size) {
    String bucket = backend.s3().bucket();
    if (size <= ONE_REQUEST) {
      backend.client().copyObject(b -> {
        b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to);
        backend.settings().sse().ifPresent(b::serverSideEncryption);
        backend.settings().kmsKeyId().ifPresent(b::ssekmsKeyId);
      });
      return;
    }
    String copyId = backend.client().createMultipartUpload(b -> {
      b.bucket(bucket).key(to);
      backend.settings().sse().ifPresent(b::serverSideEncryption);
      backend.settings().kmsKeyId().ifPresent(b::ssekmsKeyId);
    }).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      long range = 1024L * 1024 * 1024;
      for (long start = 0, n = 1; start < size; start += range, n++) {
        long end = Math.min(size, start + range) - 1;
        int number = (int) n;
        String bytes = "bytes=" + start + "-" + end;
        String etag = backend.client().uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(from)
            .destinationBucket(bucket).destinationKey(to).uploadId(copyId).partNumber(number).copySourceRange(bytes))
            .copyPartResult().eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
      backend.client().completeMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(copyId)
          .multipartUpload(m -> m.parts(parts)));
    } catch (SdkException e) {
      backend.client().abortMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(copyId));
      throw e;
    }
  }
}
