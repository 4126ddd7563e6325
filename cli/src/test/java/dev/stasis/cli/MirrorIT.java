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

  private static String quote(Path p) {
    return "'" + p.toString().replace("'", "'\\''") + "'";
  }
}
