package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import dev.stasis.s3.FaultProxy;
import dev.stasis.s3.S3MockServer;
import dev.stasis.s3.S3Probe;
import dev.stasis.s3.S3Settings;
import dev.stasis.store.Key;
import dev.stasis.store.ObjectWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code stasis mirror} to and from S3 (S3Mock on 127.0.0.1): a local store pushed and pulled
 * back into an empty directory checks clean with {@code dysnomia-snapshots}; damage on S3 is
 * found by {@code check} and refused by a pull; {@code gc} aborts abandoned uploads.
 */
class MirrorS3Test {
  @TempDir
  Path tmp;
  Path local;
  Path pulled;
  S3Probe s3;
  /** pgc/testdb's generations: A, B, A. */
  List<String> aba;

  @BeforeEach
  void aLocalStore() throws IOException {
    local = tmp.resolve("local");
    pulled = tmp.resolve("pulled");
    String a = MirrorCommandTest.dump(local, "state A\n");
    String b = MirrorCommandTest.dump(local, "state B\n");
    MirrorCommandTest.dump(local, "state A\n");
    aba = List.of(a, b, a);
    assertEquals(0, CliRun.stasis(local, "snapshot", Trees.sample(tmp.resolve("www")).toString()).code());
    s3 = S3Probe.fresh(S3Settings.MIN_PART);
  }

  @AfterEach
  void close() {
    s3.close();
  }

  /** {@code stasis ARGS --endpoint S3MOCK}; the credentials are S3MockServer's. */
  private CliRun stasis(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint", S3MockServer.endpoint().toString()));
    return CliRun.stasis(local, all.toArray(String[]::new));
  }

  private static List<String> queryAll(Path store) {
    return CliRun.dysnomiaSnapshots(store, "--query-all").lines();
  }

  private void push() {
    CliRun r = stasis("mirror", "--from", local.toString(), "--to", s3.url());
    assertEquals(0, r.code(), r.toString());
  }

  @Test
  void aStorePushedToS3AndPulledIntoAnEmptyDirectoryChecksClean() throws IOException {
    push();
    assertEquals(4, stasis("list", "--store", s3.url()).lines().size());
    CliRun again = stasis("mirror", "--from", local.toString(), "--to", s3.url(), "--json");
    assertEquals(0, again.code(), again.toString());
    Map<String, Object> summary = JsonReader.object(again.out());
    assertEquals(0L, summary.get("sent"), "a second push sends nothing");
    assertEquals(0L, summary.get("linked"));

    CliRun pull = stasis("mirror", "--from", s3.url(), "--to", pulled.toString());
    assertEquals(0, pull.code(), pull.toString());

    CliRun check = CliRun.dysnomiaSnapshots(pulled, "--query-all", "--check");
    assertEquals(0, check.code(), check.toString());
    assertEquals(queryAll(local), check.lines());
    for (String component : List.of("pgc/testdb", "directory/www")) {
      assertArrayEquals(CliRun.stasis(local, "dump", component).stdout(),
          CliRun.stasis(pulled, "dump", component).stdout(), component);
    }
    for (String path : queryAll(local)) {
      assertEquals(Files.readString(local.resolve("checksums").resolve(path)),
          Files.readString(pulled.resolve("checksums").resolve(path)), path);
    }
  }

  @Test
  void aCorruptedObjectOnS3IsFoundByCheckAndRefusedByAPull() throws IOException {
    push();
    Key file = Key.of("snapshots", aba.get(1), "dump.sql.zst");
    byte[] bytes;
    try (InputStream in = s3.backend().open(file)) {
      bytes = in.readAllBytes();
    }
    bytes[bytes.length / 2] ^= 0x10;
    try (ObjectWriter w = s3.backend().create()) {
      w.output().write(bytes);
      w.commit(file);
    }

    CliRun check = stasis("check", "--store", s3.url());
    assertEquals(3, check.code(), check.toString());
    assertEquals(List.of("mismatch " + aba.get(1)), check.lines().stream().map(l -> l.substring(0, l.indexOf(':')))
        .toList());

    CliRun pull = stasis("mirror", "--from", s3.url(), "--to", pulled.toString());
    assertEquals(3, pull.code(), pull.toString());
    assertTrue(pull.stderr().contains("refused " + aba.get(1)), pull.stderr());
    assertEquals(List.of(aba.get(0)), queryAll(pulled).stream().filter(p -> p.startsWith("pgc/")).toList(),
        "nothing linked for B or after it");
    assertFalse(Files.exists(pulled.resolve("snapshots").resolve(aba.get(1))));
    assertEquals(0, CliRun.dysnomiaSnapshots(pulled, "--query-all", "--check").code());
  }

  @Test
  void gcAbortsUploadsAbandonedLongerThanTheThreshold() {
    s3.abandonUpload(Key.of("snapshots", "pgc", "testdb", "x", "dump.sql.zst"));

    CliRun recent = stasis("gc", "--store", s3.url());
    assertEquals(0, recent.code(), recent.toString());
    assertTrue(recent.stderr().contains("stasis: aborted 0 abandoned upload(s) and staging object(s) older than 24h"),
        recent.stderr());
    assertEquals(1, s3.uploadsInProgress(), "a young upload may be resumed yet");

    CliRun old = stasis("gc", "--store", s3.url(), "--abandoned-after", "0");
    assertEquals(0, old.code(), old.toString());
    assertTrue(old.stderr().contains("stasis: aborted 1 abandoned upload(s) and staging object(s) older than 0s"),
        old.stderr());
    assertEquals(0, s3.uploadsInProgress());
  }

  // ---- what the S3 server did not prove (issue 12)

  /** {@code stasis ARGS --endpoint PROXY}: the same S3Mock through a hop that injects faults. */
  private CliRun through(FaultProxy proxy, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint", proxy.endpoint().toString()));
    return CliRun.stasis(local, all.toArray(String[]::new));
  }

  @Test
  void aPushThroughAHopThatDamagesAPartOnAServerThatChecksNothingIsSentAgainAndChecksClean() throws IOException {
    byte[] big = new byte[S3Settings.MIN_PART + 4096];
    new java.util.Random(12).nextBytes(big);
    assertEquals(0, CliRun.stasisWithInput(local, big, "snapshot", "--stdin", "-C", "blobs", "-c", "big",
        "--compression", "none").code());
    try (FaultProxy proxy = FaultProxy.start(S3MockServer.endpoint())) {
      proxy.inject(FaultProxy.Fault.CORRUPT_REQUEST_BODY_UNCHECKED, 1, FaultProxy.uploadPart());
      CliRun push = through(proxy, "mirror", "--from", local.toString(), "--to", s3.url(), "--s3-part-size", "5MiB");
      assertEquals(0, push.code(), push.toString());
      assertEquals(1, proxy.injected(FaultProxy.Fault.CORRUPT_REQUEST_BODY_UNCHECKED));
      assertTrue(push.stderr().contains("stored other bytes than were sent"), push.stderr());
    }
    CliRun check = stasis("check", "--store", s3.url());
    assertEquals(0, check.code(), check.toString());
  }

  @Test
  void gcOnAServerThatCannotListUploadsWarnsAndSucceeds() throws IOException {
    push();
    try (FaultProxy proxy = FaultProxy.start(S3MockServer.endpoint())) {
      proxy.inject(FaultProxy.Fault.NOT_IMPLEMENTED, 10, FaultProxy.listUploads());
      CliRun gc = through(proxy, "gc", "--store", s3.url(), "--keep", "1");
      assertEquals(0, gc.code(), gc.toString());
      assertTrue(gc.stderr().contains("warning: the S3 server at " + proxy.endpoint() + " cannot list multipart uploads"
          + " (501 NotImplemented)"), gc.stderr());
      assertEquals(1, proxy.injected(FaultProxy.Fault.NOT_IMPLEMENTED));
    }
    assertEquals(2, stasis("list", "--store", s3.url()).lines().size(), "gc did its work: one generation each");
  }

  @Test
  void aMirrorFromAnS3PrefixWithNothingUnderItIsNotFound() {
    CliRun pull = stasis("mirror", "--from", s3.url() + "-nothing", "--to", pulled.toString());
    assertEquals(4, pull.code(), pull.toString());
    assertTrue(pull.stderr().contains("nothing under " + s3.url() + "-nothing"), pull.stderr());
    CliRun local = stasis("mirror", "--from", tmp.resolve("no-such-dir").toString(), "--to", pulled.toString());
    assertEquals(4, local.code(), "the same rule as for a missing directory: " + local);
  }

  @Test
  void aMissingBucketIsNotFound() {
    CliRun list = stasis("list", "--store", "s3://no-such-bucket-" + System.nanoTime() + "/x");
    assertEquals(4, list.code(), list.toString());
    assertEquals(1, list.stderr().lines().count(), list.stderr());
    assertTrue(list.stderr().contains("NoSuchBucket"), list.stderr());
  }

  @ParameterizedTest
  @EnumSource(value = FaultProxy.Fault.class, names = {"UNKNOWN_ACCESS_KEY", "BAD_SIGNATURE"})
  void aRefusedCredentialFailsWithOneLineNamingTheCause(FaultProxy.Fault refusal) throws IOException {
    try (FaultProxy proxy = FaultProxy.start(S3MockServer.endpoint())) {
      proxy.inject(refusal, 100, r -> true);
      CliRun list = through(proxy, "list", "--store", s3.url());
      assertEquals(1, list.code(), list.toString());
      assertEquals(1, list.stderr().lines().count(), list.stderr());
      assertTrue(list.stderr().contains("refused the credentials (403 " + (refusal == FaultProxy.Fault.BAD_SIGNATURE ? "SignatureDoesNotMatch" : "InvalidAccessKeyId") + ")")
          && list.stderr().contains("AWS_ACCESS_KEY_ID"), list.stderr());
    }
  }

  /** An endpoint nothing listens on: tried again (each retry told), then a failure naming it (exit 1). */
  @Test
  void anUnreachableEndpointFailsNamingIt() throws IOException {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    CliRun list = CliRun.stasis(local, "list", "--store", s3.url(), "--endpoint", "http://127.0.0.1:" + port);
    assertEquals(1, list.code(), list.toString());
    List<String> lines = list.stderr().lines().toList();
    assertTrue(lines.get(lines.size() - 1).startsWith("stasis: cannot list " + s3.url())
        && lines.get(lines.size() - 1).contains("127.0.0.1:" + port), list.stderr());
    assertTrue(lines.subList(0, lines.size() - 1).stream().allMatch(l -> l.contains("retrying")), list.stderr());
  }
}
