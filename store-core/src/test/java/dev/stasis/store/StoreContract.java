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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's behaviour on a backend: ids, dedup, generations, gc, check, import and
 * verified reads, and what a failing or damaging backend leaves behind. Subclasses provide a
 * fresh backend and its locks.
 */
public abstract class StoreContract {
  protected static final ComponentRef COMP = new ComponentRef("pgc", "testdb");

  protected Store store;
  /** The backend under test, as {@link #newBackend()} made it: what tests arrange and inspect through. */
  protected Backend backend;
  /** The store's view of {@link #backend}: passes every call through until a test arms a fault. */
  protected FaultyBackend faults;

  protected abstract Backend newBackend() throws IOException;

  protected abstract StoreLocks locksFor(Backend backend) throws IOException;

  /**
   * Whether creators racing for one generation number always leave it to one of them. Where
   * conditional writes are not atomic (s3rver), both may give it up and take the next (the
   * backend's contract), which leaves a gap in the numbering: harmless, as gc leaves gaps too.
   */
  protected boolean racesLeaveNoGap() {
    return true;
  }

  @BeforeEach
  void openStore() throws IOException {
    backend = newBackend();
    faults = FaultyBackend.over(backend);
    store = Store.open(faults, locksFor(backend), Duration.ofSeconds(30));
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }

  protected IngestResult ingest(ComponentRef comp, byte[] content, Compression compression) throws IOException {
    try (Ingest ingest = store.ingest(comp, "dump.sql", compression, "test", Map.of())) {
      ingest.transferFrom(new ByteArrayInputStream(content));
      return ingest.commit();
    }
  }

  protected IngestResult ingest(String content) throws IOException {
    return ingest(COMP, utf8(content), Compression.ZSTD);
  }

  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static String sha256(byte[] data) {
    return HexFormat.of().formatHex(DysnomiaChecksum.sha256().digest(data));
  }

  protected byte[] readLogical(SnapshotRef ref) throws IOException {
    try (SnapshotReader reader = store.read(ref)) {
      return reader.logical().readAllBytes();
    }
  }

  protected void overwrite(Key key, byte[] content) throws IOException {
    try (ObjectWriter w = backend.create()) {
      w.output().write(content);
      w.commit(key);
    }
  }

  protected List<String> paths(List<Generation> gens) {
    return gens.stream().map(g -> g.number() + " " + g.snapshot()).toList();
  }

  protected Key fileOf(SnapshotRef ref) throws IOException {
    return store.files(ref).get(0).key();
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "CHUNKED", mode = EnumSource.Mode.EXCLUDE)
  void idIsTheSha256OfTheLogicalStreamAndChecksumIsDysnomias(Compression compression) throws IOException {
    byte[] data = new byte[200_000];
    new Random(7).nextBytes(data);
    IngestResult r = ingest(COMP, data, compression);
    assertEquals(sha256(data), r.snapshot().name().value());
    assertTrue(r.newGeneration());
    assertFalse(r.deduplicated());
    assertEquals(data.length, r.logicalSize());

    Key file = fileOf(r.snapshot());
    assertEquals(compression.fileName("dump.sql"), file.name());
    byte[] stored;
    try (InputStream in = backend.open(file)) {
      stored = in.readAllBytes();
    }
    assertEquals(stored.length, r.storedSize());
    MessageDigest expected = DysnomiaChecksum.sha256();
    expected.update(utf8(".\n./" + file.name() + "\n\n"));
    expected.update(stored);
    assertEquals("sha256:" + HexFormat.of().formatHex(expected.digest()), store.checksum(r.snapshot()).orElseThrow());
    assertArrayEquals(data, readLogical(r.snapshot()));
  }

  @Test
  void unchangedStreamIsDeduplicatedWithoutANewGeneration() throws IOException {
    IngestResult first = ingest("state one");
    IngestResult again = ingest("state one");
    assertEquals(first.generation(), again.generation());
    assertFalse(again.newGeneration());
    assertTrue(again.deduplicated());
    assertEquals(1, store.generations(Scope.all()).size());
  }

  /** A stream of several chunks, not a whole number of them, that every compression stores in several writes. */
  private static byte[] severalChunks() {
    byte[] data = new byte[2 * Ingest.CHUNK + 12_345];
    new Random(11).nextBytes(data);
    return data;
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "CHUNKED", mode = EnumSource.Mode.EXCLUDE)
  void anUnchangedStreamIsComparedWithTheNewestSnapshotAndNothingIsWritten(Compression compression)
      throws IOException {
    byte[] data = severalChunks();
    IngestResult first = ingest(COMP, data, compression);
    faults.failNext(FaultyBackend.Op.WRITE, 1);  // any byte written would fail the ingest

    IngestResult again = ingest(COMP, data, compression);

    assertEquals(0, faults.injected(), "nothing written");
    assertEquals(first.generation(), again.generation());
    assertFalse(again.newGeneration());
    assertTrue(again.deduplicated());
    assertEquals(data.length, again.logicalSize());
    assertEquals(first.storedSize(), again.storedSize());
  }

  /** Where a changed stream first differs from the newest snapshot's, and how. */
  enum Change {
    FIRST_BYTE, IN_THE_MIDDLE, LAST_BYTE, ONE_BYTE_SHORTER, ONE_BYTE_LONGER, A_PREFIX_ENDING_AT_A_CHUNK;

    byte[] apply(byte[] data) {
      byte[] changed = switch (this) {
        case ONE_BYTE_SHORTER -> java.util.Arrays.copyOf(data, data.length - 1);
        case ONE_BYTE_LONGER -> java.util.Arrays.copyOf(data, data.length + 1);
        case A_PREFIX_ENDING_AT_A_CHUNK -> java.util.Arrays.copyOf(data, 2 * Ingest.CHUNK);
        default -> data.clone();
      };
      switch (this) {
        case FIRST_BYTE -> changed[0] ^= 1;
        case IN_THE_MIDDLE -> changed[Ingest.CHUNK + Ingest.CHUNK / 2] ^= 1;
        case LAST_BYTE -> changed[changed.length - 1] ^= 1;
        default -> { }
      }
      return changed;
    }
  }

  @ParameterizedTest
  @EnumSource(Change.class)
  void aStreamThatDiffersFromTheNewestSnapshotIsStoredWholeUnderItsOwnId(Change change) throws IOException {
    // xz (slow on random bytes) for one change: the path after the comparison is the same for all
    List<Compression> compressions = change == Change.IN_THE_MIDDLE ? List.of(Compression.values())
        : List.of(Compression.ZSTD, Compression.NONE);
    for (Compression compression : compressions) {
      ComponentRef comp = new ComponentRef("pgc", "db-" + compression.word());
      byte[] before = severalChunks();
      byte[] after = change.apply(before);
      IngestResult first = ingest(comp, before, compression);

      IngestResult second = ingest(comp, after, compression);

      assertEquals(sha256(after), second.snapshot().name().value(), compression.word());
      assertTrue(second.newGeneration());
      assertFalse(second.deduplicated());
      assertEquals(after.length, second.logicalSize());
      assertArrayEquals(after, readLogical(second.snapshot()), compression.word());
      assertArrayEquals(before, readLogical(first.snapshot()), compression.word());
    }
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void aNewestSnapshotWithTheSameBytesUnderAnotherNameIsNotTakenForTheStream() throws IOException {
    byte[] data = severalChunks();
    SnapshotRef revision = COMP.snapshot(new SnapshotName("r42"));
    store.importSnapshot(revision, "dump.sql", () -> new ByteArrayInputStream(data), "test");

    IngestResult r = ingest(COMP, data, Compression.NONE);

    assertEquals(sha256(data), r.snapshot().name().value());
    assertTrue(r.newGeneration());
    assertArrayEquals(data, readLogical(r.snapshot()));
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void aNewestSnapshotWhoseChecksumRecordDisagreesIsWrittenAgain() throws IOException {
    byte[] data = severalChunks();
    IngestResult first = ingest(COMP, data, Compression.ZSTD);
    overwrite(StoreLayout.checksum(first.snapshot()), utf8("sha256:" + sha256(utf8("another directory"))));

    IngestResult again = ingest(COMP, data, Compression.ZSTD);

    assertFalse(again.deduplicated(), "the damaged snapshot is replaced, not trusted");
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
    assertArrayEquals(data, readLogical(again.snapshot()));
  }

  @Test
  void aNewestSnapshotThatChangesBetweenTheComparisonAndTheReplayFailsTheIngestAndStoresNothing()
      throws IOException {
    byte[] before = severalChunks();
    IngestResult first = ingest(COMP, before, Compression.NONE);
    Key file = fileOf(first.snapshot());
    int[] opens = {0};
    faults.corruptNext(key -> key.equals(file) && opens[0]++ == 1);  // the second read: the replay's

    StoreException e = assertThrows(StoreException.class, () -> ingest(COMP, Change.LAST_BYTE.apply(before),
        Compression.NONE));

    assertTrue(e.getMessage().contains("changed while this ingest compared"), e.getMessage());
    assertEquals(1, faults.injected());
    assertEquals(List.of(first.generation()), store.generations(Scope.all()));
    assertEquals(1, snapshotCount());
  }

  private long snapshotCount() throws IOException {
    List<ObjectInfo> all = new ArrayList<>();
    backend.list(StoreLayout.SNAPSHOTS, all::add);
    return all.size();
  }

  @Test
  void returningToAnEarlierStateMakesAGenerationOnTheSameSnapshot() throws IOException {
    IngestResult a = ingest("A");
    ingest("B");
    IngestResult a2 = ingest("A");
    assertTrue(a2.newGeneration());
    assertTrue(a2.deduplicated());
    assertEquals(3, a2.generation().number());
    assertEquals(a.snapshot(), a2.snapshot());
  }

  @Test
  void generationsAreInNumericOrderPastTen() throws IOException {
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      expected.add(i + " " + sha256(utf8("state " + i)));
      ingest("state " + i);
    }
    assertEquals(expected, paths(store.generations(Scope.all())));
    assertEquals(12, store.latest(COMP).orElseThrow().number());
    assertEquals(expected.get(9), paths(List.of(store.generation(COMP, 10))).get(0));
    assertThrows(NotFoundException.class, () -> store.generation(COMP, 13));
  }

  @Test
  void emptyStreamIsRefusedAndLeavesNothing() throws IOException {
    assertThrows(StoreException.class, () -> ingest(COMP, new byte[0], Compression.ZSTD));
    assertEquals(List.of(), store.generations(Scope.all()));
    assertStoreHoldsNoSnapshots();
  }

  @Test
  void closingWithoutCommitLeavesNothing() throws IOException {
    try (Ingest ingest = store.ingest(COMP, "dump.sql", Compression.ZSTD, "test", Map.of())) {
      OutputStream out = ingest.output();
      out.write(utf8("half a dump"));
      out.close();
    }
    assertEquals(List.of(), store.generations(Scope.all()));
    assertStoreHoldsNoSnapshots();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void aStreamOfManyChunksInUnevenWritesIsStoredWhole(Compression compression) throws IOException {
    byte[] data = new byte[2 * Ingest.CHUNK + 12_345];
    new Random(11).nextBytes(data);
    IngestResult r;
    try (Ingest ingest = store.ingest(COMP, "dump.sql", compression, "test", Map.of())) {
      OutputStream out = ingest.output();
      int at = 0;
      for (int step : new int[] {1, 777_777, 3, Ingest.CHUNK, 65_536}) {
        out.write(data, at, step);
        at += step;
      }
      out.write(data[at++]);
      ingest.transferFrom(new ByteArrayInputStream(data, at, data.length - at));
      assertEquals(data.length, ingest.logicalBytes());
      r = ingest.commit();
    }
    assertEquals(sha256(data), r.snapshot().name().value());
    assertEquals(Verdict.Kind.OK, store.verify(r.snapshot()).kind());
    assertArrayEquals(data, readLogical(r.snapshot()));
  }

  @Test
  void aKilledXzStoresNothing() throws IOException {
    XzInputs.systemXz();
    byte[] data = XzInputs.random(8 * Ingest.CHUNK, 6);
    IOException thrown = assertThrows(IOException.class, () -> {
      try (Ingest ingest = store.ingest(COMP, "dump.sql", Compression.XZ, "test", Map.of())) {
        OutputStream out = ingest.output();
        out.write(data, 0, 2 * Ingest.CHUNK);
        ProcessHandle xz = xzChildren().findFirst().orElseThrow();
        xz.destroyForcibly();
        xz.onExit().join();
        out.write(data, 2 * Ingest.CHUNK, data.length - 2 * Ingest.CHUNK);
        ingest.commit();
      }
    });
    assertTrue(thrown.getMessage().contains("xz was killed by signal 9"), thrown.getMessage());
    assertEquals(List.of(), store.generations(Scope.all()));
    assertStoreHoldsNoSnapshots();
  }

  @Test
  void anXzIngestClosedWithoutCommitLeavesNoProcess() throws IOException {
    XzInputs.systemXz();
    try (Ingest ingest = store.ingest(COMP, "dump.sql", Compression.XZ, "test", Map.of())) {
      ingest.output().write(XzInputs.sql(3 * Ingest.CHUNK));
      assertEquals(1, xzChildren().count());
    }
    assertEquals(0, xzChildren().count());
    assertStoreHoldsNoSnapshots();
  }

  private static Stream<ProcessHandle> xzChildren() {
    return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/xz")).orElse(false));
  }

  protected void assertStoreHoldsNoSnapshots() throws IOException {
    for (Key area : List.of(StoreLayout.SNAPSHOTS, StoreLayout.CHECKSUMS, StoreLayout.META)) {
      List<ObjectInfo> left = new ArrayList<>();
      backend.list(area, left::add);
      assertEquals(List.of(), left, "left in " + area);
    }
  }

  @Test
  void metadataRecordsSizesCompressionAndSource() throws IOException {
    IngestResult r = ingest(COMP, utf8("x".repeat(10_000)), Compression.XZ);
    SnapshotMeta meta = store.meta(r.snapshot()).orElseThrow();
    assertEquals("dump.sql.xz", meta.file());
    assertEquals(Compression.XZ, meta.compression());
    assertEquals(10_000, meta.logicalSize());
    assertEquals(r.storedSize(), meta.storedSize());
    assertEquals("test", meta.source());
    assertTrue(meta.storedSize() < 1000);
  }

  @Test
  void tamperedSnapshotFailsItsReadAtTheEnd() throws IOException {
    IngestResult r = ingest(COMP, utf8("precious"), Compression.NONE);
    overwrite(fileOf(r.snapshot()), utf8("Precious"));
    IntegrityException e = assertThrows(IntegrityException.class, () -> readLogical(r.snapshot()));
    assertTrue(e.getMessage().startsWith("Checksum mismatch detected for snapshot: "), e.getMessage());
  }

  @Test
  void snapshotWithoutChecksumIsNotRead() throws IOException {
    IngestResult r = ingest("data");
    backend.delete(StoreLayout.checksum(r.snapshot()));
    assertThrows(IntegrityException.class, () -> store.read(r.snapshot()));
    assertThrows(NotFoundException.class, () -> store.read(COMP.snapshot(new SnapshotName("nope"))));
  }

  @Test
  void reingestReplacesADamagedSnapshot() throws IOException {
    IngestResult r = ingest(COMP, utf8("content"), Compression.NONE);
    overwrite(fileOf(r.snapshot()), utf8("garbage"));
    IngestResult again = ingest(COMP, utf8("content"), Compression.NONE);
    assertFalse(again.deduplicated());
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
    assertArrayEquals(utf8("content"), readLogical(r.snapshot()));
  }

  @Test
  void reingestRepairsASnapshotThatLostItsChecksum() throws IOException {
    IngestResult r = ingest("content");
    backend.delete(StoreLayout.checksum(r.snapshot()));
    IngestResult again = ingest("content");
    assertFalse(again.deduplicated());
    assertTrue(store.exists(r.snapshot()));
    assertArrayEquals(utf8("content"), readLogical(r.snapshot()));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void gcKeepsTheNewestGenerationsAndTheirSnapshots(int keep) throws IOException {
    for (int i = 1; i <= 5; i++) {
      ingest("s" + i);
    }
    GcPlan plan = store.gc(Scope.all(), keep, false, a -> {});
    List<Generation> left = store.generations(Scope.all());
    assertEquals(keep, left.size());
    for (int i = 0; i < keep; i++) {
      assertEquals(5 - keep + 1 + i, left.get(i).number());
    }
    List<ObjectInfo> snapshots = new ArrayList<>();
    backend.list(StoreLayout.SNAPSHOTS, snapshots::add);
    assertEquals(keep, snapshots.size());
    assertEquals(5 - keep, plan.actions().stream().filter(a -> a.kind() == GcPlan.Kind.GENERATION).count());
    assertTrue(store.check(left, Scope.all(), true).clean());
  }

  @Test
  void gcDryRunChangesNothingAndSaysWhy() throws IOException {
    ingest("one");
    ingest("two");
    GcPlan plan = store.gc(Scope.all(), 1, true, a -> {
      throw new AssertionError("a dry run deletes nothing: " + a);
    });
    assertEquals(List.of(GcPlan.Kind.GENERATION, GcPlan.Kind.SNAPSHOT),
        plan.actions().stream().map(GcPlan.Action::kind).toList());
    assertEquals("pgc/testdb/1", plan.actions().get(0).path());
    assertEquals(2, store.generations(Scope.all()).size());
  }

  @Test
  void gcKeepsASnapshotThatAKeptGenerationSharesWithADroppedOne() throws IOException {
    IngestResult a = ingest("A");
    ingest("B");
    ingest("A");
    store.gc(Scope.all(), 1, false, x -> {});
    assertEquals(List.of("3 " + a.snapshot().name()), paths(store.generations(Scope.all())));
    assertArrayEquals(utf8("A"), readLogical(a.snapshot()));
  }

  @Test
  void gcIsLimitedToItsScopeAndRemovesLeftoverChecksums() throws IOException {
    ComponentRef other = new ComponentRef("pgc", "other");
    ingest("a1");
    ingest("a2");
    ingest(other, utf8("b1"), Compression.ZSTD);
    ingest(other, utf8("b2"), Compression.ZSTD);
    SnapshotRef orphan = COMP.snapshot(new SnapshotName("orphan"));
    overwrite(StoreLayout.checksum(orphan), utf8("sha256:" + "0".repeat(64)));
    GcPlan plan = store.gc(Scope.of(COMP), 1, false, x -> {});
    assertTrue(plan.actions().contains(new GcPlan.Action(GcPlan.Kind.CHECKSUM, orphan.toString(), "its snapshot is gone")));
    assertEquals(1, store.generations(Scope.of(COMP)).size());
    assertEquals(2, store.generations(Scope.of(other)).size());
    assertTrue(store.checksum(orphan).isEmpty());
  }

  @Test
  void checkReportsEveryProblemAndKeepsGoing() throws IOException {
    IngestResult tampered = ingest(new ComponentRef("c", "tampered"), utf8("t"), Compression.NONE);
    IngestResult noFile = ingest(new ComponentRef("c", "nofile"), utf8("f"), Compression.ZSTD);
    IngestResult noSum = ingest(new ComponentRef("c", "nosum"), utf8("s"), Compression.ZSTD);
    IngestResult fine = ingest(new ComponentRef("c", "fine"), utf8("ok"), Compression.ZSTD);
    Generation dangling = new Generation(new ComponentRef("c", "dangling"), 1, new SnapshotName("gone"));
    assertTrue(backend.generations().create(dangling));

    overwrite(fileOf(tampered.snapshot()), utf8("T"));
    backend.delete(fileOf(noFile.snapshot()));
    backend.delete(StoreLayout.checksum(noSum.snapshot()));

    CheckReport report = store.check(store.generations(Scope.all()), Scope.all(), true);
    Map<CheckReport.Kind, String> found = new java.util.TreeMap<>();
    report.problems().forEach(p -> found.put(p.kind(), p.subject()));
    assertEquals(Map.of(
        CheckReport.Kind.MISMATCH, tampered.snapshot().toString(),
        CheckReport.Kind.MISSING_FILE, noFile.snapshot().toString(),
        CheckReport.Kind.MISSING_CHECKSUM, noSum.snapshot().toString(),
        CheckReport.Kind.DANGLING_GENERATION, "c/dangling/1"), found);
    assertEquals(4, report.problems().size());
    assertTrue(store.check(List.of(fine.generation()), Scope.of(fine.generation().component()), false).clean());
  }

  @Test
  void importAcceptsDysnomiaStasisAndOpaqueNames() throws IOException {
    byte[] logical = utf8("-- a dump\n");
    byte[] stored = compress(Compression.XZ, logical);
    SnapshotRef dysnomia = COMP.snapshot(new SnapshotName(sha256(stored)));
    SnapshotRef stasis = new ComponentRef("pgc", "two").snapshot(new SnapshotName(sha256(logical)));
    SnapshotRef revision = new ComponentRef("svn", "repo").snapshot(new SnapshotName("42"));
    for (SnapshotRef ref : List.of(dysnomia, stasis, revision)) {
      IngestResult r = store.importSnapshot(ref, "dump.pgsql.xz", () -> new ByteArrayInputStream(stored), "test");
      assertEquals(ref, r.snapshot());
      assertEquals(1, r.generation().number());
      assertArrayEquals(logical, readLogical(ref));
    }
    IngestResult again = store.importSnapshot(dysnomia, "dump.pgsql.xz", () -> new ByteArrayInputStream(stored), "test");
    assertTrue(again.deduplicated());
    assertFalse(again.newGeneration());
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void importWithAWrongShaNameIsRefusedAndLeavesNothing() throws IOException {
    byte[] stored = compress(Compression.ZSTD, utf8("content"));
    SnapshotRef wrong = COMP.snapshot(new SnapshotName(sha256(utf8("other content"))));
    assertThrows(IntegrityException.class,
        () -> store.importSnapshot(wrong, "dump.sql.zst", () -> new ByteArrayInputStream(stored), "test"));
    assertEquals(List.of(), store.generations(Scope.all()));
    assertStoreHoldsNoSnapshots();
  }

  @Test
  void xzAskedForAStateStoredInAnotherFormStoresItsXzFormUnderItsFilesSha() throws IOException {
    byte[] dump = utf8("the same state\n".repeat(1000));
    IngestResult zstd = ingest(COMP, dump, Compression.ZSTD);
    IngestResult xz = ingest(COMP, dump, Compression.XZ);
    assertTrue(xz.newGeneration() && xz.xzForm(), xz.toString());
    assertEquals(2, xz.generation().number());
    Key file = fileOf(xz.snapshot());
    assertEquals("dump.sql.xz", file.name());
    byte[] stored;
    try (InputStream in = backend.open(file)) {
      stored = in.readAllBytes();
    }
    assertEquals(sha256(stored), xz.snapshot().name().value(), "named as Dysnomia names its snapshots");
    assertEquals(sha256(dump), store.meta(xz.snapshot()).orElseThrow().id().hex());
    assertArrayEquals(dump, readLogical(xz.snapshot()));
    assertEquals("dump.sql.zst", fileOf(zstd.snapshot()).name(), "the other form stays as it was");

    IngestResult again = ingest(COMP, dump, Compression.XZ);
    assertFalse(again.newGeneration(), "the xz form is there: unchanged");
    assertEquals(xz.snapshot(), again.snapshot());
    IngestResult zstdAgain = ingest(COMP, dump, Compression.ZSTD);
    assertTrue(zstdAgain.newGeneration() && zstdAgain.deduplicated(), zstdAgain.toString());
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void concurrentIngestsGetDistinctGenerationNumbers() throws Exception {
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      contents.add(utf8("writer " + i));
    }
    Set<Long> numbers = new HashSet<>();
    for (IngestResult r : ingestAtOnce(contents, List.of(Compression.ZSTD))) {
      assertTrue(numbers.add(r.generation().number()), "generation " + r.generation().number() + " given twice");
    }
    if (racesLeaveNoGap()) {
      assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), numbers);
    } else {
      assertEquals(8, numbers.size());
    }
    assertEquals(8, store.generations(Scope.of(COMP)).stream().map(Generation::snapshot).distinct().count(),
        "every writer's snapshot has a generation of its own");
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void concurrentIngestsOfOneContentMakeOneSnapshot() throws Exception {
    // zstd and none only: xz of a state stored in another form is a form of its own
    List<IngestResult> results = ingestAtOnce(Collections.nCopies(4, utf8("same")),
        List.of(Compression.ZSTD, Compression.NONE));
    assertEquals(1, results.stream().filter(r -> !r.deduplicated()).count(), "one wrote it, the others found it");
    assertEquals(1, store.generations(Scope.all()).size());
    assertEquals(1, store.files(store.latest(COMP).orElseThrow().snapshotRef()).size());
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  /**
   * Ingests each of {@code contents} into {@link #COMP} on a thread of its own, compressed as
   * {@code compressions} says (round robin): every thread streams all its bytes, waits until
   * every other has too, and only then commits, so the commits race rather than follow one
   * another as the pool happens to run them.
   *
   * @return the results, in the order of {@code contents}
   */
  protected List<IngestResult> ingestAtOnce(List<byte[]> contents, List<Compression> compressions)
      throws Exception {
    CountDownLatch streamed = new CountDownLatch(contents.size());
    ExecutorService pool = Executors.newFixedThreadPool(contents.size());
    try {
      List<Future<IngestResult>> futures = new ArrayList<>();
      for (int i = 0; i < contents.size(); i++) {
        byte[] content = contents.get(i);
        Compression compression = compressions.get(i % compressions.size());
        futures.add(pool.submit(() -> streamThenCommit(store, COMP, content, compression, streamed)));
      }
      List<IngestResult> results = new ArrayList<>();
      for (Future<IngestResult> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Ingests {@code content} into {@code component}: streams all of it, then waits until every
   * writer sharing {@code streamed} has streamed too, then commits. A writer that fails counts
   * down all the same, so it never holds the others back.
   */
  public static IngestResult streamThenCommit(Store store, ComponentRef component, byte[] content,
      Compression compression, CountDownLatch streamed) throws Exception {
    Ingest ingest = null;
    try {
      ingest = store.ingest(component, "dump.sql", compression, "test", Map.of());
      ingest.transferFrom(new ByteArrayInputStream(content));
    } catch (IOException | RuntimeException e) {
      if (ingest != null) {
        ingest.close();
      }
      throw e;
    } finally {
      streamed.countDown();  // even after a failure, or the others would wait for ever
    }
    try (Ingest ready = ingest) {
      streamed.await();
      return ready.commit();
    }
  }

  // ---- faults: the store's backend is wrapped (faults), armed per test

  private static final SnapshotRef CONTENT = COMP.snapshot(new SnapshotName(sha256(utf8("content"))));

  protected List<ObjectInfo> listed(Key area) throws IOException {
    List<ObjectInfo> found = new ArrayList<>();
    backend.list(area, found::add);
    return found;
  }

  /**
   * Publishing commits the metadata, the checksum and the snapshot's file, in that order; when
   * one fails, the snapshot is not published and has no generation. What was committed before
   * stays: records without a snapshot, which gc collects, and which the next ingest replaces.
   */
  @ParameterizedTest
  @ValueSource(strings = {".stasis/meta", "checksums", "snapshots"})
  void aCommitThatFailsPublishesNothingAndTheNextIngestStoresIt(String area) throws IOException {
    faults.failNext(FaultyBackend.Op.COMMIT, key -> key.startsWith(new Key(area)));
    assertThrows(FaultyBackend.Fault.class, () -> ingest("content"));
    assertEquals(1, faults.injected());
    assertFalse(store.exists(CONTENT));
    assertEquals(List.of(), listed(StoreLayout.SNAPSHOTS), "no snapshot file is listed");
    assertEquals(List.of(), store.generations(Scope.all()));
    assertThrows(NotFoundException.class, () -> store.read(CONTENT));

    IngestResult again = ingest("content");
    assertEquals(1, again.generation().number());
    assertFalse(again.deduplicated());
    assertArrayEquals(utf8("content"), readLogical(CONTENT));
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @ParameterizedTest
  @ValueSource(strings = {".stasis/meta", "checksums", "snapshots"})
  void gcCollectsWhatAFailedCommitLeft(String area) throws IOException {
    faults.failNext(FaultyBackend.Op.COMMIT, key -> key.startsWith(new Key(area)));
    assertThrows(FaultyBackend.Fault.class, () -> ingest("content"));
    store.gc(Scope.all(), 1, false, a -> {});
    assertStoreHoldsNoSnapshots();
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void aWriteThatFailsMidIngestReachesTheCallerStoresNothingAndTheNextIngestSucceeds(Compression compression)
      throws IOException {
    byte[] data = new byte[8 * Ingest.CHUNK];
    new Random(5).nextBytes(data);
    faults.failAfter(FaultyBackend.Op.WRITE, 2);  // random bytes: every compression writes several times
    // the backend's own exception, not a wrapper: the caller learns what the disk said
    assertThrows(FaultyBackend.Fault.class, () -> ingest(COMP, data, compression));
    assertEquals(1, faults.injected());
    assertEquals(List.of(), store.generations(Scope.all()));
    assertStoreHoldsNoSnapshots();

    IngestResult again = ingest(COMP, data, compression);
    assertEquals(1, again.generation().number());
    assertFalse(again.deduplicated());
    assertArrayEquals(data, readLogical(again.snapshot()));
  }

  @Test
  void aSnapshotWhoseLinkFailedIsLinkedByTheNextIngestWithoutWritingItAgain() throws IOException {
    faults.failNext(FaultyBackend.Op.LINK, 1);
    assertThrows(FaultyBackend.Fault.class, () -> ingest("content"));
    assertEquals(1, faults.injected());
    assertEquals(Verdict.Kind.OK, store.verify(CONTENT).kind(), "published before the link failed");
    assertEquals(List.of(), store.generations(Scope.all()));

    IngestResult again = ingest("content");
    assertTrue(again.deduplicated());
    assertTrue(again.newGeneration());
    assertEquals(1, again.generation().number());
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void aSnapshotWhoseLinkFailedIsCollectedByGc() throws IOException {
    IngestResult first = ingest("first");
    faults.failNext(FaultyBackend.Op.LINK, 1);
    assertThrows(FaultyBackend.Fault.class, () -> ingest("content"));

    GcPlan plan = store.gc(Scope.all(), 1, false, a -> {});

    assertEquals(List.of(new GcPlan.Action(GcPlan.Kind.SNAPSHOT, CONTENT.toString(), "no kept generation points at it")),
        plan.actions());
    assertFalse(store.exists(CONTENT));
    assertEquals(List.of(first.generation()), store.generations(Scope.all()));
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void bytesDamagedOnTheirWayFromTheBackendFailTheReadAsAnIntegrityError(Compression compression)
      throws IOException {
    byte[] data = new byte[100_000];
    new Random(3).nextBytes(data);
    SnapshotRef ref = ingest(COMP, data, compression).snapshot();
    faults.corruptNext(key -> key.startsWith(StoreLayout.snapshotDir(ref)));
    assertThrows(IntegrityException.class, () -> readLogical(ref));
    assertEquals(1, faults.injected());
    assertArrayEquals(data, readLogical(ref), "what is stored is intact");
  }

  /**
   * gc deletes the links first, durably, then the snapshots: a delete that fails anywhere leaves
   * no generation pointing at a snapshot it took anything of, and the next gc finishes the job.
   */
  @ParameterizedTest
  @ValueSource(strings = {"generations", "snapshots", "checksums", ".stasis/meta"})
  void aDeleteThatFailsDuringGcLeavesNoDanglingGenerationAndTheNextGcFinishes(String area) throws IOException {
    for (int i = 1; i <= 3; i++) {
      ingest("s" + i);
    }
    faults.failNext(FaultyBackend.Op.DELETE, key -> key.startsWith(new Key(area)));
    assertThrows(FaultyBackend.Fault.class, () -> store.gc(Scope.all(), 1, false, a -> {}));
    assertEquals(1, faults.injected());
    CheckReport report = store.check(store.generations(Scope.all()), Scope.all(), true);
    assertTrue(report.clean(), report.problems().toString());

    store.gc(Scope.all(), 1, false, a -> {});

    assertEquals(List.of("3 " + sha256(utf8("s3"))), paths(store.generations(Scope.all())));
    for (Key each : List.of(StoreLayout.SNAPSHOTS, StoreLayout.CHECKSUMS, StoreLayout.META)) {
      assertEquals(1, listed(each).size(), "left in " + each + ": " + listed(each));
    }
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  /** A listing gc cannot make is not an empty one: taken for empty, it would delete every snapshot. */
  @ParameterizedTest
  @ValueSource(strings = {"generations", "snapshots", "checksums", ".stasis/meta"})
  void gcThatCannotListDeletesNothing(String area) throws IOException {
    ingest("one");
    ingest("two");
    faults.failNext(FaultyBackend.Op.LIST, key -> key.startsWith(new Key(area)));
    assertThrows(FaultyBackend.Fault.class, () -> store.gc(Scope.all(), 1, false, a -> {}));
    assertEquals(1, faults.injected());
    assertEquals(2, store.generations(Scope.all()).size());
    assertEquals(2, listed(StoreLayout.SNAPSHOTS).size());
    assertEquals(2, listed(StoreLayout.CHECKSUMS).size());
  }

  @Test
  void checkReportsASnapshotItCannotReadAndKeepsGoing() throws IOException {
    IngestResult unreadable = ingest(new ComponentRef("c", "a"), utf8("a"), Compression.ZSTD);
    ingest(new ComponentRef("c", "b"), utf8("b"), Compression.ZSTD);
    faults.failNext(FaultyBackend.Op.OPEN, key -> key.startsWith(StoreLayout.snapshotDir(unreadable.snapshot())));

    CheckReport report = store.check(store.generations(Scope.all()), Scope.all(), true);

    assertEquals(1, faults.injected());
    assertEquals(2, report.snapshotsChecked());
    assertEquals(List.of(CheckReport.Kind.UNREADABLE + " " + unreadable.snapshot()),
        report.problems().stream().map(p -> p.kind() + " " + p.subject()).toList());
  }

  // ---- chunked snapshots

  /** A stream of about {@code mib} MiB that cuts into several chunks: random bytes, which zstd keeps as they are. */
  protected static byte[] chunkable(int mib, long seed) {
    byte[] data = new byte[mib << 20];
    new Random(seed).nextBytes(data);
    return data;
  }

  protected List<ObjectInfo> chunks() throws IOException {
    return listed(StoreLayout.CHUNKS);
  }

  private static byte[] insertAt(byte[] data, int at, byte[] inserted) {
    byte[] out = new byte[data.length + inserted.length];
    System.arraycopy(data, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(data, at, out, at + inserted.length, data.length - at);
    return out;
  }

  @Test
  void aChunkedSnapshotHasThePlainFormsIdADysnomiaChecksumOfItsIndexAndReadsBack() throws IOException {
    byte[] data = chunkable(10, 21);
    IngestResult chunked = ingest(COMP, data, Compression.CHUNKED);
    IngestResult plain = ingest(new ComponentRef("pgc", "plain"), data, Compression.ZSTD);

    assertEquals(plain.snapshot().name(), chunked.snapshot().name());
    assertEquals(sha256(data), chunked.snapshot().name().value());
    Key index = fileOf(chunked.snapshot());
    assertEquals("dump.sql.cdc", index.name());
    byte[] indexBytes;
    try (InputStream in = backend.open(index)) {
      indexBytes = in.readAllBytes();
    }
    MessageDigest expected = DysnomiaChecksum.sha256();
    expected.update(utf8(".\n./dump.sql.cdc\n\n"));
    expected.update(indexBytes);
    assertEquals("sha256:" + HexFormat.of().formatHex(expected.digest()),
        store.checksum(chunked.snapshot()).orElseThrow());
    assertEquals(Verdict.Kind.OK, store.verify(chunked.snapshot()).kind());
    String[] lines = new String(indexBytes, StandardCharsets.US_ASCII).split("\n");
    assertEquals(Chunks.HEADER, lines[0]);
    assertTrue(lines.length - 1 >= 3, "chunks: " + (lines.length - 1));
    assertEquals(lines.length - 1, chunks().size());
    SnapshotMeta meta = store.meta(chunked.snapshot()).orElseThrow();
    assertEquals(Compression.CHUNKED, meta.compression());
    assertEquals(Integer.toString(lines.length - 1), meta.attributes().get("chunks"));
    assertEquals(Integer.toString(lines.length - 1), meta.attributes().get("new-chunks"));
    assertArrayEquals(data, readLogical(chunked.snapshot()));
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  @Test
  void aChangedGenerationStoresOnlyTheChunksAroundTheChange() throws IOException {
    byte[] first = chunkable(16, 22);
    IngestResult one = ingest(COMP, first, Compression.CHUNKED);
    int before = chunks().size();
    byte[] second = insertAt(first, 3000, utf8("a row inserted near the start"));

    IngestResult two = ingest(COMP, second, Compression.CHUNKED);

    assertTrue(two.newGeneration());
    SnapshotMeta meta = store.meta(two.snapshot()).orElseThrow();
    long fresh = Long.parseLong(meta.attributes().get("new-chunks"));
    assertTrue(fresh >= 1 && fresh <= 2, fresh + " new chunks of " + meta.attributes().get("chunks"));
    assertEquals(before + fresh, chunks().size());
    assertTrue(two.storedSize() < one.storedSize() / 2, two.storedSize() + " stored for the second, "
        + one.storedSize() + " for the first");
    assertArrayEquals(first, readLogical(one.snapshot()));
    assertArrayEquals(second, readLogical(two.snapshot()));

    int after = chunks().size();
    faults.failNext(FaultyBackend.Op.COMMIT, key -> key.startsWith(StoreLayout.CHUNKS));
    IngestResult again = ingest(COMP, second, Compression.CHUNKED);
    assertEquals(0, faults.injected(), "no chunk written");
    assertFalse(again.newGeneration());
    assertEquals(after, chunks().size());
  }

  @Test
  void aDamagedChunkIsRefusedByAReadAndCheckNamesEverySnapshotItBreaks() throws IOException {
    byte[] first = chunkable(10, 23);
    IngestResult one = ingest(COMP, first, Compression.CHUNKED);
    IngestResult two = ingest(COMP, insertAt(first, first.length - 10, utf8("at the end")), Compression.CHUNKED);
    Key shared = chunks().get(0).key();
    String firstLine;
    try (InputStream in = backend.open(fileOf(one.snapshot()))) {
      firstLine = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")[1].substring(0, 64);
    }
    shared = StoreLayout.chunk(firstLine);  // the stream's first chunk, which both snapshots list
    byte[] stored;
    try (InputStream in = backend.open(shared)) {
      stored = in.readAllBytes();
    }
    stored[stored.length / 2] ^= 1;
    overwrite(shared, stored);

    IntegrityException read = assertThrows(IntegrityException.class, () -> readLogical(two.snapshot()));
    assertTrue(read.getMessage().contains(firstLine), read.getMessage());
    CheckReport report = store.check(store.generations(Scope.all()), Scope.all(), true);
    assertEquals(Set.of(CheckReport.Kind.DAMAGED_CHUNK + " " + one.snapshot(),
            CheckReport.Kind.DAMAGED_CHUNK + " " + two.snapshot()),
        new HashSet<>(report.problems().stream().map(p -> p.kind() + " " + p.subject()).toList()));

    // a subset that leaves the chunk out finds it present, and nothing wrong
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true, h -> !h.equals(firstLine)).clean());
    backend.delete(shared);
    CheckReport missing = store.check(store.generations(Scope.all()), Scope.all(), true, h -> false);
    assertEquals(List.of(CheckReport.Kind.MISSING_CHUNK, CheckReport.Kind.MISSING_CHUNK),
        missing.problems().stream().map(CheckReport.Problem::kind).toList());
    IntegrityException gone = assertThrows(IntegrityException.class, () -> readLogical(one.snapshot()));
    assertTrue(gone.getMessage().contains("is missing"), gone.getMessage());
  }

  @Test
  void gcDeletesOnlyTheChunksNoKeptSnapshotLists() throws IOException {
    byte[] first = chunkable(10, 24);
    ingest(COMP, first, Compression.CHUNKED);
    Set<Key> firstChunks = new HashSet<>(chunks().stream().map(ObjectInfo::key).toList());
    byte[] second = first.clone();
    second[second.length - 5] ^= 1;  // the last chunk differs
    IngestResult two = ingest(COMP, second, Compression.CHUNKED);
    IngestResult other = ingest(new ComponentRef("other", "db"), chunkable(2, 25), Compression.CHUNKED);
    Set<Key> all = new HashSet<>(chunks().stream().map(ObjectInfo::key).toList());
    assertEquals(firstChunks.size() + 1 + 1, all.size());

    GcPlan plan = store.gc(Scope.of(COMP), 1, false, a -> {});

    List<GcPlan.Action> swept = plan.actions().stream().filter(a -> a.kind() == GcPlan.Kind.CHUNK).toList();
    assertEquals(1, swept.size(), plan.actions().toString());
    assertTrue(swept.get(0).dysnomiaLine().startsWith("Removing unreferenced chunk: "));
    assertEquals(all.size() - 1, chunks().size());
    assertArrayEquals(second, readLogical(two.snapshot()));
    assertEquals(2, readLogical(other.snapshot()).length >> 20);
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());

    store.gc(Scope.all(), 0, false, a -> {});
    assertEquals(List.of(), chunks());
  }

  @Test
  void gcDeletesNoChunkWhileAKeptIndexCannotBeRead() throws IOException {
    IngestResult kept = ingest(COMP, chunkable(4, 29), Compression.CHUNKED);
    ComponentRef dropped = new ComponentRef("pgc", "dropped");
    ingest(dropped, chunkable(3, 30), Compression.CHUNKED);
    int before = chunks().size();
    overwrite(fileOf(kept.snapshot()), utf8("not an index\n"));

    GcPlan plan = store.gc(Scope.of(dropped), 0, false, a -> {});

    assertTrue(plan.chunksKept().orElseThrow().contains(kept.snapshot().toString()), plan.chunksKept().toString());
    assertEquals(List.of(), plan.actions().stream().filter(a -> a.kind() == GcPlan.Kind.CHUNK).toList());
    assertEquals(before, chunks().size());
    assertEquals(List.of(), store.generations(Scope.of(dropped)));
  }

  @Test
  void gcDeletesNoChunkWhileAKeptIndexDoesNotMatchItsChecksum() throws IOException {
    IngestResult kept = ingest(COMP, chunkable(4, 31), Compression.CHUNKED);
    byte[] index;
    try (InputStream in = backend.open(fileOf(kept.snapshot()))) {
      index = in.readAllBytes();
    }
    String text = new String(index, StandardCharsets.US_ASCII);
    int digit = text.indexOf('\n') + 1;  // the first chunk's name: still an index, naming another chunk
    index[digit] = (byte) (index[digit] == '0' ? '1' : '0');
    overwrite(fileOf(kept.snapshot()), index);
    int before = chunks().size();

    GcPlan plan = store.gc(Scope.all(), 1, false, a -> {});

    assertTrue(plan.chunksKept().orElseThrow().contains("checksum record"), plan.chunksKept().toString());
    assertEquals(before, chunks().size());
  }

  @Test
  void aChunkedIngestClosedWithoutCommitPublishesNothingAndGcSweepsItsChunks() throws IOException {
    byte[] data = chunkable(8, 26);
    try (Ingest ingest = store.ingest(COMP, "dump.sql", Compression.CHUNKED, "test", Map.of())) {
      ingest.output().write(data);
    }
    assertStoreHoldsNoSnapshots();
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
    store.gc(Scope.all(), 1, false, a -> {});
    assertEquals(List.of(), chunks());
  }

  @Test
  void gcWaitsForAChunkedIngestUnderWay() throws Exception {
    IngestResult kept = ingest(COMP, chunkable(4, 27), Compression.CHUNKED);
    Store impatient = Store.open(faults, locksFor(backend), Duration.ZERO);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (Ingest ingest = store.ingest(new ComponentRef("pgc", "second"), "dump.sql", Compression.CHUNKED, "test",
        Map.of())) {
      ingest.output().write(chunkable(2, 28));
      Future<GcPlan> gc = other.submit(() -> impatient.gc(Scope.all(), 0, false, a -> {}));
      java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class, gc::get);
      assertTrue(e.getCause() instanceof LockedException, e.getCause().toString());
      ingest.commit();
    } finally {
      other.shutdown();
    }
    assertArrayEquals(chunkable(4, 27), readLogical(kept.snapshot()));
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
  }

  protected static byte[] compress(Compression c, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = c.compress(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }
}
