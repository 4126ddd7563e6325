package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.GcPlan;
import dev.stasis.store.Generation;
import dev.stasis.store.Ingest;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gc large enough that its deletions and prunes run in parallel, on a real disk. */
class GcOnDiskTest {
  @TempDir
  Path root;

  @Test
  void aGcOfHundredsOfSnapshotsLeavesExactlyTheKeptOnesAndNoEmptyDirectory() throws IOException {
    List<ComponentRef> components = List.of(new ComponentRef("pg", "a"), new ComponentRef("pg", "b"),
        new ComponentRef("my", "c"));
    try (Store store = Store.open(FsBackend.open(root), FsLocks.forRoot(root), Duration.ofSeconds(30))) {
      for (ComponentRef c : components) {
        for (int g = 1; g <= 120; g++) {
          try (Ingest ingest = store.ingest(c, "dump.sql", Compression.NONE, "test", Map.of())) {
            ingest.transferFrom(new ByteArrayInputStream((c + " generation " + g).getBytes(StandardCharsets.UTF_8)));
            ingest.commit();
          }
        }
      }
      // one component keeps nothing: its directories must go too
      GcPlan some = store.gc(Scope.all(), 2, false, a -> { });
      GcPlan none = store.gc(Scope.of(components.get(2)), 0, false, a -> { });

      assertEquals(3 * 118 * 2, some.actions().size(), "a link and a snapshot per dropped generation");
      assertEquals(2 * 2, none.actions().size());
      List<String> left = new ArrayList<>();
      for (Generation g : store.generations(Scope.all())) {
        left.add(g.component() + "/" + g.number());
      }
      assertEquals(List.of("pg/a/119", "pg/a/120", "pg/b/119", "pg/b/120"), left);
      assertTrue(store.check(store.generations(Scope.all()), Scope.all(), true).clean());
    }
    assertEquals(4, count(root.resolve("snapshots"), Files::isRegularFile));
    assertEquals(4, count(root.resolve("checksums"), Files::isRegularFile));
    assertEquals(0, count(root.resolve("snapshots"), d -> Files.isDirectory(d) && isEmpty(d)), "no empty directory");
    assertEquals(List.of("pg"), names(root.resolve("snapshots")));
    assertEquals(List.of("pg"), names(root.resolve("generations")));
    assertEquals(List.of("pg"), names(root.resolve("checksums")));
  }

  private static long count(Path dir, java.util.function.Predicate<Path> what) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(what).count();
    }
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.findAny().isEmpty();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
