package dev.stasis.s3;

import java.util.List;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Builds the S3 client a store uses, from {@link S3Settings} and the AWS default chains. */
public final class S3Clients {
  private S3Clients() {}

  /**
   * A client for {@code settings}: request checksums only when the API requires them (many
   * S3-compatible servers mishandle the SDK's newer default), bodies sent plain rather than in
   * {@code aws-chunked} framing (s3rver and others store the framing with the bytes; over HTTPS
   * the SDK does not sign payloads anyway, over HTTP it hashes the body once more instead),
   * retries with backoff and jitter on 500/503 SlowDown, timeouts, resets and corrupted uploads,
   * each retry told to the log.
   */
  public static S3Client build(S3Settings settings) {
    return builder(settings).build();
  }

  /** The builder behind {@link #build}, with {@code extra} interceptors (tests count requests with them). */
  static S3ClientBuilder builder(S3Settings settings, ExecutionInterceptor... extra) {
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(Apache5HttpClient.builder().maxConnections(32).socketTimeout(settings.timeout()))
        .forcePathStyle(settings.pathStyle())
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .region(region())
        .overrideConfiguration(o -> {
          o.retryStrategy(retries(settings.maxAttempts())).addExecutionInterceptor(new RetryLog(settings));
          for (ExecutionInterceptor i : extra) {
            o.addExecutionInterceptor(i);
          }
        });
    settings.endpoint().ifPresent(b::endpointOverride);
    return b;
  }

  /**
   * The SDK's standard strategy, bounded, without the circuit breaker (a long mirror must not
   * stop retrying because an earlier part failed), and also retrying a body that arrived
   * corrupted: the part's SHA-256 made the server refuse it, and the bytes can be sent again.
   */
  static RetryStrategy retries(int maxAttempts) {
    return AwsRetryStrategy.standardRetryStrategy().toBuilder()
        .maxAttempts(maxAttempts)
        .circuitBreakerEnabled(false)
        .retryOnException(S3Clients::corruptedInTransit)
        .build();
  }

  /**
   * Whether the server refused a body that does not match the digest sent with it. AWS answers
   * BadDigest (InvalidDigest, XAmzContentSHA256Mismatch for the older headers), MinIO
   * XAmzContentChecksumMismatch, S3Mock 400 "Value for x-amz-checksum-sha256 header is invalid."
   * We compute that header ourselves, so a server calling it invalid got other bytes than we sent.
   */
  static boolean corruptedInTransit(Throwable e) {
    if (!(e instanceof S3Exception s3) || s3.awsErrorDetails() == null) {
      return false;
    }
    String code = s3.awsErrorDetails().errorCode();
    String message = s3.awsErrorDetails().errorMessage();
    return code != null && List.of("BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch",
        "XAmzContentChecksumMismatch").contains(code)
        || s3.statusCode() == 400 && message != null && message.startsWith("Value for x-amz-checksum-")
        && message.endsWith("header is invalid.");
  }

  /** The region from the environment or profile, without probing instance metadata; us-east-1 otherwise. */
  private static Region region() {
    try {
      return new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider()).getRegion();
    } catch (RuntimeException e) {
      return Region.US_EAST_1;
    }
  }

  /** Tells the log of every retry: the SDK numbers attempts in its {@code amz-sdk-request} header. */
  private static final class RetryLog implements ExecutionInterceptor {
    private final S3Settings settings;

    RetryLog(S3Settings settings) {
      this.settings = settings;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      String attempt = context.httpRequest().firstMatchingHeader("amz-sdk-request").orElse("");
      if (!attempt.isEmpty() && !attempt.startsWith("attempt=1;")) {
        SdkRequest request = context.request();
        settings.log().accept("S3 " + request.getClass().getSimpleName().replace("Request", "") + " "
            + context.httpRequest().encodedPath() + ": retrying (" + attempt.replace(';', ',') + ")");
      }
    }
  }
}
