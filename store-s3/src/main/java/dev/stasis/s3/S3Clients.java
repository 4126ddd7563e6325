package dev.stasis.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.SystemPropertyCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
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
        .credentialsProvider(credentials(Path.of("/sys")))
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

  /**
   * The SDK's default credential chain (system properties, environment, web identity, profile,
   * container), ending with the instance role only where the machine says it is an EC2
   * instance: elsewhere probing instance metadata makes a user without credentials wait for its
   * timeouts and retries, only to be told what the environment lacks.
   *
   * @param sys where the kernel shows the firmware's and hypervisor's ids ({@code /sys})
   */
  static AwsCredentialsProvider credentials(Path sys) {
    List<AwsCredentialsProvider> chain = new ArrayList<>(List.of(SystemPropertyCredentialsProvider.create(),
        EnvironmentVariableCredentialsProvider.create(), WebIdentityTokenFileCredentialsProvider.create(),
        ProfileCredentialsProvider.create(), ContainerCredentialsProvider.create()));
    if (onEc2(sys)) {
      chain.add(InstanceProfileCredentialsProvider.create());
    }
    return AwsCredentialsProviderChain.builder().reuseLastProviderEnabled(true).credentialsProviders(chain).build();
  }

  /**
   * Whether this is an EC2 instance, as AWS documents telling: the DMI vendor (Nitro) or board
   * asset tag, or a Xen hypervisor UUID beginning with {@code ec2}.
   */
  static boolean onEc2(Path sys) {
    return read(sys.resolve("devices/virtual/dmi/id/sys_vendor")).contains("Amazon EC2")
        || read(sys.resolve("devices/virtual/dmi/id/board_asset_tag")).startsWith("i-")
        || read(sys.resolve("hypervisor/uuid")).toLowerCase(java.util.Locale.ROOT).startsWith("ec2");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException | RuntimeException e) {
      return "";  // absent or unreadable: no hint
    }
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
