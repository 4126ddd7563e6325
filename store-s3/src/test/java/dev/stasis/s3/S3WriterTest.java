package dev.stasis.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.Compression;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Key;
import dev.stasis.store.ObjectWriter;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** Multipart streaming, resume and cleanup of S3 writes, against S3Mock with 5 MiB parts. */
class S3WriterTest {
  private static final int PART = S3Settings.MIN_PART;
  private final AtomicInteger partsSent = new AtomicInteger();
  private S3Backend backend;

  @BeforeEach
  void open() {
    S3Settings settings = S3MockServer.settings().withPartSize(PART);
    ExecutionInterceptor counter = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof UploadPartRequest) {
          partsSent.incrementAndGet();
        }
      }
    };
    backend = S3Backend.open(S3MockServer.freshLocation(), S3Clients.builder(settings, counter).build(), settings);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private static byte[] random(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  private byte[] read(Key key) throws IOException {
    try (InputStream in = backend.open(key)) {
      return in.readAllBytes();
    }
  }

  private int uploadsInProgress() {
    return backend.client().listMultipartUploads(b -> b.bucket(S3MockServer.BUCKET)
        .prefix(backend.s3().key(""))).uploads().size();
  }

  @Test
  void aLargeObjectGoesUpInPartsAndComesBackWhole() throws IOException {
    byte[] data = random(3 * PART + 12345);
    Key key = Key.of("snapshots", "c", "x", "n", "dump.zst");
    try (ObjectWriter w = backend.create()) {
      for (int off = 0; off < data.length; off += 100_000) {
        w.output().write(data, off, Math.min(100_000, data.length - off));
      }
      w.commit(key);
    }
    assertArrayEquals(data, read(key));
    assertEquals(4, partsSent.get());
    assertEquals(0, uploadsInProgress());
    assertEquals(java.util.List.of(key), keys(), "the staging copy is gone");
  }

  private java.util.List<Key> keys() throws IOException {
    java.util.List<Key> keys = new java.util.ArrayList<>();
    backend.list(Key.ROOT, o -> keys.add(o.key()));
    return keys;
  }

  @Test
  void partsGrowSoAnyStreamFitsTenThousandParts() {
    int first = 8 * 1024 * 1024;
    assertEquals(first, S3Writer.partSize(first, 1));
    assertEquals(first, S3Writer.partSize(first, 1000));
    assertEquals(2 * first, S3Writer.partSize(first, 1001));
    long total = 0;
    for (int n = 1; n <= 10_000; n++) {
      total += S3Writer.partSize(first, n);
    }
    assertTrue(total > 5L * 1024 * 1024 * 1024 * 1024, "10,000 parts hold S3's largest object: " + total);
  }

  @Test
  void anInterruptedDirectUploadResumesFromItsParts() throws IOException {
    byte[] data = random(3 * PART + 777);
    Key key = Key.of("snapshots", "c", "x", "n", "dump.zst");
    S3Writer killed = (S3Writer) backend.create(key);
    killed.output().write(data, 0, 2 * PART + 1);  // two full parts sent, a third begun
    killed.awaitSentParts();
    assertEquals(2, partsSent.get());
    // the writer dies here: no commit, no abort; its upload stays on the server

    partsSent.set(0);
    try (ObjectWriter again = backend.create(key)) {
      again.output().write(data);
      again.commit(key);
    }
    assertEquals(2, partsSent.get(), "parts 1 and 2 were already there: only 3 and 4 went up");
    assertArrayEquals(data, read(key));
    assertEquals(0, uploadsInProgress());
  }

  @Test
  void closingWithoutCommitAbortsAndCleanupRemovesWhatKilledWritersLeft() throws IOException {
    ObjectWriter aborted = backend.create();
    aborted.output().write(random(2 * PART));
    aborted.output().write(1);
    aborted.close();
    assertEquals(0, uploadsInProgress());

    S3Writer killed = (S3Writer) backend.create();
    killed.output().write(random(PART + 1));
    killed.awaitSentParts();
    assertEquals(1, uploadsInProgress());
    assertEquals(0, backend.cleanup(Duration.ofHours(1)), "a recent upload may still be alive");
    assertEquals(1, backend.cleanup(Duration.ZERO));
    assertEquals(0, uploadsInProgress());
    assertEquals(java.util.List.of(), keys());
  }

  @Test
  void aLargeIngestIsStagedAndCopiedIntoPlace() throws IOException {
    byte[] data = random(2 * PART + 99);
    try (Store store = Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(10))) {
      IngestResult r;
      try (Ingest ingest = store.ingest(new ComponentRef("c", "x"), "dump", Compression.NONE, "test", Map.of())) {
        ingest.transferFrom(new ByteArrayInputStream(data));
        r = ingest.commit();
      }
      try (SnapshotReader reader = store.read(r.snapshot())) {
        assertArrayEquals(data, reader.logical().readAllBytes());
        assertTrue(reader.verified());
      }
      assertTrue(store.location(r.snapshot()).startsWith("s3://" + S3MockServer.BUCKET + "/"));
    }
  }
}
