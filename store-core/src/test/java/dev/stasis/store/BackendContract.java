package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of {@link Backend}, run against every implementation: subclasses provide a
 * fresh, empty backend.
 */
public abstract class BackendContract {
  private static final Key OBJECT = Key.of("snapshots", "c", "comp", "name", "dump.zst");

  protected Backend backend;

  /** A new, empty backend. */
  protected abstract Backend newBackend() throws IOException;

  @BeforeEach
  void openBackend() throws IOException {
    backend = newBackend();
  }

  @AfterEach
  void closeBackend() throws IOException {
    backend.close();
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected void put(Key key, byte[] content) throws IOException {
    try (ObjectWriter w = backend.create()) {
      w.output().write(content);
      w.commit(key);
    }
  }

  protected byte[] read(Key key) throws IOException {
    try (InputStream in = backend.open(key)) {
      return in.readAllBytes();
    }
  }

  protected List<Key> listed(Key prefix) throws IOException {
    List<Key> keys = new ArrayList<>();
    backend.list(prefix, o -> keys.add(o.key()));
    return keys;
  }

  @Test
  void committedObjectIsVisibleWithAllItsBytes() throws IOException {
    put(OBJECT, bytes("hello"));
    assertEquals(Optional.of(new ObjectInfo(OBJECT, 5)), backend.stat(OBJECT));
    assertArrayEquals(bytes("hello"), read(OBJECT));
    assertEquals(List.of(OBJECT), listed(Key.of("snapshots")));
  }

  @Test
  void uncommittedObjectIsInvisible() throws IOException {
    try (ObjectWriter w = backend.create()) {
      w.output().write(bytes("partial"));
      w.output().flush();
      assertEquals(List.of(), listed(Key.ROOT));
      assertEquals(Optional.empty(), backend.stat(OBJECT));
    }
  }

  @Test
  void closeWithoutCommitLeavesNothing() throws IOException {
    ObjectWriter w = backend.create();
    w.output().write(bytes("aborted"));
    w.close();
    w.close();  // idempotent
    assertEquals(List.of(), listed(Key.ROOT));
    assertThrows(IllegalStateException.class, () -> w.commit(OBJECT));
    assertEquals(Optional.empty(), backend.stat(OBJECT));
  }

  @Test
  void commitReplacesAnExistingObject() throws IOException {
    put(OBJECT, bytes("first"));
    put(OBJECT, bytes("second, longer"));
    assertArrayEquals(bytes("second, longer"), read(OBJECT));
    assertEquals(List.of(OBJECT), listed(Key.ROOT));
  }

  @Test
  void commitIsOnceOnly() throws IOException {
    ObjectWriter w = backend.create();
    w.output().write(bytes("x"));
    w.commit(OBJECT);
    assertThrows(IllegalStateException.class, () -> w.commit(Key.of("checksums", "c", "comp", "other")));
    w.close();
    assertArrayEquals(bytes("x"), read(OBJECT));
  }

  @Test
  void deleteOfMissingKeySucceedsAndDeleteTwiceToo() throws IOException {
    backend.delete(OBJECT);
    put(OBJECT, bytes("x"));
    backend.delete(OBJECT);
    backend.delete(OBJECT);
    assertEquals(Optional.empty(), backend.stat(OBJECT));
    assertEquals(List.of(), listed(Key.ROOT));
  }

  @Test
  void openOfMissingKeyIsNotFound() {
    assertThrows(NotFoundException.class, () -> backend.open(OBJECT).close());
  }

  @Test
  void listIsRecursiveAndLimitedToThePrefix() throws IOException {
    Key a = Key.of("snapshots", "c", "comp", "n1", "f");
    Key b = Key.of("snapshots", "c", "other", "n2", "f");
    Key c = Key.of("checksums", "c", "comp", "n1");
    put(a, bytes("a"));
    put(b, bytes("b"));
    put(c, bytes("c"));
    assertEquals(List.of(a), listed(Key.of("snapshots", "c", "comp")));
    assertEquals(2, listed(Key.of("snapshots")).size());
    assertEquals(List.of(), listed(Key.of("snapshots", "missing")));
    assertEquals(3, listed(Key.ROOT).size());
  }

  @Test
  void twoObjectsInOneNewDirectoryAreBothKept() throws IOException {
    Key first = Key.of("snapshots", "c", "comp", "n", "a");
    Key second = Key.of("snapshots", "c", "comp", "n", "b");
    try (ObjectWriter w1 = backend.create(); ObjectWriter w2 = backend.create()) {
      w1.output().write(bytes("1"));
      w2.output().write(bytes("2"));
      w1.commit(first);
      w2.commit(second);
    }
    assertArrayEquals(bytes("1"), read(first));
    assertArrayEquals(bytes("2"), read(second));
  }

  @Test
  void largeStreamRoundTrips() throws IOException {
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(data);
    put(OBJECT, data);
    assertArrayEquals(data, read(OBJECT));
    assertEquals(data.length, backend.stat(OBJECT).orElseThrow().size());
  }

  @Test
  void generationNumbersAreTakenOnce() throws IOException {
    ComponentRef comp = new ComponentRef("c", "comp");
    Generation one = new Generation(comp, 1, new SnapshotName("aaa"));
    assertTrue(backend.generations().create(one));
    assertFalse(backend.generations().create(new Generation(comp, 1, new SnapshotName("bbb"))));
    List<Generation> listed = new ArrayList<>();
    backend.generations().list(Scope.all(), listed::add);
    assertEquals(List.of(one), listed);
  }

  @Test
  void generationsAreListedByScopeAndDeleted() throws IOException {
    Generation a = new Generation(new ComponentRef("c1", "x"), 1, new SnapshotName("n1"));
    Generation b = new Generation(new ComponentRef("c1", "y"), 1, new SnapshotName("n2"));
    Generation c = new Generation(new ComponentRef("c2", "x"), 7, new SnapshotName("n3"));
    for (Generation g : List.of(a, b, c)) {
      assertTrue(backend.generations().create(g));
    }
    assertEquals(List.of(a, c), generations(Scope.of(null, "x")));
    assertEquals(List.of(a, b), generations(Scope.of("c1", null)));
    assertEquals(List.of(b), generations(Scope.of("c1", "y")));
    backend.generations().delete(a);
    backend.generations().delete(a);
    assertEquals(List.of(b, c), generations(Scope.all()));
  }

  private List<Generation> generations(Scope scope) throws IOException {
    List<Generation> list = new ArrayList<>();
    backend.generations().list(scope, list::add);
    list.sort(Generation.ORDER);
    return list;
  }

  @Test
  void locationsNameTheKey() {
    String a = backend.location(OBJECT);
    String b = backend.location(Key.of("checksums", "c", "comp", "name"));
    assertTrue(a.endsWith("snapshots/c/comp/name/dump.zst"), a);
    assertNotEquals(a, b);
  }
}
