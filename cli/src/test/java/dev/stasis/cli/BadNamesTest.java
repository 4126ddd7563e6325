package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Names that would break the layout are refused with exit 2 before anything is written: control
 * characters (a newline breaks Dysnomia's find-based checksums and every line-oriented listing)
 * and names longer than a filesystem takes.
 */
class BadNamesTest {
  @TempDir
  Path tmp;
  Path store;

  @BeforeEach
  void setUp() throws IOException {
    store = tmp.resolve("state");
    // an existing store with one snapshot, so "nothing written" is a comparison, not an absence
    assertEquals(0, CliRun.stasisWithInput(store, bytes("first"), "snapshot", "--stdin", "-C", "c", "-c", "x").code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"x\ny", "x\r", "\tx", "x\u0001y", "x\u007f", "x\u001b[31m"})
  void aComponentOrContainerNameWithAControlCharacterIsAUsageError(String name) throws IOException {
    List<String> before = Launchers.committed(store);
    for (String[] names : new String[][] {{"-C", "c", "-c", name}, {"-C", name, "-c", "x"}}) {
      CliRun r = CliRun.stasisWithInput(store, bytes("second"), "snapshot", "--stdin", names[0], names[1],
          names[2], names[3]);
      assertEquals(2, r.code(), r.toString());
      assertTrue(r.stderr().contains("must not contain control characters"), r.stderr());
      assertEquals("", r.out());
      assertEquals(before, Launchers.committed(store));
    }
    CliRun imported = CliRun.stasis(store, "import", "-C", "c", "-c", name, tmp.toString());
    assertEquals(2, imported.code(), imported.toString());
  }

  @Test
  void aDirectoryWhoseNameHasANewlineIsAUsageError() throws IOException {
    Path dir = Trees.sample(tmp.resolve("www\nroot"));
    List<String> before = Launchers.committed(store);
    CliRun r = CliRun.stasis(store, "snapshot", dir.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.stderr().contains("component name must not contain control characters: 'www\\x0aroot'"), r.stderr());
    assertEquals(before, Launchers.committed(store));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dump\n", "du\rmp.sql"})
  void aFileNameWithAControlCharacterIsAUsageError(String name) throws IOException {
    List<String> before = Launchers.committed(store);
    CliRun r = CliRun.stasisWithInput(store, bytes("second"), "snapshot", "--stdin", "-C", "c", "-c", "x",
        "--name", name);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.stderr().contains("file name must not contain control characters"), r.stderr());
    assertEquals(before, Launchers.committed(store));
  }

  @Test
  void aFileNameTooLongForTheFilesystemFailsBeforeAnythingIsWritten() throws IOException {
    List<String> before = Launchers.committed(store);
    List<String> metaBefore = Trees.files(store.resolve(".stasis/meta"));
    for (String name : new String[] {"d".repeat(300), "d".repeat(252)}) {  // 252 + ".zst" is 256
      CliRun r = CliRun.stasisWithInput(store, bytes("second"), "snapshot", "--stdin", "-C", "c", "-c", "x",
          "--name", name);
      assertEquals(2, r.code(), r.toString());
      assertTrue(r.stderr().contains("file name is too long: " + name.length() + " bytes, at most 251"), r.stderr());
      assertFalse(r.stderr().contains(store.toString()), "a raw path: " + r.stderr());
      assertEquals(before, Launchers.committed(store));
      assertEquals(metaBefore, Trees.files(store.resolve(".stasis/meta")));
    }
    CliRun longest = CliRun.stasisWithInput(store, bytes("second"), "snapshot", "--stdin", "-C", "c", "-c", "x",
        "--name", "d".repeat(251));
    assertEquals(0, longest.code(), longest.toString());
    assertEquals(0, CliRun.stasis(store, "check").code());
  }

  @Test
  void aComponentNameTooLongForTheFilesystemIsAUsageError() throws IOException {
    List<String> before = Launchers.committed(store);
    CliRun r = CliRun.stasisWithInput(store, bytes("second"), "snapshot", "--stdin", "-C", "c", "-c", "é".repeat(128));
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.stderr().contains("component name is too long: 256 bytes, at most 255"), r.stderr());
    assertEquals(before, Launchers.committed(store));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
