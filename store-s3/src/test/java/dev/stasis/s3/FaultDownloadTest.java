package dev.stasis.s3;

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
import dev.stasis.store.CheckReport;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Generation;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.Key;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Downloads through a {@link FaultProxy} that resets connections, corrupts bodies and answers
 * 404 for a key it lists: lost connections are retried or resumed; corrupted bytes are caught
 * by the engine's checksum (the SDK validates no response checksum by default), never accepted.
 */
class FaultDownloadTest extends ThroughFaultProxy {
  private static final Key OBJECT = Key.of("snapshots", "c", "x", "n", "object");
  private static final ComponentRef COMP = new ComponentRef("pgc", "db");


  private Predicate<Request> gets(Key key) {
    return FaultProxy.getObject().and(FaultProxy.keyEndsWith("/" + key.path()));
  }

  private List<String> logged(String what) {
    synchronized (log) {
      return log.stream().filter(l -> l.contains(what)).toList();
    }
  }

  @Test
  void aGetResetBeforeItsResponseIsRetried() throws IOException {
    byte[] data = random(PART + 3);
    write(backend, OBJECT, data);
    proxy.inject(Fault.RESET, 2, gets(OBJECT));
    assertArrayEquals(data, read(backend, OBJECT));
    assertEquals(3, proxy.count(gets(OBJECT)));
    assertEquals(2, logged("retrying").stream().filter(l -> l.startsWith("S3 GetObject ")).count(), log::toString);
  }

  @Test
  void aDownloadResetInItsBodyResumesWhereItBroke() throws IOException {
    byte[] data = random(2 * PART + 11);
    write(backend, OBJECT, data);
    proxy.inject(Fault.RESET_IN_RESPONSE_BODY, 2, gets(OBJECT));
    assertArrayEquals(data, read(backend, OBJECT));
    List<Request> seen = proxy.requests().stream().filter(gets(OBJECT)).toList();
    assertEquals(3, seen.size(), "the first response and one resumption broke off half-way");
    assertTrue(seen.get(0).header("Range").isEmpty());
    for (Request resumed : seen.subList(1, 3)) {
      assertTrue(resumed.header("Range").orElse("").matches("bytes=[1-9][0-9]*-"), resumed.headers().toString());
      assertTrue(resumed.header("If-Match").isPresent(), "only the same version of the object is resumed");
    }
    assertEquals(2, logged("resuming").size(), log::toString);
  }

  @Test
  void aDownloadThatCannotBeResumedFailsNamingTheKey() throws IOException {
    write(backend, OBJECT, random(PART));
    try (S3Backend three = backend(3)) {
      proxy.inject(Fault.RESET_IN_RESPONSE_BODY, 1, gets(OBJECT));
      proxy.inject(Fault.RESET, 100, gets(OBJECT));
      IOException e = assertThrows(IOException.class, () -> read(three, OBJECT));
      assertTrue(e.getMessage().contains(three.location(OBJECT)), e.getMessage());
      assertEquals(1 + 3, proxy.count(gets(OBJECT)), "one broken body, then three attempts to resume it");
    }
  }

  @Test
  void aListedKeyThatIsNotServedYetIsLookedForAgain() throws IOException {
    byte[] data = random(500);
    write(backend, OBJECT, data);
    proxy.inject(Fault.NO_SUCH_KEY, 1, gets(OBJECT));
    assertArrayEquals(data, read(backend, OBJECT));
    assertEquals(List.of(404, 200), proxy.requests().stream().filter(gets(OBJECT)).map(Request::status).toList());
  }

  @Test
  void aKeyMissingOnTheSecondLookIsNotFound() throws IOException {
    write(backend, OBJECT, random(500));
    proxy.inject(Fault.NO_SUCH_KEY, 2, gets(OBJECT));
    assertThrows(NotFoundException.class, () -> read(backend, OBJECT));
  }

  @Test
  void aSnapshotWhoseFileIsNotServedYetIsReadAndVerified() throws IOException {
    byte[] data = random(100_000);
    try (Store store = store()) {
      IngestResult r = ingest(store, data, Compression.ZSTD);
      Key file = store.files(r.snapshot()).get(0).key();
      proxy.inject(Fault.NO_SUCH_KEY, 1, gets(file));
      try (SnapshotReader reader = store.read(r.snapshot())) {
        assertArrayEquals(data, reader.logical().readAllBytes());
        assertTrue(reader.verified());
      }
      assertEquals(1, proxy.injected(Fault.NO_SUCH_KEY));
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void aSnapshotCorruptedInTransitFailsItsReadAndCheckReportsIt(Compression compression) throws IOException {
    byte[] data = random(300_000);
    try (Store store = store()) {
      IngestResult r = ingest(store, data, compression);
      Key file = store.files(r.snapshot()).get(0).key();

      proxy.inject(Fault.CORRUPT_RESPONSE_BODY, 1, gets(file));
      long[] delivered = {0};
      try (SnapshotReader reader = store.read(r.snapshot())) {
        byte[] buffer = new byte[8192];
        IntegrityException e = assertThrows(IntegrityException.class, () -> {
          for (int n; (n = reader.logical().read(buffer)) >= 0; ) {
            delivered[0] += n;
          }
        });
        assertFalse(reader.verified(), e.getMessage());
      }
      if (compression == Compression.NONE) {
        assertEquals(data.length, delivered[0], "every byte was handed over, and the end refused them all");
      }

      proxy.inject(Fault.CORRUPT_RESPONSE_BODY, 1, gets(file));
      List<Generation> generations = store.generations(Scope.all());
      CheckReport report = store.check(generations, Scope.all(), true);
      assertEquals(List.of(CheckReport.Kind.MISMATCH), report.problems().stream().map(CheckReport.Problem::kind).toList(),
          report.problems().toString());
      assertEquals(2, proxy.injected(Fault.CORRUPT_RESPONSE_BODY));

      // the damage was on the wire only: the stored snapshot is whole
      try (SnapshotReader again = store.read(r.snapshot())) {
        assertArrayEquals(data, again.logical().readAllBytes());
        assertTrue(again.verified());
      }
      assertTrue(store.check(generations, Scope.all(), true).clean());
    }
  }

  /** A pull through a hop that damages one GET: the snapshot is read again, verified and published. */
  @Test
  void aMirrorFromS3ThroughAHopThatDamagesOneDownloadReadsItAgain() throws IOException {
    byte[] data = random(200_000);
    try (Store store = store(); Store pulled = Store.open(dev.stasis.store.MemoryBackend.empty(),
        ProcessLocks.forStore("pulled " + location), Duration.ofSeconds(10))) {
      IngestResult r = ingest(store, data, Compression.ZSTD);
      Key file = store.files(r.snapshot()).get(0).key();
      proxy.inject(Fault.CORRUPT_RESPONSE_BODY, 1, gets(file));
      List<String> told = new java.util.ArrayList<>();
      dev.stasis.store.Mirror mirror = dev.stasis.store.Mirror.between(store, pulled, Scope.all());
      dev.stasis.store.MirrorResult result = mirror.run(mirror.plan(), java.util.OptionalInt.empty(),
          new dev.stasis.store.Mirror.Listener() {
            @Override
            public void retrying(dev.stasis.store.SnapshotRef snapshot, String why) {
              told.add(why);
            }
          });
      assertTrue(result.complete(), result.toString());
      assertEquals(1, proxy.injected(Fault.CORRUPT_RESPONSE_BODY));
      assertEquals(2, proxy.count(gets(file)), "read once more");
      assertEquals(1, told.size(), told.toString());
      try (SnapshotReader reader = pulled.read(r.snapshot())) {
        assertArrayEquals(data, reader.logical().readAllBytes());
      }
    }
  }

  private Store store() {
    return Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(10));
  }

  private static IngestResult ingest(Store store, byte[] data, Compression compression) throws IOException {
    try (Ingest ingest = store.ingest(COMP, "dump.sql", compression, "test", Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream(data));
      return ingest.commit();
    }
  }
}
