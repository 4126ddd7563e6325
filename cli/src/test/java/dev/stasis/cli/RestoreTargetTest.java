package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore swaps its target away: onto the store itself, a directory holding it or one inside
 * it, that would swap the store away; onto a regular file, it would replace the file. Both are
 * refused with exit 2 before anything changes, on {@code stasis restore DIR} and through a
 * {@code directory} container whose state lands there.
 */
class RestoreTargetTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path store;
  SortedMap<String, String> before;

  @BeforeEach
  void aStoreWithASnapshotOfWww() throws IOException {
    host = new DysnomiaHost(tmp);
    store = host.store;
    Path www = Trees.sample(tmp.resolve("www"));
    assertEquals(0, CliRun.stasis(store, "snapshot", www.toString()).code());
    // the same state under the names a container at the store would restore
    assertEquals(0, CliRun.stasis(store, "snapshot", www.toString(), "-C", "atstore", "-c", "state").code());
    assertEquals(0, CliRun.stasis(store, "snapshot", www.toString(), "-C", "instore", "-c", "www").code());
    before = storeTree();
  }

  @Test
  void restoreOntoTheStoreAroundItOrInsideItIsRefused() throws IOException {
    Files.createSymbolicLink(tmp.resolve("alias"), store);
    for (Path target : new Path[] {store, tmp, store.resolve("snapshots"), store.resolve("snapshots/directory/www"),
        tmp.resolve("alias"), store.resolve("generations/new")}) {
      CliRun r = CliRun.stasis(store, "restore", "-c", "www", target.toString());
      assertEquals(2, r.code(), target + ": " + r);
      assertTrue(r.stderr().contains("the store"), r.stderr());
      assertFalse(r.stderr().contains("restored"), r.stderr());
      assertEquals(before, storeTree(), target.toString());
    }
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void restoreOntoARegularFileIsRefused() throws IOException {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "keep me");
    CliRun r = CliRun.stasis(store, "restore", "-c", "www", file.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.stderr().contains(file + " is not a directory"), r.stderr());
    assertEquals("keep me", Files.readString(file));
    assertEquals(1, DysnomiaHost.names(tmp).stream().filter(n -> n.contains("notes")).count(), "nothing beside it");
  }

  @Test
  void aDirectoryContainerWhoseStateIsTheStoreOrInsideItIsRefused() throws IOException {
    host.container("atstore", "type=directory", "directoryRoot=" + tmp);  // state: <tmp>/state, the store
    host.container("instore", "type=directory", "directoryRoot=" + store);  // state: <store>/www
    host.component("atstore", "state");
    host.component("instore", "www");
    for (String container : new String[] {"atstore", "instore"}) {
      String component = container.equals("atstore") ? "state" : "www";
      for (String operation : new String[] {"restore", "activate"}) {
        CliRun r = host.dysnomia("-o", operation, "-C", container, "-c", component);
        assertEquals(2, r.code(), container + " " + operation + ": " + r);
        assertTrue(r.stderr().contains("the store"), r.stderr());
        assertEquals(before, storeTree(), container + " " + operation);
      }
    }
    // collect-garbage deletes the state: never the store, even when marked garbage before
    assertEquals(2, host.dysnomia("-o", "deactivate", "-C", "atstore", "-c", "state").code());
    DysnomiaHost.write(host.marker("garbage", "atstore", "state"));
    CliRun gc = host.dysnomia("-o", "collect-garbage", "-C", "atstore", "-c", "state");
    assertEquals(2, gc.code(), gc.toString());
    assertTrue(Files.isDirectory(store.resolve("snapshots")));
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  /** The store's snapshots, checksums and generations. */
  private SortedMap<String, String> storeTree() throws IOException {
    SortedMap<String, String> tree = Trees.describe(store);
    tree.keySet().removeIf(k -> k.startsWith(".stasis/") || k.startsWith("activated/") || k.startsWith("garbage/"));
    return tree;
  }
}
