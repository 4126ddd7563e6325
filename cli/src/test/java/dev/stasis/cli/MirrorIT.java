package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.modules.Trees;
import dev.stasis.s3.S3MockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Mirroring to S3" through the real launchers: a local store pushed to an
 * S3-compatible endpoint (S3Mock, started by this JVM) with the credentials in the AWS
 * environment variables, pulled into another directory, and checked there by
 * {@code dysnomia-snapshots}.
 */
class MirrorIT {
  @TempDir
  Path tmp;

  @Test
  void pushToS3ThenPullIntoAnotherDirectoryAndCheck() throws Exception {
    Path store = tmp.resolve("store");
    Path pulled = tmp.resolve("pulled");
    Path www = Trees.sample(tmp.resolve("www"));
    Launchers bin = new Launchers(store);
    bin.stasis("snapshot", www.toString()).ok();
    Files.writeString(www.resolve("index.html"), "<h1>changed</h1>\n");
    bin.stasis("snapshot", www.toString()).ok();

    String url = "s3://" + S3MockServer.BUCKET + "/it-" + UUID.randomUUID();
    String env = "AWS_ACCESS_KEY_ID=stasis-it AWS_SECRET_ACCESS_KEY=stasis-it-secret AWS_REGION=us-east-1"
        + " AWS_ENDPOINT_URL_S3=" + S3MockServer.endpoint() + " ";
    Result push = bin.bash(env + "bin/stasis mirror --from " + quote(store) + " --to " + url).ok();
    assertTrue(push.out().startsWith("sent 2 snapshot(s)"), push.out());
    assertTrue(push.out().strip().endsWith("linked 2 generation(s), 0 failed"), push.out());

    Result again = bin.bash(env + "bin/stasis mirror --json --from " + quote(store) + " --to " + url).ok();
    assertEquals(0L, JsonReader.object(again.out()).get("sent"));

    bin.bash(env + "bin/stasis mirror --from " + url + " --to " + quote(pulled)).ok();
    Launchers pulledBin = new Launchers(pulled);
    Result check = pulledBin.dysnomiaSnapshots("--query-all", "--check").ok();
    assertEquals(bin.dysnomiaSnapshots("--query-all").ok().lines(), check.lines());
    assertEquals(2, check.lines().size());
    assertArrayEquals(bin.stasis("dump", "directory/www").ok().stdout(),
        pulledBin.stasis("dump", "directory/www").ok().stdout());
  }

  /**
   * Without credentials an S3 command says so in one line naming the variables to set: no SLF4J
   * warnings, no dump of the SDK's credential chain, and (off EC2) no probe of instance metadata,
   * whose endpoint here is a listener that counts connections.
   */
  @Test
  void withoutCredentialsAnS3CommandSaysWhatToSetInOneLine() throws Exception {
    Path vendor = Path.of("/sys/devices/virtual/dmi/id/sys_vendor");
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(vendor) && Files.readString(vendor)
        .contains("Amazon EC2"), "on EC2 the instance role is asked, as it should be");
    Path store = Files.createDirectories(tmp.resolve("store"));
    Launchers bin = new Launchers(store);
    bin.stasis("list").ok();  // builds the jar if needed, before the listener counts
    try (java.net.ServerSocket metadata = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      metadata.setSoTimeout(1);
      String env = "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE"
          + " AWS_SHARED_CREDENTIALS_FILE=" + quote(tmp.resolve("none")) + " AWS_CONFIG_FILE=" + quote(tmp.resolve("none"))
          + " AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:" + metadata.getLocalPort() + " AWS_REGION=us-east-1 ";
      Result list = bin.bash(env + "bin/stasis list --store s3://" + S3MockServer.BUCKET + "/it-none --endpoint "
          + S3MockServer.endpoint());
      assertEquals(1, list.exit(), list.stderr());
      assertEquals(1, list.stderr().lines().count(), list.stderr());
      assertTrue(list.stderr().startsWith("stasis: ") && list.stderr().contains("no AWS credentials found")
          && list.stderr().contains("AWS_ACCESS_KEY_ID") && list.stderr().contains("AWS_PROFILE"), list.stderr());
      int probes = 0;
      try {
        while (true) {
          metadata.accept().close();
          probes++;
        }
      } catch (java.net.SocketTimeoutException e) {
        // every connection made to it was accepted above
      }
      assertEquals(0, probes, "instance metadata was asked");
    }
  }

  private static String quote(Path p) {
    return "'" + p.toString().replace("'", "'\\''") + "'";
  }
}
