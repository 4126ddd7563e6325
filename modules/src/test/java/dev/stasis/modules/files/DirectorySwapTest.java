package dev.stasis.modules.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stasis.modules.Trees;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.LockedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySwapTest {
  @TempDir
  Path tmp;
  Path parent;
  Path target;
  DirectorySwap swap;

  @BeforeEach
  void setUp() throws IOException {
    parent = Files.createDirectory(tmp.resolve("srv"));
    target = Trees.sample(parent.resolve("www"));
    swap = new DirectorySwap(tmp.resolve("store/.stasis/restore"));
  }

  @Test
  void replacesAnExistingDirectory() throws IOException {
    swap.replace(target, into -> Trees.file(into, "new/file", "new\n"));
    assertEquals(List.of("new/file"), Trees.files(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void createsAMissingDirectory() throws IOException {
    Path fresh = parent.resolve("fresh");
    swap.replace(fresh, into -> Trees.file(into, "f", "f\n"));
    assertEquals("f\n", Files.readString(fresh.resolve("f")));
    assertEquals(List.of("fresh", "www"), siblings());
  }

  @Test
  void aBuilderThatFailsLeavesTheTargetUntouched() throws IOException {
    SortedMap<String, String> before = Trees.describe(target);
    IOException io = new IOException("disk full");
    assertSame(io, assertThrows(IOException.class, () -> swap.replace(target, into -> {
      Trees.file(into, "index.html", "half written");
      Trees.file(into, "more/file", "x");
      throw io;
    })));
    assertEquals(before, Trees.describe(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void aBuilderThatFindsDamageLeavesTheTargetUntouched() throws IOException {
    SortedMap<String, String> before = Trees.describe(target);
    assertThrows(IntegrityException.class, () -> swap.replace(target, into -> {
      Trees.file(into, "index.html", "damaged");
      throw new IntegrityException("checksum mismatch");
    }));
    assertEquals(before, Trees.describe(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void oneSwapOfADirectoryAtATime() throws IOException {
    SortedMap<String, String> before = Trees.describe(target);
    assertThrows(LockedException.class, () -> swap.replace(target,
        into -> swap.replace(target, inner -> Trees.file(inner, "x", "x"))));
    assertEquals(before, Trees.describe(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void recoverPutsTheOldTreeBackWhenTheSwapStoppedBetweenTheRenames() throws IOException {
    SortedMap<String, String> before = Trees.describe(target);
    Files.move(target, DirectorySwap.sibling(target, "old"));
    Trees.file(DirectorySwap.sibling(target, "new"), "index.html", "new");

    swap.recover(target);

    assertEquals(before, Trees.describe(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void recoverDeletesALeftoverOldTree() throws IOException {
    // a crash after the second rename: the new tree is in place, the old one not yet deleted
    Path old = DirectorySwap.sibling(target, "old");
    Trees.sample(old);
    Trees.file(old, "only-old", "old");
    SortedMap<String, String> before = Trees.describe(target);

    swap.recover(target);

    assertEquals(before, Trees.describe(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void recoverDeletesALeftoverNewTree() throws IOException {
    Trees.file(DirectorySwap.sibling(target, "new"), "partial", "x");
    SortedMap<String, String> before = Trees.describe(target);
    swap.recover(target);
    assertEquals(before, Trees.describe(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void recoverWithNothingLeftOverChangesNothing() throws IOException {
    SortedMap<String, String> before = Trees.describe(parent);
    swap.recover(target);
    swap.recover(parent.resolve("never-existed"));
    assertEquals(before, Trees.describe(parent));
  }

  @Test
  void replaceRepairsAnInterruptedSwapFirst() throws IOException {
    Files.move(target, DirectorySwap.sibling(target, "old"));
    swap.replace(target, into -> Trees.file(into, "next", "next"));
    assertEquals(List.of("next"), Trees.files(target));
    assertEquals(List.of("www"), siblings());
  }

  @Test
  void deleteTreeDoesNotFollowSymlinks() throws IOException {
    Path victim = Trees.sample(tmp.resolve("victim"));
    SortedMap<String, String> before = Trees.describe(victim);
    Path doomed = Files.createDirectory(tmp.resolve("doomed"));
    Files.createSymbolicLink(doomed.resolve("link"), victim);
    DurableFiles.deleteTree(doomed);
    assertFalse(Files.exists(doomed));
    assertEquals(before, Trees.describe(victim));
  }

  /** What the parent directory holds, hidden siblings included. */
  private List<String> siblings() throws IOException {
    try (Stream<Path> s = Files.list(parent)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
