package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.CheckReport;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Generation;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stasis reads, checks, gcs and writes checksums exactly as the real Dysnomia does. */
class DysnomiaFixtureTest {
  private static final ComponentRef PG = new ComponentRef("pgc", "testdb");
  private static final ComponentRef FILES = new ComponentRef("files", "webdata-comp");
  /** What the fixture's generations point at, by number (from dysnomia-0.10.2-store.txt). */
  private static final List<String> FILES_BY_GENERATION = List.of(
      "9eaadcfb816799aee50e887683f02bfc2356118a3e88201f2a0ef7ff9b31fb87",
      "ad906e6cc5a2f4ba3f9c40a6d0c88e5b7bd99140b80cb5a3714dbe831e626737",
      "a569f953eab28190c7b7ad0d4f36516001cce571875ea6ff37f385450350030e",
      "302b64a631cb3493e0ef3338018fa0eb2f051bdaafd718c4cb0857138efb976a",
      "2e620402e1db6b817e5b038f09a52203c22e668c15a27dd39e70b7b06213e2f1",
      "7e8386ee9c4db06be61a822e05b7f29cfd06451a230d00509c1e023c45aafb0e",
      "129a77c8368fe1a9cd7e8e75fcbe7b6304389c7c14bb9fc2aea373021830ba9a",
      "5b7f287d2a9dde7e7ca3eeef3523f2e3e7afc2acdbf008e6782fdae01f627150",
      "456ce150239503a89e298b52b899e4944f2ce87ab6f8389776af9c7946de4654",
      "fa722c1f7b3c0cfe13b4d1d535c2608bf5e3c283c9a4f9deeb04f63199939bea",
      "ad98dd398c83f153372c6c27c5e64ed91e3eb16b799f897b593d0f88e0aa731a");

  @TempDir
  Path tmp;
  Path state;
  Store store;

  @BeforeEach
  void unpack() throws IOException {
    state = DysnomiaFixture.unpack(tmp);
    store = Store.open(FsBackend.open(state), FsLocks.forRoot(state), Duration.ofSeconds(10));
  }

  @Test
  void listsGenerationsInNumericOrder() throws IOException {
    List<String> names = store.generations(Scope.of(FILES)).stream().map(g -> g.snapshot().value()).toList();
    assertEquals(FILES_BY_GENERATION, names);
    assertEquals(3, store.generations(Scope.of("pgc", null)).size());
    assertEquals(new Generation(PG, 3, new SnapshotName(
        "9111c1e686d0894e650edd0b93feba10f149ed07eb1fd601a3ecc1640f2bdba0")), store.latest(PG).orElseThrow());
  }

  @Test
  void everyChecksumTheRealToolWroteVerifies() throws IOException {
    CheckReport report = store.check(store.generations(Scope.all()), Scope.all(), true);
    assertEquals(List.of(), report.problems());
    assertEquals(14, report.snapshotsChecked());
  }

  @Test
  void importWritesByteIdenticalChecksums(@TempDir Path fresh) throws IOException {
    Store other = Store.open(FsBackend.open(fresh), FsLocks.forRoot(fresh), Duration.ofSeconds(10));
    int imported = 0;
    for (Generation g : store.generations(Scope.all())) {
      SnapshotRef ref = g.snapshotRef();
      Path dir = state.resolve("snapshots").resolve(ref.toString());
      Path file;
      try (var files = Files.list(dir)) {
        file = files.findFirst().orElseThrow();
      }
      other.importSnapshot(ref, file.getFileName().toString(), () -> Files.newInputStream(file), dir.toString());
      byte[] theirs = Files.readAllBytes(state.resolve("checksums").resolve(ref.toString()));
      byte[] ours = Files.readAllBytes(fresh.resolve("checksums").resolve(ref.toString()));
      assertArrayEquals(theirs, ours, ref.toString());
      imported++;
    }
    assertEquals(14, imported);
    assertEquals(store.generations(Scope.all()).stream().map(Generation::snapshotRef).toList(),
        other.generations(Scope.all()).stream().map(Generation::snapshotRef).toList());
  }

  @Test
  void readsADysnomiaDumpVerified() throws IOException {
    SnapshotRef ref = store.latest(PG).orElseThrow().snapshotRef();
    try (SnapshotReader reader = store.read(ref)) {
      String dump = new String(reader.logical().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(dump.startsWith("--\n-- PostgreSQL database dump\n"), dump.substring(0, 40));
      assertTrue(reader.verified());
    }
  }

  @Test
  void gcKeepsTheNewestTwoOfEachComponent() throws IOException {
    List<String> removed = new ArrayList<>();
    store.gc(Scope.all(), 2, false, a -> removed.add(a.kind() + " " + a.path()));
    List<Long> left = store.generations(Scope.all()).stream().map(Generation::number).toList();
    assertEquals(List.of(10L, 11L, 2L, 3L), left);
    assertEquals(9 + 1, removed.stream().filter(r -> r.startsWith("GENERATION")).count());
    assertFalse(Files.exists(state.resolve("snapshots/files/webdata-comp/" + FILES_BY_GENERATION.get(0))));
    assertFalse(Files.exists(state.resolve("checksums/files/webdata-comp/" + FILES_BY_GENERATION.get(0))));
    assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
    try (var left2 = Files.list(state.resolve("snapshots/files/webdata-comp"))) {
      assertEquals(2, left2.count());
    }
  }
}
