package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.deploy.DeployLock;
import dev.stasis.modules.Trees;
import dev.stasis.s3.S3MockServer;
import dev.stasis.s3.S3Probe;
import dev.stasis.s3.S3Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stasis deploy} as a user runs it (in-process): output, JSON, exit codes, the deployment
 * lock, and an S3 store as the coordinator (the hop between two targets).
 */
class DeployCommandTest {
  @TempDir
  Path tmp;

  /** Directory services on targets t1 and t2 (both this machine), each {@code service=target}. */
  private Path deployment(String name, String... placements) throws IOException {
    StringBuilder toml = new StringBuilder();
    for (String t : List.of("t1", "t2")) {
      toml.append("[targets.").append(t).append("]\naddress = \"local\"\nstatedir = \"").append(tmp.resolve("state-" + t))
          .append("\"\n[targets.").append(t).append(".containers.directory]\ndirectoryRoot = \"")
          .append(tmp.resolve("data-" + t)).append("\"\n");
    }
    for (String p : placements) {
      String[] kv = p.split("=");
      toml.append("[services.").append(kv[0]).append("]\ntarget = \"").append(kv[1]).append("\"\ncontainer = \"directory\"\n");
    }
    Path file = tmp.resolve(name);
    Files.writeString(file, toml);
    return file;
  }

  private CliRun deploy(Path coordinator, String... args) {
    List<String> all = new ArrayList<>(List.of("deploy"));
    all.addAll(List.of(args));
    all.addAll(List.of("--store", coordinator.toString()));
    return CliRun.stasis(coordinator, all.toArray(String[]::new));
  }

  @Test
  void aMigrationPrintsOneLinePerServiceAndJsonOnAsk() throws IOException {
    Path old = deployment("old.toml", "www=t1", "files=t1");
    Path now = deployment("new.toml", "www=t2", "files=t1");
    Trees.sample(tmp.resolve("data-t1/www"));
    Trees.file(tmp.resolve("data-t1/files"), "f.txt", "stays on t1\n");
    Path coordinator = tmp.resolve("coordinator");

    CliRun plan = deploy(coordinator, "migrate", "--from", old.toString(), "--to", now.toString(), "--dry-run");
    assertEquals(0, plan.code(), plan.toString());
    assertEquals(1, plan.lines().size(), plan.toString());
    assertTrue(plan.lines().get(0).startsWith("www\tmigrate\tplanned\t"), plan.toString());

    CliRun moved = deploy(coordinator, "migrate", "--from", old.toString(), "--to", now.toString(), "--json");
    assertEquals(0, moved.code(), moved.toString());
    List<Map<String, Object>> rows = JsonReader.arrayOfObjects(moved.out());
    assertEquals(1, rows.size());
    assertEquals("www", rows.get(0).get("subject"));
    assertEquals("done", rows.get(0).get("status"));
    assertEquals(0, ((Number) rows.get(0).get("exit")).intValue());
    assertTrue(((String) rows.get(0).get("snapshot")).startsWith("directory/www/"), rows.toString());
    assertEquals(Trees.describe(tmp.resolve("data-t1/www")), Trees.describe(tmp.resolve("data-t2/www")));
    assertTrue(moved.stderr().contains("[target t1] locking www"), moved.stderr());
  }

  @Test
  void anS3StoreIsTheCoordinatorAndTheHopBetweenTargets() throws IOException {
    Path old = deployment("old.toml", "www=t1");
    Path now = deployment("new.toml", "www=t2");
    Trees.sample(tmp.resolve("data-t1/www"));
    try (S3Probe s3 = S3Probe.fresh(S3Settings.MIN_PART)) {
      String endpoint = S3MockServer.endpoint().toString();
      CliRun snap = CliRun.stasis(tmp, "deploy", "snapshot", "-f", old.toString(), "--store", s3.url(), "--endpoint",
          endpoint);
      assertEquals(0, snap.code(), snap.toString());
      CliRun moved = CliRun.stasis(tmp, "deploy", "migrate", "--from", old.toString(), "--to", now.toString(),
          "--store", s3.url(), "--endpoint", endpoint);
      assertEquals(0, moved.code(), moved.toString());
      assertEquals(Trees.describe(tmp.resolve("data-t1/www")), Trees.describe(tmp.resolve("data-t2/www")));
      CliRun list = CliRun.stasis(tmp, "list", "--store", s3.url(), "--endpoint", endpoint);
      assertEquals(1, list.lines().size(), "the unchanged state is one generation at the coordinator: " + list);
      CliRun check = CliRun.stasis(tmp, "check", "--store", s3.url(), "--endpoint", endpoint);
      assertEquals(0, check.code(), check.toString());
    }
  }

  @Test
  void badDeploymentsAreUsageErrorsAndAMissingOneIsNotFound() throws IOException {
    Path coordinator = tmp.resolve("coordinator");
    Path typo = tmp.resolve("typo.toml");
    Files.writeString(typo, "[targets.t1]\naddress = \"local\"\nstatdir = \"/x\"\n");
    CliRun r = deploy(coordinator, "snapshot", "-f", typo.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.stderr().contains("unknown key 'statdir'"), r.stderr());
    assertEquals(4, deploy(coordinator, "snapshot", "-f", tmp.resolve("none.toml").toString()).code());
    Path http = tmp.resolve("http.toml");
    Files.writeString(http, "[targets.t1]\naddress = \"http://example.org\"\n");
    assertEquals(2, deploy(coordinator, "snapshot", "-f", http.toString()).code());
  }

  @Test
  void aHeldDeploymentLockIsExitFiveNamingItsHolder() throws IOException {
    Path d = deployment("d.toml", "www=t1");
    Trees.sample(tmp.resolve("data-t1/www"));
    Path coordinator = tmp.resolve("coordinator");
    try (DeployLock held = DeployLock.take(coordinator, "stasis deploy migrate", false,
        new PrintStream(PrintStream.nullOutputStream()))) {
      CliRun r = deploy(coordinator, "snapshot", "-f", d.toString());
      assertEquals(5, r.code(), r.toString());
      assertTrue(r.stderr().contains("pid " + ProcessHandle.current().pid()) && r.stderr().contains("stasis deploy migrate"),
          r.stderr());
      assertFalse(Files.exists(tmp.resolve("state-t1")), "nothing done");
    }
    assertEquals(0, deploy(coordinator, "snapshot", "-f", d.toString()).code());
  }

  @Test
  void someServicesFailingAndOthersDoneIsExitSix() throws IOException {
    Path d = deployment("d.toml", "www=t1", "files=t2");
    Trees.sample(tmp.resolve("data-t1/www"));
    Trees.file(tmp.resolve("data-t2/files"), "f.txt", "x\n");
    Files.writeString(tmp.resolve("state-t2"), "a file where t2's store should be");
    CliRun r = deploy(tmp.resolve("coordinator"), "snapshot", "-f", d.toString());
    assertEquals(6, r.code(), r.toString());
    assertTrue(r.out().contains("www\tsnapshot\tdone"), r.out());
    assertTrue(r.out().contains("files\tsnapshot\tfailed"), r.out());
    assertTrue(r.stderr().contains("stasis: files: on t2:"), r.stderr());
  }
}
