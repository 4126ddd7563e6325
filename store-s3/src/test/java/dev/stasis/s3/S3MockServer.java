package dev.stasis.s3;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.net.URI;
import java.util.UUID;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3Mock per test JVM (in store-s3's test-jar, for every module's tests) (it takes seconds to start), on 127.0.0.1, plain HTTP, with one
 * bucket; each test gets a store of its own under a fresh prefix.
 */
public final class S3MockServer {
  public static final String BUCKET = "stasis-test";
  private static S3MockExtension server;

  private S3MockServer() {}

  public static synchronized URI endpoint() {
    if (server == null) {
      // the SDK's default chains read these; S3Mock accepts any credentials
      System.setProperty("aws.accessKeyId", "stasis-test");
      System.setProperty("aws.secretAccessKey", "stasis-test-secret");
      System.setProperty("aws.region", "us-east-1");
      server = S3MockExtension.builder().silent().withSecureConnection(false).withHttpPort(0)
          .withInitialBuckets(BUCKET).build();
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    }
    return URI.create("http://127.0.0.1:" + server.getHttpPort());
  }

  public static S3Settings settings() {
    return S3Settings.defaults().withEndpoint(endpoint()).withPathStyle(true);
  }

  static S3Client client() {
    return S3Clients.build(settings());
  }

  /** A store of its own: the test bucket under a new prefix. */
  public static S3Location freshLocation() {
    return new S3Location(BUCKET, "t-" + UUID.randomUUID());
  }

  public static S3Backend freshBackend() {
    S3Settings settings = settings();
    return S3Backend.open(freshLocation(), S3Clients.build(settings), settings);
  }
}
