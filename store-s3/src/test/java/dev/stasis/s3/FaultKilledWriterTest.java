package dev.stasis.s3;

import static dev.stasis.s3.S3RetryTest.random;
import static dev.stasis.s3.S3RetryTest.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.Key;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * What writers killed mid-upload leave (no commit, no close: the process died) is found and
 * removed by {@link S3Backend#cleanup(Duration)} once older than the threshold, while a younger
 * upload, still being written, is kept and completes.
 */
class FaultKilledWriterTest {
  private static final int PART = S3Settings.MIN_PART;

  private S3Backend backend;

  @BeforeEach
  void open() {
    S3Settings settings = S3MockServer.settings().withPartSize(PART);
    backend = S3Backend.open(S3MockServer.freshLocation(), settings);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private List<MultipartUpload> uploads() {
    return backend.client().listMultipartUploads(b -> b.bucket(S3MockServer.BUCKET).prefix(backend.s3().key("")))
        .uploads().stream().sorted(Comparator.comparing(MultipartUpload::initiated)).toList();
  }

  private List<String> staged() {
    return backend.client().listObjectsV2(b -> b.bucket(S3MockServer.BUCKET)
        .prefix(backend.s3().key(S3Backend.STAGING))).contents().stream().map(o -> o.key()).toList();
  }

  @Test
  void whatKilledWritersLeftIsRemovedAndAYoungerLiveUploadIsKept() throws IOException {
    // a writer killed after completing its staged upload, before copying it into place
    String leftStaged = backend.s3().key(S3Backend.STAGING + UUID.randomUUID());
    backend.client().putObject(b -> b.bucket(S3MockServer.BUCKET).key(leftStaged), RequestBody.fromString("orphan"));
    // writers killed with parts sent
    S3Writer killedStaged = (S3Writer) backend.create();
    killedStaged.output().write(random(PART + 1));
    killedStaged.awaitSentParts();
    Key direct = Key.of("snapshots", "c", "x", "n", "direct");
    S3Writer killedDirect = (S3Writer) backend.create(direct);
    killedDirect.output().write(random(2 * PART + 1));
    killedDirect.awaitSentParts();
    assertEquals(2, uploads().size());
    Instant killed = uploads().get(1).initiated();

    // Cleanup goes by age: the live upload must be measurably younger, so wait for the clock.
    Instant younger = killed.plusMillis(300);
    while (!Instant.now().isAfter(younger)) {
      Thread.onSpinWait();
    }
    byte[] data = random(3 * PART + 99);
    Key key = Key.of("snapshots", "c", "x", "n", "live");
    S3Writer live = (S3Writer) backend.create();
    live.output().write(data, 0, PART + 1);
    live.awaitSentParts();
    MultipartUpload liveUpload = uploads().get(2);
    assertTrue(liveUpload.initiated().isAfter(killed), uploads().toString());

    Instant between = killed.plus(Duration.between(killed, liveUpload.initiated()).dividedBy(2));
    assertEquals(3, backend.cleanup(Duration.between(between, Instant.now())), "two uploads and one staged object");
    assertEquals(List.of(liveUpload.uploadId()), uploads().stream().map(MultipartUpload::uploadId).toList());
    assertEquals(List.of(), staged());

    live.output().write(data, PART + 1, data.length - PART - 1);
    live.commit(key);
    assertArrayEquals(data, read(backend, key));
    assertEquals(List.of(), uploads());
    assertEquals(List.of(), staged());
  }
}
