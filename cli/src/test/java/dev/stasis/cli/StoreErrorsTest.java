package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors that used to say nothing: a store path that is a file, a store that does not exist (a
 * typo in --store), an empty path argument, a container file that is not text. Each gets a
 * message a person can act on and its own exit code, and no Java exception text.
 */
class StoreErrorsTest {
  private static final byte[] DUMP = "a dump".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path tmp;

  @Test
  void aStorePathThatIsAFileIsAUsageError() throws IOException {
    Path file = Files.writeString(tmp.resolve("state"), "not a store");
    for (String[] args : List.of(new String[] {"check"}, new String[] {"list"}, new String[] {"gc"},
        new String[] {"dump", "c/x/n"}, new String[] {"snapshot", "--stdin", "-C", "c", "-c", "x"},
        new String[] {"import", "-C", "c", "-c", "x", tmp.toString()})) {
      CliRun r = CliRun.stasisWithInput(file, DUMP, args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r);
      assertEquals("stasis: the store " + file + " is not a directory (see --store and $DYSNOMIA_STATEDIR)\n",
          r.stderr());
    }
    CliRun query = CliRun.dysnomiaSnapshots(file, "--query-all");
    assertEquals(2, query.code(), query.toString());
    assertTrue(query.stderr().startsWith("dysnomia-snapshots: the store " + file + " is not a directory"),
        query.stderr());
    assertEquals("not a store", Files.readString(file));
  }

  @Test
  void aStoreThatDoesNotExistIsNotFoundAndOnlyCommandsThatWriteCreateIt() throws IOException {
    Path typo = tmp.resolve("stat");
    Path elsewhere = Files.createDirectories(tmp.resolve("www"));
    for (String[] args : List.of(new String[] {"check"}, new String[] {"list"}, new String[] {"gc"},
        new String[] {"gc", "--keep", "0"}, new String[] {"gc", "--dry-run"}, new String[] {"dump", "c/x/n"},
        new String[] {"restore", "-c", "x", elsewhere.toString()})) {
      CliRun r = CliRun.stasis(typo, args);
      assertEquals(4, r.code(), String.join(" ", args) + ": " + r);
      assertTrue(r.stderr().startsWith("stasis: no store at " + typo + ": it does not exist"), r.stderr());
      assertFalse(Files.exists(typo), String.join(" ", args) + " created the store");
    }
    // dysnomia-snapshots answers as Dysnomia's tool for a store not made yet (Disnix asks a fresh
    // target which snapshots it is missing), but creates nothing either
    for (String[] args : List.of(new String[] {"--query-all"}, new String[] {"--query-latest", "--check"},
        new String[] {"--gc"}, new String[] {"--gc", "--keep", "0"})) {
      CliRun r = CliRun.dysnomiaSnapshots(typo, args);
      assertEquals(0, r.code(), String.join(" ", args) + ": " + r);
      assertEquals("", r.out());
      assertFalse(Files.exists(typo), String.join(" ", args) + " created the store");
    }
    CliRun missing = CliRun.dysnomiaSnapshots(typo, "--print-missing", "c/x/n", "c/y/m");
    assertEquals(List.of("c/x/n", "c/y/m"), missing.lines());
    assertEquals(4, CliRun.dysnomiaSnapshots(typo, "--resolve", "c/x/n").code());
    assertFalse(Files.exists(typo));
    CliRun explicit = CliRun.stasis(tmp.resolve("other"), "--store", typo.toString(), "check");
    assertEquals(4, explicit.code(), explicit.toString());

    CliRun snapshot = CliRun.stasisWithInput(typo, DUMP, "snapshot", "--stdin", "-C", "c", "-c", "x");
    assertEquals(0, snapshot.code(), snapshot.toString());
    assertEquals(0, CliRun.stasis(typo, "check").code());
  }

  @Test
  void anEmptyPathArgumentIsAUsageErrorSayingSo() {
    for (String op : new String[] {"--resolve", "--print-missing"}) {
      CliRun r = CliRun.dysnomiaSnapshots(tmp.resolve("state"), op, "");
      assertEquals(2, r.code(), r.toString());
      assertEquals("dysnomia-snapshots: not a snapshot path (container/component/name): ''\n", r.stderr());
    }
    CliRun after = CliRun.dysnomiaSnapshots(tmp.resolve("state"), "--resolve", "c/x/n", "");
    assertEquals(2, after.code(), after.toString());
    assertFalse(after.stderr().contains("Exception"), after.stderr());
  }

  @Test
  void aContainerFileOfBinaryJunkIsAUsageErrorSayingItIsNotText() throws IOException {
    byte[] junk = new byte[256];
    new Random(7).nextBytes(junk);
    junk[0] = (byte) 0xff;  // never UTF-8
    Path file = Files.write(tmp.resolve("junk"), junk);
    Files.createDirectories(tmp.resolve("component"));
    CliRun r = CliRun.dysnomia(tmp.resolve("state"), java.util.Map.of(), "-o", "snapshot", "-C", file.toString(),
        "-c", tmp.resolve("component").toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals("dysnomia: " + file + " is not a text file (not UTF-8); a container file holds key=value lines\n",
        r.stderr());
  }
}
