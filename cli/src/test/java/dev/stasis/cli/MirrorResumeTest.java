package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stasis.fs.FsBackend;
import dev.stasis.fs.FsLocks;
import dev.stasis.s3.S3Probe;
import dev.stasis.s3.S3Settings;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Ingest;
import dev.stasis.store.Key;
import dev.stasis.store.Mirror;
import dev.stasis.store.MirrorResult;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import dev.stasis.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push to S3 that dies mid-upload continues, on the next run, from the parts already on the
 * server. The push dies in the engine's own thread, at a point the test picks: once two parts
 * are on their way and one is on the server, its listener throws and its upload cannot be
 * aborted (what a kill -9 leaves). The next mirror of the same snapshot sends only what is
 * missing, counted request by request.
 */
class MirrorResumeTest {
  private static final int PART = S3Settings.MIN_PART;
  private static final int PARTS = 5;
  /** Only keeps a hang from stalling the build; nothing waits for it to pass. */
  private static final long GUARD = TimeUnit.SECONDS.toNanos(120);

  @TempDir
  Path tmp;

  @Test
  void aPushKilledMidUploadResumesFromThePartsOnTheServer() throws IOException {
    byte[] data = new byte[(PARTS - 1) * PART + 12345];
    new Random(42).nextBytes(data);
    Path root = tmp.resolve("local");
    try (S3Probe s3 = S3Probe.fresh(PART);
        Store local = Store.open(FsBackend.open(root), FsLocks.forRoot(root), Duration.ofSeconds(30))) {
      Store remote = Store.open(s3.backend(), ProcessLocks.forStore(s3.url()), Duration.ofSeconds(30));
      SnapshotRef ref;
      try (Ingest ingest = local.ingest(new ComponentRef("pgc", "big"), "dump.sql", Compression.NONE, "test", Map.of())) {
        ingest.transferFrom(new ByteArrayInputStream(data));
        ref = ingest.commit().snapshot();
      }
      Key key = local.files(ref).get(0).key();
      Mirror mirror = Mirror.between(local, remote, Scope.all());

      MirrorResult killed = mirror.run(mirror.plan(), OptionalInt.empty(), new Mirror.Listener() {
        private long bytes;

        @Override
        public void progress(long n) {
          bytes += n;
          if (bytes >= 2L * PART + (1 << 20)) {  // parts 1 and 2 handed to the uploader
            s3.refuseAborts(true);
            awaitPartOnServer(s3, key);
            throw new StoreException("killed mid-upload");
          }
        }
      });

      assertEquals(1, killed.failures().size());
      assertFalse(remote.exists(ref), "nothing published");
      assertEquals(List.of(), remote.generations(Scope.all()));
      assertEquals(1, s3.uploadsInProgress(), "the dead push left its upload");
      assertTrue(s3.partsOnServer(key) >= 1);

      s3.refuseAborts(false);
      s3.resetCount();
      MirrorResult resumed = mirror.run(mirror.plan(), OptionalInt.empty(), new Mirror.Listener() {});

      assertTrue(resumed.complete(), resumed.toString());
      assertEquals(1, resumed.sent());
      assertEquals(1, resumed.linked());
      assertTrue(s3.partsUploaded() <= PARTS - 1,
          "the part already on the server was not sent again: " + s3.partsUploaded() + " of " + PARTS + " sent");
      assertTrue(s3.partsUploaded() >= 1, "the rest was sent");
      assertEquals(0, s3.uploadsInProgress());
      try (SnapshotReader reader = remote.read(ref)) {
        assertArrayEquals(data, reader.logical().readAllBytes());
        assertTrue(reader.verified());
      }
      assertTrue(remote.check(remote.generations(Scope.all()), Scope.all(), true).clean());
    }
  }

  /** Waits, backing off, until the server holds a part of the upload to {@code key}. */
  private static void awaitPartOnServer(S3Probe s3, Key key) {
    long deadline = System.nanoTime() + GUARD;
    long pause = TimeUnit.MILLISECONDS.toNanos(1);
    while (s3.partsOnServer(key) == 0) {
      if (System.nanoTime() > deadline) {
        fail("no part of " + key + " reached the server");
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(100));
    }
  }
}
