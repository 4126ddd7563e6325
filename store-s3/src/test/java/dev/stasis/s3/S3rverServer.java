package dev.stasis.s3;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * s3rver (npm, run by node), the tests' second S3 implementation besides S3Mock: a JUnit
 * extension that starts one per test JVM on a free port of 127.0.0.1, over a temp directory,
 * with the bucket {@link #BUCKET}. It differs from S3Mock where S3-compatible servers do: it
 * checks signatures but no payload checksum, ignores {@code If-None-Match}, cannot list or abort
 * multipart uploads, and stores an {@code aws-chunked} body with its framing.
 *
 * <p>bin/test installs it ({@code store-s3/s3rver}) and sets {@code stasis.s3rver.required}, so
 * there a missing s3rver fails the suite; a bare {@code mvn verify} without it skips the suite.
 *
 * <pre>{@code
 * @ExtendWith(S3rverServer.class)
 * class S3rverStoreContractTest extends StoreContract { ... S3rverServer.freshBackend() ... }
 * }</pre>
 */
public final class S3rverServer implements BeforeAllCallback {
  public static final String BUCKET = "stasis-test";
  /** s3rver's one account. */
  private static final AwsBasicCredentials ACCOUNT = AwsBasicCredentials.create("S3RVER", "S3RVER");
  private static final Pattern LISTENING = Pattern.compile("S3rver listening on [0-9.]+:([0-9]+)");
  private static URI endpoint;

  @Override
  public void beforeAll(ExtensionContext context) {
    endpoint();
  }

  /** The server's URL, starting it on first use; aborts the calling test when s3rver is not installed. */
  public static synchronized URI endpoint() {
    if (endpoint == null) {
      Path script = Path.of(System.getProperty("stasis.s3rver", "store-s3/s3rver/node_modules/s3rver/bin/s3rver.js"));
      if (!Files.isRegularFile(script)) {
        String missing = "s3rver is not installed at " + script + " (bin/test installs it)";
        if (Boolean.getBoolean("stasis.s3rver.required")) {
          throw new IllegalStateException(missing);
        }
        Assumptions.abort(missing);
      }
      try {
        endpoint = start(script);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start s3rver: " + e.getMessage(), e);
      }
    }
    return endpoint;
  }

  private static URI start(Path script) throws IOException {
    Path data = Files.createTempDirectory("s3rver");
    Process node = new ProcessBuilder("node", script.toString(), "-d", data.toString(), "-a", "127.0.0.1", "-p", "0",
        "--silent", "--configure-bucket", BUCKET).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.destroy();
      deleteTree(data);
    }));
    BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = out.readLine()) != null; ) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> drain(out), "s3rver stdout");
        drain.setDaemon(true);
        drain.start();
        return URI.create("http://127.0.0.1:" + m.group(1));
      }
    }
    throw new IOException("s3rver ended without listening (exit " + node.onExit().join().exitValue() + ")");
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // s3rver says nothing more with --silent; a full pipe would block it
      }
    } catch (IOException e) {
      // the server is gone
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind
    }
  }

  public static S3Settings settings() {
    return S3Settings.defaults().withEndpoint(endpoint()).withPathStyle(true);
  }

  /** A store of its own: the bucket under a new prefix. */
  public static S3Location freshLocation() {
    return new S3Location(BUCKET, "t-" + UUID.randomUUID());
  }

  /** A backend on a fresh store, signed with s3rver's account. */
  public static S3Backend freshBackend() {
    S3Settings settings = settings();
    return S3Backend.open(freshLocation(),
        S3Clients.builder(settings).credentialsProvider(StaticCredentialsProvider.create(ACCOUNT)).build(), settings);
  }
}
