package dev.stasis.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.s3.FaultProxy.Fault;
import dev.stasis.s3.FaultProxy.Request;
import dev.stasis.store.Key;
import dev.stasis.store.ObjectWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * 503 SlowDown and 500 from the server, injected by a {@link FaultProxy} in front of S3Mock:
 * each request is retried, with backoff, a bounded number of times, and each retry is told to
 * the settings' log; past the bound the operation fails naming its object and, for a writer,
 * publishes nothing.
 */
class S3RetryTest extends ThroughFaultProxy {
  private static final Key SMALL = Key.of("snapshots", "c", "x", "n", "small");
  private static final Key LARGE = Key.of("snapshots", "c", "x", "n", "large");


  static byte[] random(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  static void write(S3Backend backend, Key key, byte[] data) throws IOException {
    try (ObjectWriter w = backend.create()) {
      w.output().write(data);
      w.commit(key);
    }
  }

  static byte[] read(S3Backend backend, Key key) throws IOException {
    try (InputStream in = backend.open(key)) {
      return in.readAllBytes();
    }
  }

  /** UploadPart requests for part {@code n}. */
  static Predicate<Request> part(int n) {
    return FaultProxy.uploadPart().and(r -> ("&" + r.query() + "&").contains("&partNumber=" + n + "&"));
  }

  /** The retries the log was told of, for requests of {@code operation} on {@code key}. */
  private List<String> retriesOf(String operation, String key) {
    synchronized (log) {
      return log.stream().filter(l -> l.startsWith("S3 " + operation + " ") && l.contains(key)
          && l.contains("retrying")).toList();
    }
  }

  private int uploadsInProgress() {
    return backend.client().listMultipartUploads(b -> b.bucket(S3MockServer.BUCKET).prefix(location.key("")))
        .uploads().size();
  }

  /** Every object under this store's prefix, staging included: what a killed or failed writer left. */
  private List<String> everyObject() {
    return backend.client().listObjectsV2Paginator(b -> b.bucket(S3MockServer.BUCKET).prefix(location.key("")))
        .contents().stream().map(o -> o.key()).toList();
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"SLOW_DOWN", "INTERNAL_ERROR"})
  void aPutIsRetried(Fault fault) throws IOException {
    byte[] data = random(1000);
    Predicate<Request> puts = FaultProxy.putObject().and(FaultProxy.keyEndsWith(SMALL.path()));
    proxy.inject(fault, 2, puts);
    write(backend, SMALL, data);
    assertArrayEquals(data, read(backend, SMALL));
    assertEquals(3, proxy.count(puts), "two refused, the third stored");
    assertEquals(2, proxy.injected(fault));
    assertEquals(2, retriesOf("PutObject", location.key(SMALL.path())).size(), "each retry is logged: " + log);
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"SLOW_DOWN", "INTERNAL_ERROR"})
  void anUploadPartIsRetried(Fault fault) throws IOException {
    byte[] data = random(3 * PART + 123);
    proxy.inject(fault, 2, part(2));
    write(backend, LARGE, data);
    assertArrayEquals(data, read(backend, LARGE));
    assertEquals(3, proxy.count(part(2)));
    assertEquals(1, proxy.count(part(1)));
    assertEquals(2, retriesOf("UploadPart", "/" + S3MockServer.BUCKET + "/").size(), "each retry is logged: " + log);
    assertEquals(0, uploadsInProgress());
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"SLOW_DOWN", "INTERNAL_ERROR"})
  void aGetIsRetried(Fault fault) throws IOException {
    byte[] data = random(PART + 1);
    write(backend, LARGE, data);
    Predicate<Request> gets = FaultProxy.getObject().and(FaultProxy.keyEndsWith(LARGE.path()));
    proxy.inject(fault, 2, gets);
    assertArrayEquals(data, read(backend, LARGE));
    assertEquals(3, proxy.count(gets));
    assertEquals(2, retriesOf("GetObject", location.key(LARGE.path())).size(), "each retry is logged: " + log);
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"SLOW_DOWN", "INTERNAL_ERROR"})
  void aListIsRetried(Fault fault) throws IOException {
    for (String name : List.of("a", "b", "c")) {
      write(backend, Key.of("snapshots", "c", "x", "n", name), random(10));
    }
    proxy.inject(fault, 2, FaultProxy.listObjects());
    List<Key> keys = new ArrayList<>();
    backend.list(Key.of("snapshots"), o -> keys.add(o.key()));
    assertEquals(List.of(Key.of("snapshots/c/x/n/a"), Key.of("snapshots/c/x/n/b"), Key.of("snapshots/c/x/n/c")), keys);
    assertEquals(3, proxy.count(FaultProxy.listObjects()));
    assertEquals(2, retriesOf("ListObjectsV2", "/" + S3MockServer.BUCKET).size(), "each retry is logged: " + log);
  }

  @Test
  void aPutRefusedMoreOftenThanTheAttemptsFailsNamingTheKeyAndStoresNothing() throws IOException {
    try (S3Backend three = backend(3)) {
      Predicate<Request> puts = FaultProxy.putObject().and(FaultProxy.keyEndsWith(SMALL.path()));
      proxy.inject(Fault.SLOW_DOWN, 4, puts);
      RuntimeException e = assertThrows(RuntimeException.class, () -> write(three, SMALL, random(1000)));
      assertTrue(e.getMessage().contains(three.location(SMALL)), e.getMessage());
      assertTrue(e.getMessage().contains("503 SlowDown"), e.getMessage());
      assertEquals(3, proxy.count(puts), "bounded: three attempts, no more");
      assertEquals(2, retriesOf("PutObject", location.key(SMALL.path())).size());
      proxy.heal();
      assertFalse(three.stat(SMALL).isPresent());
      assertEquals(List.of(), everyObject());
    }
  }

  @Test
  void aPartRefusedMoreOftenThanTheAttemptsFailsTheCommitNamingTheKeyAndAbortsTheUpload() throws IOException {
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.INTERNAL_ERROR, 3, part(2));
      RuntimeException e = assertThrows(RuntimeException.class, () -> write(three, LARGE, random(3 * PART)));
      assertTrue(e.getMessage().contains(three.location(LARGE)), e.getMessage());
      assertTrue(e.getMessage().contains("500 InternalError"), e.getMessage());
      assertEquals(3, proxy.count(part(2)));
      assertEquals(0, uploadsInProgress(), "the multipart upload was aborted");
      assertFalse(three.stat(LARGE).isPresent());
      assertEquals(List.of(), everyObject(), "nothing published, nothing staged");
    }
  }

  @Test
  void aGetRefusedMoreOftenThanTheAttemptsFailsNamingTheKey() throws IOException {
    write(backend, SMALL, random(100));
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.SLOW_DOWN, 3, FaultProxy.getObject());
      IOException e = assertThrows(IOException.class, () -> read(three, SMALL));
      assertTrue(e.getMessage().contains(three.location(SMALL)) && e.getMessage().contains("503"), e.getMessage());
      assertEquals(3, proxy.count(FaultProxy.getObject()));
    }
  }

  @Test
  void aListRefusedMoreOftenThanTheAttemptsFailsNamingThePrefix() throws IOException {
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.INTERNAL_ERROR, 3, FaultProxy.listObjects());
      IOException e = assertThrows(IOException.class, () -> three.list(Key.of("snapshots"), o -> {}));
      assertTrue(e.getMessage().contains(three.location(Key.of("snapshots"))) && e.getMessage().contains("500"),
          e.getMessage());
      assertEquals(3, proxy.count(FaultProxy.listObjects()));
    }
  }

  /** What other servers answer for a body that does not match its digest; S3Mock's own is tested on the wire. */
  @Test
  void everyServersWordForABodyThatDoesNotMatchItsDigestIsRetried() {
    for (String code : List.of("BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch")) {
      assertTrue(S3Clients.corruptedInTransit(refusal(400, code, "")), code);
    }
    assertTrue(S3Clients.corruptedInTransit(refusal(400, "BadRequest", "Value for x-amz-checksum-sha256 header is invalid.")));
    assertFalse(S3Clients.corruptedInTransit(refusal(400, "InvalidArgument", "Invalid argument.")));
    assertFalse(S3Clients.corruptedInTransit(refusal(403, "AccessDenied", "Access Denied")));
    assertFalse(S3Clients.corruptedInTransit(new IOException("connection reset")));
  }

  private static S3Exception refusal(int status, String code, String message) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
  }
}
