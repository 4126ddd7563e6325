package dev.stasis.s3;

import static dev.stasis.s3.S3RetryTest.part;
import static dev.stasis.s3.S3RetryTest.random;
import static dev.stasis.s3.S3RetryTest.read;
import static dev.stasis.s3.S3RetryTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.s3.FaultProxy.Fault;
import dev.stasis.s3.FaultProxy.Request;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Generation;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Key;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Uploads through a {@link FaultProxy} that resets connections, loses responses and corrupts
 * bodies: every request is sent again until the server has the right bytes, and bytes damaged
 * on the way are refused by the server (S3Mock checks {@code x-amz-checksum-sha256} on PutObject
 * and UploadPart, answering 400 "Value for x-amz-checksum-sha256 header is invalid."), never
 * stored.
 */
class FaultUploadTest extends ThroughFaultProxy {
  private static final Key SMALL = Key.of("snapshots", "c", "x", "n", "small");
  private static final Key LARGE = Key.of("snapshots", "c", "x", "n", "large");


  private long retriesLogged(String operation) {
    synchronized (log) {
      return log.stream().filter(l -> l.startsWith("S3 " + operation + " ") && l.contains("retrying")).count();
    }
  }

  private int uploadsInProgress() {
    return backend.client().listMultipartUploads(b -> b.bucket(S3MockServer.BUCKET).prefix(location.key("")))
        .uploads().size();
  }

  @Test
  void aPartWhoseConnectionIsResetMidBodyIsSentAgain() throws IOException {
    byte[] data = random(3 * PART + 5);
    proxy.inject(Fault.RESET_IN_REQUEST_BODY, 1, part(2));
    write(backend, LARGE, data);
    assertArrayEquals(data, read(backend, LARGE));
    assertEquals(2, proxy.count(part(2)));
    assertEquals(1, proxy.forwarded(part(2)), "the server saw only the whole part");
    assertEquals(1, retriesLogged("UploadPart"), log::toString);
    assertEquals(0, uploadsInProgress());
  }

  @Test
  void aPutWhoseConnectionIsResetIsSentAgain() throws IOException {
    byte[] data = random(2000);
    proxy.inject(Fault.RESET, 1, FaultProxy.putObject());
    write(backend, SMALL, data);
    assertArrayEquals(data, read(backend, SMALL));
    assertEquals(2, proxy.count(FaultProxy.putObject()));
    assertEquals(1, retriesLogged("PutObject"), log::toString);
  }

  @Test
  void aPutWhoseResponseIsLostIsSentAgainAndTheObjectIsWhole() throws IOException {
    byte[] data = random(3000);
    proxy.inject(Fault.LOSE_RESPONSE, 1, FaultProxy.putObject());
    write(backend, SMALL, data);
    assertArrayEquals(data, read(backend, SMALL));
    assertEquals(2, proxy.forwarded(FaultProxy.putObject()), "stored twice, the same bytes");
  }

  /**
   * The claim of generation 1 reaches the server, its answer does not: the retried conditional
   * PUT is refused (412), as the number is taken, by this very ingest. The engine then finds its
   * own snapshot newest and does not link it again.
   */
  @Test
  void aGenerationClaimWhoseResponseIsLostLinksTheSnapshotOnce() throws IOException {
    ComponentRef comp = new ComponentRef("pgc", "db");
    Predicate<Request> claims = FaultProxy.putObject().and(r -> r.header("If-None-Match").isPresent());
    proxy.inject(Fault.LOSE_RESPONSE, 1, claims);
    try (Store store = Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(10))) {
      IngestResult first = ingest(store, comp, "one");
      assertEquals(1, first.generation().number());
      assertEquals(2, proxy.count(claims), "the claim was sent again");
      IngestResult second = ingest(store, comp, "two");
      assertEquals(2, second.generation().number());
      List<Generation> listed = store.generations(Scope.all());
      assertEquals(List.of(first.generation(), second.generation()), listed);
      assertTrue(store.check(listed, Scope.all(), true).clean());
    }
  }

  private static IngestResult ingest(Store store, ComponentRef comp, String content) throws IOException {
    try (Ingest ingest = store.ingest(comp, "dump.sql", Compression.ZSTD, "test", Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return ingest.commit();
    }
  }

  @Test
  void aPutCorruptedInTransitIsRefusedAndTheRetrySendsGoodBytes() throws IOException {
    byte[] data = random(4000);
    proxy.inject(Fault.CORRUPT_REQUEST_BODY, 1, FaultProxy.putObject());
    write(backend, SMALL, data);
    assertArrayEquals(data, read(backend, SMALL));
    List<Request> puts = proxy.requests().stream().filter(FaultProxy.putObject()).toList();
    assertEquals(2, puts.size());
    assertEquals(400, puts.get(0).status(), "the server refused the damaged body");
    assertEquals(200, puts.get(1).status());
    assertEquals(1, retriesLogged("PutObject"), log::toString);
  }

  @Test
  void aPartCorruptedInTransitIsRefusedAndTheRetrySendsGoodBytes() throws IOException {
    byte[] data = random(3 * PART + 17);
    proxy.inject(Fault.CORRUPT_REQUEST_BODY, 1, part(3));
    write(backend, LARGE, data);
    assertArrayEquals(data, read(backend, LARGE));
    List<Request> third = proxy.requests().stream().filter(part(3)).toList();
    assertEquals(List.of(400, 200), third.stream().map(Request::status).toList());
    assertEquals(1, retriesLogged("UploadPart"), log::toString);
    assertEquals(0, uploadsInProgress());
  }

  @Test
  void aPartCorruptedOnEveryAttemptFailsTheCommitAndStoresNothing() throws IOException {
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.CORRUPT_REQUEST_BODY, 3, part(1));
      RuntimeException e = assertThrows(RuntimeException.class, () -> write(three, LARGE, random(2 * PART + 1)));
      assertTrue(e.getMessage().contains(three.location(LARGE)) && e.getMessage().contains("400"), e.getMessage());
      assertEquals(3, proxy.count(part(1)));
      assertFalse(three.stat(LARGE).isPresent());
      assertEquals(0, uploadsInProgress());
      assertEquals(List.of(), three.client().listObjectsV2(b -> b.bucket(S3MockServer.BUCKET).prefix(location.key("")))
          .contents(), "nothing published, nothing staged");
    }
  }

  // ---- a server that checks nothing (moto, s3rver): the proxy strips the checksum headers of what it damages

  @Test
  void aPutStoredDamagedByAServerThatChecksNothingIsSentAgain() throws IOException {
    byte[] data = random(4000);
    proxy.inject(Fault.CORRUPT_REQUEST_BODY_UNCHECKED, 1, FaultProxy.putObject());
    write(backend, SMALL, data);
    assertArrayEquals(data, read(backend, SMALL));
    assertEquals(List.of(200, 200), proxy.requests().stream().filter(FaultProxy.putObject()).map(Request::status)
        .toList(), "the server took the damaged body; its ETag told");
    assertEquals(1, log.stream().filter(l -> l.startsWith("S3 PutObject ") && l.contains("stored other bytes")).count(),
        log::toString);
  }

  @Test
  void aPartStoredDamagedByAServerThatChecksNothingIsSentAgain() throws IOException {
    byte[] data = random(3 * PART + 17);
    proxy.inject(Fault.CORRUPT_REQUEST_BODY_UNCHECKED, 1, part(2));
    write(backend, LARGE, data);
    assertArrayEquals(data, read(backend, LARGE));
    assertEquals(2, proxy.count(part(2)));
    assertEquals(1, log.stream().filter(l -> l.startsWith("S3 UploadPart ") && l.contains("part 2 of")).count(),
        log::toString);
    assertEquals(0, uploadsInProgress());
  }

  @Test
  void aPartStoredDamagedOnEveryAttemptFailsTheCommitAndPublishesNothing() throws IOException {
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.CORRUPT_REQUEST_BODY_UNCHECKED, 3, part(1));
      try (dev.stasis.store.ObjectWriter w = three.create(LARGE)) {
        w.output().write(random(2 * PART + 1));
        RuntimeException e = assertThrows(RuntimeException.class, () -> w.commit(LARGE));
        assertTrue(e.getMessage().contains("stored other bytes") && e.getMessage().contains("part 1 of"),
            e.getMessage());
      }
      assertEquals(3, proxy.count(part(1)));
      assertFalse(three.stat(LARGE).isPresent());
      assertEquals(0, uploadsInProgress());
    }
  }

  @Test
  void aPutStoredDamagedOnEveryAttemptLeavesNoObject() throws IOException {
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.CORRUPT_REQUEST_BODY_UNCHECKED, 3, FaultProxy.putObject());
      try (dev.stasis.store.ObjectWriter w = three.create(SMALL)) {
        w.output().write(random(3000));
        RuntimeException e = assertThrows(RuntimeException.class, () -> w.commit(SMALL));
        assertTrue(e.getMessage().contains("stored other bytes") && e.getMessage().contains(three.location(SMALL)),
            e.getMessage());
      }
      assertFalse(three.stat(SMALL).isPresent(), "the damaged object was deleted");
    }
  }

  /** A server that lists parts without their checksums (moto): the ETag, the MD5 of a plain part, tells which to keep. */
  @Test
  void anInterruptedUploadResumesByETagWhereTheServerListsNoPartChecksums() throws IOException {
    byte[] data = random(2 * PART + 99);
    S3Writer killed = (S3Writer) backend.create(LARGE);
    killed.output().write(data);
    killed.awaitSentParts();  // parts 1 and 2 are on the server; the writer dies without aborting
    proxy.inject(Fault.STRIP_PART_CHECKSUMS, 1, FaultProxy.listParts());
    long before = proxy.count(FaultProxy.uploadPart());
    try (S3Backend resumed = backend(8)) {
      try (dev.stasis.store.ObjectWriter w = resumed.create(LARGE)) {
        w.output().write(data);
        w.commit(LARGE);
      }
      assertEquals(1, proxy.injected(Fault.STRIP_PART_CHECKSUMS));
      assertEquals(1, proxy.count(FaultProxy.uploadPart()) - before, "only the last part was sent");
      assertArrayEquals(data, read(resumed, LARGE));
    }
  }

  /**
   * With SSE-KMS an ETag is no MD5, so only an echoed or read-back SHA-256 proves the bytes: a
   * server that gives neither for a damaged PUT has its object deleted and the write fails.
   */
  @Test
  void anEncryptedPutWhoseBytesNothingProvesIsDeleted() throws IOException {
    try (S3Backend kms = S3Backend.open(location, S3MockServer.settings().withEndpoint(proxy.endpoint())
        .withSse("aws:kms", null).withLog(log::add))) {
      byte[] data = random(2500);
      write(kms, SMALL, data);
      assertArrayEquals(data, read(kms, SMALL), "an undamaged PUT is proven by its echoed SHA-256");
      proxy.inject(Fault.CORRUPT_REQUEST_BODY_UNCHECKED, 1, FaultProxy.putObject());
      try (dev.stasis.store.ObjectWriter w = kms.create(SMALL)) {
        w.output().write(data);
        RuntimeException e = assertThrows(RuntimeException.class, () -> w.commit(SMALL));
        assertTrue(e.getMessage().contains(kms.location(SMALL).substring(5)), e.getMessage());
      }
      assertFalse(kms.stat(SMALL).isPresent());
    }
  }
}
