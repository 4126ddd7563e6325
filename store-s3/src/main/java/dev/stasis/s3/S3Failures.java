package dev.stasis.s3;

import dev.stasis.store.NotFoundException;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * SDK failures in words, mapped once at the boundary (kopia's {@code translateError}): one line
 * naming the cause, never the SDK's dump of its credential chain, never a secret. A missing
 * bucket is {@link NotFoundException} (exit 4); a refused or missing credential says which
 * variables to set.
 */
final class S3Failures {
  /** Error codes with which a server refuses who is asking, not what is asked. */
  private static final Set<String> REFUSED = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied",
      "ExpiredToken", "InvalidToken", "TokenRefreshRequired");
  static final String CREDENTIAL_HELP = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (a profile"
      + " in ~/.aws)";

  private S3Failures() {}

  /** Throws {@link NotFoundException} if {@code e} says the bucket of {@code location} does not exist. */
  static void requireBucket(SdkException e, S3Location location, S3Settings settings) {
    if (e instanceof NoSuchBucketException || e instanceof S3Exception s3 && s3.awsErrorDetails() != null
        && "NoSuchBucket".equals(s3.awsErrorDetails().errorCode())) {
      throw new NotFoundException("no bucket %s at %s (NoSuchBucket): no store at %s", location.bucket(),
          endpoint(settings), location);
    }
  }

  /** Why {@code e} failed, in one line. */
  static String reason(SdkException e) {
    if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null && s3.awsErrorDetails().errorCode() != null) {
      String code = s3.statusCode() + " " + s3.awsErrorDetails().errorCode();
      return REFUSED.contains(s3.awsErrorDetails().errorCode())
          ? "the server refused the credentials (" + code + "): " + CREDENTIAL_HELP : code;
    }
    String message = String.valueOf(e.getMessage());
    if (e instanceof SdkClientException && message.startsWith("Unable to load credentials")) {
      return "no AWS credentials found: " + CREDENTIAL_HELP;
    }
    int cut = message.indexOf(" (SDK Attempt Count");
    return (cut > 0 ? message.substring(0, cut) : message).lines().findFirst().orElse("");
  }

  /** The server, for messages: the endpoint given, or AWS. */
  static String endpoint(S3Settings settings) {
    return settings.endpoint().map(Object::toString).orElse("AWS");
  }
}
