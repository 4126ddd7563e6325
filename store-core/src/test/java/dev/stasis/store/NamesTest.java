package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "..", ".", ".hidden", "../etc", "nul\0byte", "/abs"})
  void unsafeNamesAreRefusedWithAClearMessage(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SnapshotName(name));
    assertTrue(e.getMessage().startsWith("snapshot name must not"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ComponentRef("c", name));
    assertThrows(IllegalArgumentException.class, () -> new ComponentRef(name, "c"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"testdb", "42", "a..b", "name with space", "9111c1e686d0894e650edd0b93feba10f149ed07eb1fd601a3ecc1640f2bdba0"})
  void ordinaryNamesPass(String name) {
    assertEquals(name, new SnapshotName(name).value());
  }

  /** A name is printed one per line for scripts: CR, LF, ESC or CSI in it would forge or hide lines. */
  @ParameterizedTest
  @ValueSource(strings = {"a\nb", "a\rb", "x\u001b[2Jy", "tab\tname", "del\u007f", "csi\u009bm"})
  void namesWithControlCharactersAreRefusedAndNeverPrintedRaw(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotName(name));
    assertTrue(e.getMessage().startsWith("snapshot name must not contain control characters"), e.getMessage());
    assertFalse(e.getMessage().matches("(?s).*[\\x00-\\x1f\\x7f-\\x9f].*"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ComponentRef("c", name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\nb", "a\r", "\ta", "a\u0001", "a\u001fb", "a\u007f"})
  void controlCharactersAreRefused(String name) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ComponentRef("c", name));
    assertTrue(e.getMessage().startsWith("component name must not contain control characters: '"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SnapshotName(name));
  }

  @Test
  void aNameFitsOnePathSegmentOfAFilesystem() {
    assertEquals(255, new SnapshotName("n".repeat(255)).value().length());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotName("n".repeat(256)));
    assertTrue(e.getMessage().startsWith("snapshot name is too long: 256 bytes, at most 255: 'nnnn"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SnapshotName("\u00e9".repeat(128)));  // 256 bytes
    assertEquals("d".repeat(251), Compression.requireLogicalName("d".repeat(251)));
    assertThrows(IllegalArgumentException.class, () -> Compression.requireLogicalName("d".repeat(252)));
  }

  @Test
  void controlCharactersAreEscapedInMessages() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnapshotName("a/\n"));
    assertTrue(e.getMessage().endsWith("'a/\\x0a'"), e.getMessage());
  }

  @Test
  void snapshotIdsAreLowercaseSha256Hex() {
    String hex = "9111c1e686d0894e650edd0b93feba10f149ed07eb1fd601a3ecc1640f2bdba0";
    assertEquals("9111c1e686d0", new SnapshotId(hex).shortHex());
    assertTrue(new SnapshotName(hex).isSha256());
    assertFalse(new SnapshotName("42").isSha256());
    assertThrows(IllegalArgumentException.class, () -> new SnapshotId(hex.toUpperCase()));
    assertThrows(IllegalArgumentException.class, () -> new SnapshotId(hex.substring(1)));
  }

  @Test
  void snapshotPathsParseAsQueryAllPrintsThem() {
    SnapshotRef ref = SnapshotRef.parse("pgc/testdb/abc");
    assertEquals(new ComponentRef("pgc", "testdb"), ref.component());
    assertEquals("pgc/testdb/abc", ref.toString());
    for (String bad : new String[] {"pgc/testdb", "a/b/c/d", "pgc/../x", "/pgc/testdb/x", "pgc/testdb/"}) {
      assertThrows(IllegalArgumentException.class, () -> SnapshotRef.parse(bad), bad);
    }
  }

  @Test
  void generationNumbersStartAtOne() {
    ComponentRef c = new ComponentRef("c", "x");
    assertThrows(IllegalArgumentException.class, () -> new Generation(c, 0, new SnapshotName("n")));
  }

  @Test
  void keysAreRelativePathsOfSafeSegments() {
    Key k = Key.of("snapshots", "c", "x", "n", "f");
    assertEquals("f", k.name());
    assertEquals(Key.of("snapshots", "c", "x", "n"), k.parent());
    assertEquals("c/x/n/f", k.relativeTo(Key.of("snapshots")));
    assertTrue(k.startsWith(Key.ROOT));
    assertFalse(Key.of("snapshotsx").startsWith(Key.of("snapshots")));
    assertEquals(Key.of(".stasis", "meta"), StoreLayout.META);
    for (String bad : new String[] {"a//b", "../a", "a/./b", "/a", "a/"}) {
      assertThrows(IllegalArgumentException.class, () -> new Key(bad), bad);
    }
  }
}
