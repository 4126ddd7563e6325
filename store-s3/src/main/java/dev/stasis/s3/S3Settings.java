package dev.stasis.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How to reach and write an S3 store. Credentials and region come from the AWS default chains
 * (environment, profile, instance role); the endpoint from {@code endpoint}, else
 * {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL}, which the SDK reads itself.
 *
 * @param endpoint an S3-compatible service's URL, when not AWS
 * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param sse server-side encryption to ask for: {@code AES256} or {@code aws:kms}
 * @param kmsKeyId the KMS key for {@code aws:kms}
 * @param maxAttempts tries per request, counting the first, for retryable failures
 * @param partSize the first multipart part size; it grows so a stream of any length fits
 * @param log where retries and other notes are told
 */
public record S3Settings(Optional<URI> endpoint, boolean pathStyle, Optional<String> sse, Optional<String> kmsKeyId,
    int maxAttempts, int partSize, Duration timeout, Consumer<String> log) {

  public static final int MIN_PART = 5 * 1024 * 1024;

  public S3Settings {
    sse.ifPresent(s -> {
      if (!s.equals("AES256") && !s.equals("aws:kms")) {
        throw new IllegalArgumentException("--sse must be AES256 or aws:kms, got '" + s + "'");
      }
    });
    if (kmsKeyId.isPresent() && !sse.equals(Optional.of("aws:kms"))) {
      throw new IllegalArgumentException("--sse-kms-key-id goes with --sse aws:kms");
    }
    if (partSize < MIN_PART) {
      throw new IllegalArgumentException("parts must be at least 5 MiB (S3's minimum)");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt");
    }
  }

  /** AWS defaults: no endpoint override, virtual-hosted style, no SSE, 8 attempts, 8 MiB parts. */
  public static S3Settings defaults() {
    return new S3Settings(Optional.empty(), false, Optional.empty(), Optional.empty(), 8, 8 * 1024 * 1024,
        Duration.ofMinutes(2), message -> {});
  }

  public S3Settings withEndpoint(URI uri) {
    return new S3Settings(Optional.of(uri), pathStyle, sse, kmsKeyId, maxAttempts, partSize, timeout, log);
  }

  public S3Settings withPathStyle(boolean on) {
    return new S3Settings(endpoint, on, sse, kmsKeyId, maxAttempts, partSize, timeout, log);
  }

  public S3Settings withSse(String kind, String keyId) {
    return new S3Settings(endpoint, pathStyle, Optional.ofNullable(kind), Optional.ofNullable(keyId), maxAttempts,
        partSize, timeout, log);
  }

  public S3Settings withPartSize(int bytes) {
    return new S3Settings(endpoint, pathStyle, sse, kmsKeyId, maxAttempts, bytes, timeout, log);
  }

  public S3Settings withMaxAttempts(int attempts) {
    return new S3Settings(endpoint, pathStyle, sse, kmsKeyId, attempts, partSize, timeout, log);
  }

  public S3Settings withLog(Consumer<String> sink) {
    return new S3Settings(endpoint, pathStyle, sse, kmsKeyId, maxAttempts, partSize, timeout, sink);
  }
}
