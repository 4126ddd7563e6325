package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Mirror} between two stores of one kind: which generations go across, in which order,
 * verified, and what a failure leaves, including failures injected by wrapping either store's
 * backend in a {@link FaultyBackend}. Subclasses make fresh, empty stores.
 */
public abstract class MirrorContract {
  protected static final ComponentRef DB = new ComponentRef("pgc", "testdb");
  protected static final ComponentRef WWW = new ComponentRef("directory", "www");
  private static final Mirror.Listener QUIET = new Mirror.Listener() {};

  protected Store source;
  protected Store destination;

  /** A new, empty store, distinct from every other this returns. */
  protected abstract Store newStore() throws IOException;

  /** A store over {@code backend} with process-local locks, for subclasses without locks of their own. */
  protected static Store withProcessLocks(Backend backend) {
    return Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(30));
  }

  @BeforeEach
  void openStores() throws IOException {
    source = newStore();
    destination = newStore();
  }

  @AfterEach
  void closeStores() throws IOException {
    source.close();
    destination.close();
  }

  protected static SnapshotRef ingest(Store store, ComponentRef comp, String content) throws IOException {
    return ingest(store, comp, content.getBytes(StandardCharsets.UTF_8));
  }

  protected static SnapshotRef ingest(Store store, ComponentRef comp, byte[] content) throws IOException {
    try (Ingest ingest = store.ingest(comp, "dump.sql", Compression.ZSTD, "test", Map.of("k", "v"))) {
      ingest.transferFrom(new ByteArrayInputStream(content));
      return ingest.commit().snapshot();
    }
  }

  protected MirrorResult mirror(Scope scope, OptionalInt keep) throws IOException {
    return mirror(source, destination, scope, keep);
  }

  protected static MirrorResult mirror(Store from, Store to, Scope scope, OptionalInt keep) throws IOException {
    Mirror mirror = Mirror.between(from, to, scope);
    return mirror.run(mirror.plan(), keep, QUIET);
  }

  /**
   * A store over {@code faults}, which wraps the backend of {@link #source} or
   * {@link #destination}: the same bytes, failing where a test says. Fault cases run on one
   * thread, so process locks do for every kind of store.
   */
  protected static Store through(FaultyBackend faults) {
    return withProcessLocks(faults);
  }

  protected MirrorResult mirror() throws IOException {
    return mirror(Scope.all(), OptionalInt.empty());
  }

  protected static List<String> history(Store store) throws IOException {
    return store.generations(Scope.all()).stream().map(g -> g.component() + "/" + g.number() + " " + g.snapshot())
        .toList();
  }

  protected static byte[] logical(Store store, SnapshotRef ref) throws IOException {
    try (SnapshotReader reader = store.read(ref)) {
      return reader.logical().readAllBytes();
    }
  }

  /** Flips one byte of the snapshot's stored file, leaving its checksum record as it was. */
  protected static void corrupt(Store store, SnapshotRef ref) throws IOException {
    Key file = store.files(ref).get(0).key();
    byte[] bytes;
    try (InputStream in = store.backend().open(file)) {
      bytes = in.readAllBytes();
    }
    bytes[bytes.length / 2] ^= 0x40;
    try (ObjectWriter w = store.backend().create()) {
      w.output().write(bytes);
      w.commit(file);
    }
  }

  /** Puts {@code from}'s file and checksum record under {@code to}'s name: self-consistent, and wrong. */
  protected static void copyOver(Store store, SnapshotRef from, SnapshotRef to) throws IOException {
    Key fromFile = store.files(from).get(0).key();
    Key toFile = store.files(to).get(0).key();
    try (InputStream in = store.backend().open(fromFile); ObjectWriter w = store.backend().create()) {
      in.transferTo(w.output());
      w.commit(toFile);
    }
    try (ObjectWriter w = store.backend().create()) {
      w.output().write(store.checksum(from).orElseThrow().getBytes(StandardCharsets.UTF_8));
      w.commit(StoreLayout.checksum(to));
    }
  }

  /** A history that leaves a state and comes back to it: A, B, A. */
  private List<SnapshotRef> abaHistory() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    SnapshotRef b = ingest(source, DB, "state B\n");
    assertEquals(a, ingest(source, DB, "state A\n"));
    return List.of(a, b);
  }

  @Test
  void aFreshMirrorHasTheSameNamesInTheSameOrder() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    ingest(source, WWW, "index\n");

    MirrorResult r = mirror();

    assertEquals(history(source), history(destination));
    assertEquals(4, history(destination).size());
    assertEquals(3, r.sent(), "A, B and www's snapshot; A only once");
    assertEquals(4, r.linked());
    assertEquals(0, r.skipped());
    assertTrue(r.complete());
    assertArrayEquals(logical(source, ab.get(1)), logical(destination, ab.get(1)));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
    assertEquals(source.meta(ab.get(0)).orElseThrow(), destination.meta(ab.get(0)).orElseThrow(),
        "the metadata goes along");
    assertEquals(source.checksum(ab.get(0)), destination.checksum(ab.get(0)));
  }

  @Test
  void aSecondMirrorSendsAndLinksNothing() throws IOException {
    abaHistory();
    mirror();
    List<String> before = history(destination);

    assertTrue(Mirror.between(source, destination, Scope.all()).plan().items().isEmpty());
    MirrorResult again = mirror();

    assertEquals(0, again.sent());
    assertEquals(0, again.linked());
    assertEquals(2, again.skipped(), "A and B are there");
    assertEquals(before, history(destination));
  }

  @Test
  void generationsMadeSinceTheLastMirrorGoAcrossInOrder() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    mirror();
    SnapshotRef c = ingest(source, DB, "state C\n");
    ingest(source, DB, "state B\n");

    MirrorResult r = mirror();

    assertEquals(1, r.sent(), "only C is new");
    assertEquals(2, r.skipped(), "A (up to date) and B (already there)");
    assertEquals(2, r.linked());
    assertEquals(history(source), history(destination));
    assertEquals(c, destination.generation(DB, 4).snapshotRef());
    assertEquals(ab.get(1), destination.generation(DB, 5).snapshotRef());
  }

  @Test
  void thePlanPredictsWhatTheMirrorDoesAndChangesNothing() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    MirrorPlan plan = Mirror.between(source, destination, Scope.all()).plan();

    assertEquals(List.of(true, true, false), plan.items().stream().map(MirrorPlan.Item::send).toList());
    assertEquals(List.of(1L, 2L, 3L), plan.items().stream().map(MirrorPlan.Item::linkAs).toList());
    assertEquals(ab, plan.items().stream().limit(2).map(MirrorPlan.Item::snapshot).toList());
    assertEquals(2, plan.toSend());
    assertTrue(plan.bytesToSend() > 0);
    assertEquals(List.of(), history(destination), "planning wrote nothing");
    assertFalse(destination.exists(ab.get(0)));
  }

  @Test
  void keepAppliesRetentionAtTheDestinationAfterwards() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    SnapshotRef c = ingest(source, DB, "state C\n");

    MirrorResult r = mirror(Scope.all(), OptionalInt.of(1));

    assertEquals(List.of("pgc/testdb/4 " + c.name()), history(destination));
    assertFalse(destination.exists(ab.get(0)));
    assertFalse(destination.exists(ab.get(1)));
    assertFalse(r.collected().isEmpty());
    assertEquals(4, history(source).size(), "the source keeps everything");
    assertThrows(IllegalArgumentException.class, () -> mirror(Scope.all(), OptionalInt.of(0)));
  }

  @Test
  void aDamagedSourceSnapshotIsRefusedAndStopsItsComponentOnly() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    SnapshotRef b = ingest(source, DB, random(300_000));
    SnapshotRef c = ingest(source, DB, "state C\n");
    SnapshotRef www = ingest(source, WWW, "index\n");
    corrupt(source, b);

    MirrorResult r = mirror(Scope.all(), OptionalInt.of(1));

    assertEquals(1, r.failures().size());
    MirrorResult.Failure f = r.failures().get(0);
    assertEquals(b, f.snapshot());
    assertTrue(f.integrity(), f.message());
    assertTrue(f.message().contains("at the source") && f.message().contains("the same bytes"), f.message());
    assertEquals(1, f.left(), "C was not mirrored after it");
    assertTrue(r.damaged());
    assertEquals(List.of("directory/www/1 " + www.name(), "pgc/testdb/1 " + a.name()), history(destination),
        "nothing linked for B or after it; www went on; no retention after a failure");
    assertEquals(List.of(), destination.files(b), "nothing of B was published");
    assertTrue(destination.checksum(b).isEmpty());
    assertFalse(destination.exists(c));
  }

  @Test
  void aDamagedCopyAtTheDestinationIsSentAgain() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    mirror();
    corrupt(destination, ab.get(1));
    ingest(source, DB, "state B\n");  // generation 4: B again, so the mirror links it

    MirrorResult r = mirror();

    assertEquals(1, r.sent(), "the damaged B was replaced");
    assertEquals(history(source), history(destination));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void theScopeLimitsTheMirror() throws IOException {
    ingest(source, DB, "state A\n");
    SnapshotRef www = ingest(source, WWW, "index\n");

    mirror(Scope.of("directory", null), OptionalInt.empty());

    assertEquals(List.of("directory/www/1 " + www.name()), history(destination));
  }

  @Test
  void aDestinationThatDivergedGetsEverySourceGenerationAfterItsOwn() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    SnapshotRef own = ingest(destination, DB, "made at the destination\n");

    MirrorPlan plan = Mirror.between(source, destination, Scope.all()).plan();
    mirror();

    assertEquals(List.of(DB), plan.diverged());
    assertEquals(List.of("pgc/testdb/1 " + own.name(), "pgc/testdb/2 " + a.name()), history(destination));
  }

  @Test
  void aSnapshotOfSeveralFilesIsRefusedWithAReason() throws IOException {
    SnapshotRef ref = DB.snapshot(new SnapshotName("mongo-dump"));
    List<ObjectInfo> files = new ArrayList<>();
    for (String f : List.of("a.bson", "b.bson")) {
      Key key = StoreLayout.snapshotFile(ref, f);
      try (ObjectWriter w = source.backend().create()) {
        w.output().write(f.getBytes(StandardCharsets.UTF_8));
        w.commit(key);
      }
    }
    source.backend().list(StoreLayout.snapshotDir(ref), files::add);
    String checksum = DysnomiaChecksum.compute(source.backend(), StoreLayout.snapshotDir(ref), files);
    try (ObjectWriter w = source.backend().create()) {
      w.output().write(checksum.getBytes(StandardCharsets.UTF_8));
      w.commit(StoreLayout.checksum(ref));
    }
    assertTrue(source.backend().generations().create(new Generation(DB, 1, ref.name())));

    MirrorResult r = mirror();

    assertEquals(1, r.failures().size());
    assertFalse(r.failures().get(0).integrity());
    assertTrue(r.failures().get(0).message().contains("one-file snapshots"), r.failures().get(0).message());
    assertEquals(List.of(), history(destination));
  }

  // ---- names: a snapshot goes across only as what its name says it is

  /** Generation 1's object and checksum under generation 2's name: consistent with each other, but not B. */
  @Test
  void aSnapshotStoredUnderAnotherSnapshotsNameIsRefusedAndStopsItsComponent() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    SnapshotRef b = ingest(source, DB, "state B\n");
    SnapshotRef c = ingest(source, DB, "state C\n");
    SnapshotRef www = ingest(source, WWW, "index\n");
    copyOver(source, a, b);

    MirrorResult r = mirror();

    assertEquals(List.of(b), r.failures().stream().map(MirrorResult.Failure::snapshot).toList());
    MirrorResult.Failure f = r.failures().get(0);
    assertTrue(f.integrity(), f.message());
    assertTrue(f.message().contains("does not match its name"), f.message());
    assertEquals(1, f.left(), "C was not mirrored after it");
    assertEquals(List.of("directory/www/1 " + www.name(), "pgc/testdb/1 " + a.name()), history(destination));
    assertEquals(List.of(), destination.files(b), "nothing of it was published");
    assertTrue(destination.checksum(b).isEmpty());
    assertTrue(destination.meta(b).isEmpty());
    assertFalse(destination.exists(c));
  }

  /** Dysnomia names a snapshot by its file's SHA-256; a Subversion revision is an opaque name. */
  @Test
  void aSnapshotNamedByItsFilesHashOrByAnOpaqueNameGoesAcross() throws IOException {
    ByteArrayOutputStream xz = new ByteArrayOutputStream();
    try (OutputStream out = Compression.XZ.compress(xz)) {
      out.write("state A\n".getBytes(StandardCharsets.UTF_8));
    }
    byte[] file = xz.toByteArray();
    SnapshotRef dysnomias = DB.snapshot(new SnapshotName(HexFormat.of().formatHex(
        DysnomiaChecksum.sha256().digest(file))));
    source.importSnapshot(dysnomias, "dump.sql.xz", () -> new ByteArrayInputStream(file), "test");
    SnapshotRef revision = WWW.snapshot(new SnapshotName("42"));
    source.importSnapshot(revision, "dump.svn", () -> new ByteArrayInputStream(new byte[] {42}), "test");

    MirrorResult r = mirror();

    assertTrue(r.complete(), r.failures().toString());
    assertEquals(2, r.sent());
    assertEquals(history(source), history(destination));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  // ---- a destination that lost a snapshot

  @Test
  void aSnapshotDeletedAtTheDestinationIsSentAgainAndNotCountedAsSkipped() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    SnapshotRef b = ingest(source, DB, "state B\n");
    mirror();
    destination.backend().delete(destination.files(b).get(0).key());  // the newest generation's

    MirrorPlan plan = Mirror.between(source, destination, Scope.all()).plan();
    MirrorResult r = mirror();

    assertEquals(1, plan.toSend(), "B again");
    assertEquals(1, r.sent(), "B again");
    assertEquals(1, r.skipped(), "only A: B was missing");
    assertEquals(0, r.linked());
    assertTrue(destination.exists(a));
    assertEquals(history(source), history(destination));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void anOlderGenerationsSnapshotLostAtTheDestinationIsSentAgain() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    ingest(source, DB, "state B\n");
    mirror();
    destination.backend().delete(StoreLayout.checksum(a));
    ingest(source, DB, "state C\n");

    MirrorResult r = mirror();

    assertEquals(2, r.sent(), "A again, and C");
    assertEquals(1, r.skipped(), "only B: A was missing");
    assertEquals(history(source), history(destination));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  // ---- which source generations are new: by generation, not by snapshot name

  /** A, mirrored; then B and A again: the destination must get B and A, not "A is there already". */
  @Test
  void aStateThatComesBackAfterAMirrorGoesAcrossWithTheStateBetween() throws IOException {
    ingest(source, DB, "state A\n");
    mirror();
    ingest(source, DB, "state B\n");
    ingest(source, DB, "state A\n");

    MirrorPlan plan = Mirror.between(source, destination, Scope.all()).plan();
    MirrorResult r = mirror();

    assertEquals(List.of(2L, 3L), plan.items().stream().map(MirrorPlan.Item::linkAs).toList());
    assertEquals(1, r.sent(), "B");
    assertEquals(2, r.linked());
    assertEquals(1, r.skipped(), "A");
    assertEquals(history(source), history(destination));
  }

  @Test
  void aMirrorStoppedBeforeItsSecondLinkResumesInOrder() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    ingest(source, DB, "state C\n");
    FaultyBackend faults = FaultyBackend.over(destination.backend());
    faults.failAfter(FaultyBackend.Op.LINK, 1);

    MirrorResult stopped = mirror(source, through(faults), Scope.all(), OptionalInt.empty());

    assertEquals(1, faults.injected());
    assertEquals(1, stopped.failures().size());
    assertEquals(List.of("pgc/testdb/1 " + ab.get(0).name()), history(destination));

    mirror();

    assertEquals(history(source), history(destination), "A, B, A, C");
  }

  /** No record of an earlier mirror (the destination made A itself): the histories are lined up in order. */
  @Test
  void withoutARecordTheTwoHistoriesAreLinedUpInOrder() throws IOException {
    ingest(destination, DB, "state A\n");
    abaHistory();
    ingest(source, DB, "state C\n");

    MirrorPlan plan = Mirror.between(source, destination, Scope.all()).plan();
    mirror();

    assertEquals(List.of(), plan.diverged());
    assertEquals(history(source), history(destination), "A, B, A, C");
  }

  @Test
  void aSourceCollectedPastTheLastMirroredGenerationHasNotDiverged() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    mirror();
    ingest(source, DB, "state B\n");
    SnapshotRef c = ingest(source, DB, "state C\n");
    source.gc(Scope.all(), 1, false, action -> { });

    MirrorPlan plan = Mirror.between(source, destination, Scope.all()).plan();
    mirror();

    assertEquals(List.of(), plan.diverged(), "generation 1 went across; 3 is new, 2 is gone");
    assertEquals(List.of("pgc/testdb/1 " + a.name(), "pgc/testdb/2 " + c.name()), history(destination));
  }

  /** B is linked but its record is not written: the next run walks on from the record of A, in order. */
  @Test
  void aLinkWhoseRecordWasNotWrittenIsFollowedInOrderByTheNextRun() throws IOException {
    ingest(source, DB, "state A\n");
    mirror();
    ingest(source, DB, "state B\n");
    ingest(source, DB, "state A\n");
    ingest(source, DB, "state B\n");
    FaultyBackend faults = FaultyBackend.over(destination.backend());
    faults.failNext(FaultyBackend.Op.COMMIT, key -> key.startsWith(StoreLayout.MIRRORS));

    MirrorResult stopped = mirror(source, through(faults), Scope.all(), OptionalInt.empty());

    assertEquals(1, faults.injected());
    assertEquals(1, stopped.failures().size());
    assertFalse(stopped.failures().get(0).integrity());
    assertEquals(2, stopped.failures().get(0).left(), "A and B again wait for the next run");
    assertEquals(2, history(destination).size(), "B was linked before its record failed");

    mirror();

    assertEquals(history(source), history(destination), "A, B, A, B");
  }

  /** After --keep 1 the destination holds A (generation 3 of A, B, A): the next mirror goes on from there. */
  @Test
  void keepAtTheDestinationDoesNotMakeTheNextMirrorRepeatTheHistory() throws IOException {
    List<SnapshotRef> ab = abaHistory();
    mirror(Scope.all(), OptionalInt.of(1));
    SnapshotRef c = ingest(source, DB, "state C\n");

    mirror();

    assertEquals(List.of("pgc/testdb/3 " + ab.get(0).name(), "pgc/testdb/4 " + c.name()), history(destination));
  }

  // ---- faults: one store seen through a FaultyBackend over its backend

  @Test
  void bytesDamagedOnTheWayOnceAreReadAgainAndSent() throws IOException {
    SnapshotRef a = ingest(source, DB, random(300_000));
    ingest(source, WWW, "index\n");
    FaultyBackend faults = FaultyBackend.over(source.backend());
    faults.corruptNext(key -> key.startsWith(StoreLayout.snapshotDir(a)));
    List<String> told = new ArrayList<>();

    Mirror mirror = Mirror.between(through(faults), destination, Scope.all());
    MirrorResult r = mirror.run(mirror.plan(), OptionalInt.empty(), new Mirror.Listener() {
      @Override
      public void retrying(SnapshotRef snapshot, String why) {
        told.add(snapshot + ": " + why);
      }
    });

    assertEquals(1, faults.injected());
    assertTrue(r.complete(), r.toString());
    assertEquals(2, r.sent());
    assertEquals(1, told.size(), told.toString());
    assertTrue(told.get(0).startsWith(a + ": ") && told.get(0).contains("reading them again"), told.get(0));
    assertEquals(history(source), history(destination));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  /** Every read damaged, each differently: the transfer's fault, not the stored snapshot's (exit 1, not 3). */
  @Test
  void bytesDamagedOnEveryReadAreRefusedAsTheTransfersAndTheNextRunSendsThem() throws IOException {
    SnapshotRef a = ingest(source, DB, random(300_000));
    SnapshotRef www = ingest(source, WWW, "index\n");
    FaultyBackend faults = FaultyBackend.over(source.backend());
    for (int i = 0; i < 3; i++) {
      faults.corruptNext(key -> key.startsWith(StoreLayout.snapshotDir(a)));
    }

    MirrorResult r = mirror(through(faults), destination, Scope.all(), OptionalInt.empty());

    assertEquals(3, faults.injected());
    assertEquals(List.of(a), r.failures().stream().map(MirrorResult.Failure::snapshot).toList());
    MirrorResult.Failure f = r.failures().get(0);
    assertFalse(f.integrity(), f.message());
    assertTrue(f.message().contains("damaged on its way") && f.message().contains("may be intact"), f.message());
    assertEquals(List.of("directory/www/1 " + www.name()), history(destination));
    assertEquals(List.of(), destination.files(a), "nothing of it was published");
    assertTrue(destination.checksum(a).isEmpty());

    MirrorResult again = mirror();

    assertEquals(1, again.sent());
    assertEquals(history(source), history(destination));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  /** Starting, writing or committing the destination's copy fails: its component stops there, the others go on. */
  @ParameterizedTest
  @EnumSource(value = FaultyBackend.Op.class, names = {"CREATE", "WRITE", "COMMIT"})
  void aCopyThatFailsAtTheDestinationPublishesNothingAndTheNextRunSendsIt(FaultyBackend.Op op) throws IOException {
    SnapshotRef a = ingest(source, DB, random(300_000));
    ingest(source, DB, "state B\n");
    SnapshotRef www = ingest(source, WWW, "index\n");
    FaultyBackend faults = FaultyBackend.over(destination.backend());
    faults.failNext(op, key -> key.startsWith(StoreLayout.snapshotDir(a)));

    MirrorResult r = mirror(source, through(faults), Scope.all(), OptionalInt.empty());

    assertEquals(1, faults.injected());
    assertEquals(1, r.failures().size());
    MirrorResult.Failure f = r.failures().get(0);
    assertEquals(a, f.snapshot());
    assertFalse(f.integrity(), f.message());
    assertEquals(1, f.left(), "B was not mirrored after it");
    assertEquals(List.of("directory/www/1 " + www.name()), history(destination));
    assertEquals(List.of(), destination.files(a));
    assertFalse(destination.exists(a));

    MirrorResult again = mirror();

    assertEquals(2, again.sent());
    assertEquals(history(source), history(destination));
    assertArrayEquals(logical(source, a), logical(destination, a));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void aLinkThatFailedAtTheDestinationIsMadeByTheNextRunWithoutSendingAgain() throws IOException {
    SnapshotRef a = ingest(source, DB, "state A\n");
    FaultyBackend faults = FaultyBackend.over(destination.backend());
    faults.failNext(FaultyBackend.Op.LINK, 1);

    MirrorResult r = mirror(source, through(faults), Scope.all(), OptionalInt.empty());

    assertEquals(1, faults.injected());
    assertEquals(1, r.failures().size());
    assertEquals(List.of(), history(destination));
    assertTrue(destination.exists(a), "published before its link failed");

    MirrorResult again = mirror();

    assertEquals(0, again.sent());
    assertEquals(1, again.linked());
    assertEquals(history(source), history(destination));
  }

  /**
   * Retention after a mirror deletes links before snapshots: a failing delete reaches the
   * caller and leaves the destination checkable, and the next mirror with {@code --keep} finishes.
   */
  @Test
  void aDeleteThatFailsInTheRetentionAfterAMirrorLeavesTheDestinationCheckable() throws IOException {
    abaHistory();
    SnapshotRef c = ingest(source, DB, "state C\n");
    FaultyBackend faults = FaultyBackend.over(destination.backend());
    faults.failNext(FaultyBackend.Op.DELETE, key -> key.startsWith(StoreLayout.CHECKSUMS));

    assertThrows(FaultyBackend.Fault.class,
        () -> mirror(source, through(faults), Scope.all(), OptionalInt.of(1)));

    assertEquals(1, faults.injected());
    CheckReport report = destination.check(destination.generations(Scope.all()), Scope.all(), true);
    assertTrue(report.clean(), report.problems().toString());
    assertEquals(List.of("pgc/testdb/4 " + c.name()), history(destination));

    mirror(Scope.all(), OptionalInt.of(1));

    assertEquals(List.of("pgc/testdb/4 " + c.name()), history(destination));
    List<ObjectInfo> checksums = new ArrayList<>();
    destination.backend().list(StoreLayout.CHECKSUMS, checksums::add);
    assertEquals(1, checksums.size(), "the next retention took what the failed one left: " + checksums);
  }

  protected static byte[] random(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return data;
  }

  // ---- chunked snapshots

  protected static SnapshotRef ingestChunked(Store store, ComponentRef comp, byte[] content) throws IOException {
    try (Ingest ingest = store.ingest(comp, "dump.sql", Compression.CHUNKED, "test", Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream(content));
      return ingest.commit().snapshot();
    }
  }

  private static int chunkCount(Store store) throws IOException {
    List<ObjectInfo> chunks = new ArrayList<>();
    store.backend().list(StoreLayout.CHUNKS, chunks::add);
    return chunks.size();
  }

  @Test
  void chunkedGenerationsSendOnlyTheChunksTheDestinationLacksAndComeBackWithTheirIds() throws IOException {
    byte[] first = new byte[10 << 20];
    new Random(31).nextBytes(first);
    byte[] second = first.clone();
    second[second.length - 3] ^= 1;
    SnapshotRef one = ingestChunked(source, DB, first);
    MirrorResult sentFirst = mirror();
    SnapshotRef two = ingestChunked(source, DB, second);
    SnapshotRef plain = ingest(source, WWW, "a plain snapshot beside them");

    MirrorResult sentSecond = mirror();

    assertEquals(List.of(), sentSecond.failures());
    assertEquals(2, sentSecond.sent());
    assertTrue(sentFirst.bytes() > first.length, sentFirst.bytes() + " bytes for the first generation");
    assertTrue(sentSecond.bytes() < sentFirst.bytes() / 2, sentSecond.bytes() + " bytes for the second, "
        + sentFirst.bytes() + " for the first");
    assertEquals(chunkCount(source), chunkCount(destination));
    assertEquals(history(source), history(destination));
    assertArrayEquals(second, logical(destination, two));
    assertTrue(destination.check(destination.generations(Scope.all()), Scope.all(), true).clean());

    Store back = newStore();
    try {
      assertEquals(List.of(), mirror(destination, back, Scope.all(), OptionalInt.empty()).failures());
      assertEquals(history(source), history(back));
      assertArrayEquals(first, logical(back, one));
      assertArrayEquals(second, logical(back, two));
      assertEquals(logical(source, plain).length, logical(back, plain).length);
    } finally {
      back.close();
    }
  }

  @Test
  void aChunkDamagedAtTheSourcePublishesNothingOfItsSnapshot() throws IOException {
    byte[] data = new byte[6 << 20];
    new Random(32).nextBytes(data);
    SnapshotRef ref = ingestChunked(source, DB, data);
    List<ObjectInfo> chunks = new ArrayList<>();
    source.backend().list(StoreLayout.CHUNKS, chunks::add);
    Key damaged = chunks.get(chunks.size() - 1).key();
    byte[] stored;
    try (InputStream in = source.backend().open(damaged)) {
      stored = in.readAllBytes();
    }
    stored[stored.length / 3] ^= 4;
    try (ObjectWriter w = source.backend().create()) {
      w.output().write(stored);
      w.commit(damaged);
    }

    MirrorResult result = mirror();

    assertEquals(1, result.failures().size());
    assertTrue(result.failures().get(0).integrity(), result.failures().get(0).toString());
    assertTrue(result.failures().get(0).message().contains(damaged.name()), result.failures().get(0).message());
    assertEquals(List.of(), history(destination));
    assertFalse(destination.exists(ref));
  }

  @Test
  void aChunkDamagedOnTheWayOnceIsReadAgainAndOnEveryReadIsTheTransfersFault() throws IOException {
    byte[] data = new byte[4 << 20];
    new Random(33).nextBytes(data);
    SnapshotRef ref = ingestChunked(source, DB, data);
    FaultyBackend once = FaultyBackend.over(source.backend());
    once.corruptNext(key -> key.startsWith(StoreLayout.CHUNKS));
    List<String> told = new ArrayList<>();
    Mirror mirror = Mirror.between(through(once), destination, Scope.all());

    MirrorResult r = mirror.run(mirror.plan(), OptionalInt.empty(), new Mirror.Listener() {
      @Override
      public void retrying(SnapshotRef snapshot, String why) {
        told.add(why);
      }
    });

    assertEquals(1, once.injected());
    assertTrue(r.complete(), r.toString());
    assertEquals(1, told.size(), told.toString());
    assertTrue(told.get(0).contains("reading it again (2 of 3)"), told.get(0));
    assertArrayEquals(data, logical(destination, ref));

    SnapshotRef second = ingestChunked(source, DB, java.util.Arrays.copyOf(data, data.length + 1));
    FaultyBackend always = FaultyBackend.over(source.backend());
    for (int i = 0; i < 3; i++) {
      always.corruptNext(key -> key.startsWith(StoreLayout.CHUNKS));
    }
    MirrorResult failed = mirror(through(always), destination, Scope.all(), OptionalInt.empty());

    assertEquals(3, always.injected());
    MirrorResult.Failure f = failed.failures().get(0);
    assertFalse(f.integrity(), f.message());
    assertTrue(f.message().contains("damaged on its way"), f.message());
    assertFalse(destination.exists(second));
    assertTrue(mirror().complete());
    assertEquals(history(source), history(destination));
  }
}
