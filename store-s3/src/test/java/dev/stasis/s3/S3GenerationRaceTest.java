package dev.stasis.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Generation;
import dev.stasis.store.IngestResult;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.Store;
import dev.stasis.store.StoreContract;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Two writers on one S3 store, as two processes would be: each its own client, backend and
 * locks, so nothing inside this JVM orders them; only the store's conditional writes do.
 * S3Mock checks {@code If-None-Match: *} and then writes, in two steps.
 */
class S3GenerationRaceTest {
  private static final ComponentRef COMP = new ComponentRef("pgc", "race");
  private static final int ROUNDS = 40;
  /** Measured on S3Mock 5.2.0: both conditional PUTs of a round succeed in about half the rounds. */
  private static final int CLAIMS = 800;

  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private S3Backend first;
  private S3Backend second;

  @BeforeEach
  void open() {
    S3Location location = S3MockServer.freshLocation();
    first = S3Backend.open(location, S3MockServer.settings());
    second = S3Backend.open(location, S3MockServer.settings());
  }

  @AfterEach
  void close() {
    pool.shutdownNow();
    first.close();
    second.close();
  }

  /** A store over {@code backend} with locks of its own, as another process has. */
  private static Store store(S3Backend backend, String process) {
    return Store.open(backend, ProcessLocks.forStore(process + " " + backend.location(dev.stasis.store.Key.ROOT)),
        Duration.ofSeconds(30));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs both calls at once, released together by a barrier, and returns both results. */
  private <T> List<T> together(Callable<T> a, Callable<T> b) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    Future<T> fa = pool.submit(() -> {
      start.await();
      return a.call();
    });
    Future<T> fb = pool.submit(() -> {
      start.await();
      return b.call();
    });
    return List.of(fa.get(), fb.get());
  }

  /**
   * The interleaving that defeated a read-back alone (measured: about 1 round in 125 before the
   * named key became a flag): A's and B's checks both pass; A writes its claim, reads it back and
   * wins; B's write then lands, B reads its own claim back and wins as well. Now at most one
   * wins: the later of two flags sees the earlier. When both withdraw, the number stays free and
   * a second try settles it, as the engine's link loop does.
   */
  @Test
  void ofTwoClaimsOfOneNumberAtMostOneWinsAndTheListingAgrees() throws Exception {
    Map<Long, SnapshotName> winners = new HashMap<>();
    for (int n = 1; n <= CLAIMS; n++) {
      for (int attempt = 1; !winners.containsKey((long) n); attempt++) {
        assertTrue(attempt <= 100, "number " + n + " is settled within 100 tries");
        Generation a = new Generation(COMP, n, new SnapshotName("a" + n + "-" + attempt));
        Generation b = new Generation(COMP, n, new SnapshotName("b" + n + "-" + attempt));
        List<Boolean> won = together(() -> first.generations().create(a), () -> second.generations().create(b));
        assertFalse(won.get(0) && won.get(1), "number " + n + " was given to both writers");
        if (won.get(0) || won.get(1)) {
          winners.put((long) n, won.get(0) ? a.snapshot() : b.snapshot());
        } else {
          assertEquals(List.of(), listed(n), "both withdrew from " + n + ": nothing is left of their claims");
        }
      }
    }
    Map<Long, SnapshotName> listed = new HashMap<>();
    first.generations().list(Scope.all(), g -> assertEquals(null, listed.put(g.number(), g.snapshot()),
        "generation " + g.number() + " is listed once"));
    assertEquals(winners, listed);
  }

  /**
   * The state that interleaving leaves for the later writer, set up by hand: another writer's
   * named key (its flag) for the number is there, the claim is not (a withdrawing writer deleted
   * it, or a late conditional write is about to replace it). A claim of that number withdraws.
   */
  @Test
  void aClaimThatFindsAnotherWritersFlagWithdraws() throws Exception {
    String flag = first.s3().key("generations/" + COMP.container() + "/" + COMP.component() + "/7.other");
    first.client().putObject(b -> b.bucket(S3MockServer.BUCKET).key(flag), RequestBody.empty());
    assertFalse(second.generations().create(new Generation(COMP, 7, new SnapshotName("mine"))));
    assertEquals(List.of(new Generation(COMP, 7, new SnapshotName("other"))), listed(7));
    assertEquals(List.of(flag), first.client().listObjectsV2(b -> b.bucket(S3MockServer.BUCKET)
        .prefix(first.s3().key("generations/"))).contents().stream().map(o -> o.key()).toList(),
        "neither its claim nor its named key is left");
  }

  private List<Generation> listed(long number) throws Exception {
    List<Generation> found = new ArrayList<>();
    second.generations().list(Scope.all(), g -> {
      if (g.number() == number) {
        found.add(g);
      }
    });
    return found;
  }

  @Test
  void twoWritersRacingForTheNextNumberBothGetOneOfTheirOwn() throws Exception {
    Store a = store(first, "process A");
    Store b = store(second, "process B");
    List<IngestResult> results = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String ca = "writer A, round " + round;
      String cb = "writer B, round " + round;
      // each streams its dump, then both commit at once: the race is for the generation number
      CountDownLatch streamed = new CountDownLatch(2);
      results.addAll(together(() -> StoreContract.streamThenCommit(a, COMP, utf8(ca), Compression.NONE, streamed),
          () -> StoreContract.streamThenCommit(b, COMP, utf8(cb), Compression.NONE, streamed)));
    }
    Map<Long, SnapshotName> byNumber = new HashMap<>();
    for (IngestResult r : results) {
      assertTrue(r.newGeneration(), "every ingest made a generation: " + r);
      SnapshotName before = byNumber.put(r.generation().number(), r.generation().snapshot());
      assertEquals(null, before, "generation " + r.generation().number() + " was given to two ingests");
    }
    List<Generation> listed = a.generations(Scope.of(COMP));
    assertEquals(2 * ROUNDS, listed.size(), "each number listed once: " + listed);
    for (Generation g : listed) {
      assertEquals(byNumber.get(g.number()), g.snapshot(), "generation " + g.number() + " points where its ingest said");
    }
    assertEquals(listed, b.generations(Scope.of(COMP)), "both writers see the same history");
    assertTrue(a.check(listed, Scope.all(), true).clean());
  }
}
