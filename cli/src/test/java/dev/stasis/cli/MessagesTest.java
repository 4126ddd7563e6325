package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands say on stderr: a tool's own messages once (passed through as they come,
 * not quoted again in the error), and every message of a face under that face's name.
 */
class MessagesTest {
  @TempDir
  Path tmp;

  @Test
  void aFailingDumpersMessagesAppearOnce() {
    CliRun r = CliRun.stasis(tmp.resolve("state"), "snapshot", "-C", "c", "-c", "x", "--from-command",
        "printf 'oops from the %s\\n' dumper >&2; exit 3");
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, count(r.stderr(), "oops from the dumper"), r.stderr());
    assertTrue(r.stderr().contains("exited with status 3; nothing was stored"), r.stderr());
  }

  @Test
  void aFailingStreamingModulesMessagesAppearOnceUnderTheDysnomiaFace() throws IOException {
    DysnomiaHost host = new DysnomiaHost(tmp);
    Path modules = Files.createDirectories(tmp.resolve("modules"));
    DysnomiaHost.script(modules.resolve("broken"), "#!/bin/sh", "echo 'the module broke' >&2", "exit 4");
    host.env("STASIS_MODULES_PATH", modules.toString());
    host.container("b", "type=broken");
    host.component("b", "x");
    CliRun r = host.dysnomia("-o", "snapshot", "-C", "b", "-c", "x");
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, count(r.stderr(), "the module broke"), r.stderr());
    assertOnlyPrefix("dysnomia: ", r, "the module broke");
  }

  @Test
  void theDysnomiaFaceSpeaksAsDysnomia() throws IOException {
    DysnomiaHost host = new DysnomiaHost(tmp);
    host.directoryContainer("files");
    Trees.sample(host.component("files", "www"));
    List<CliRun> runs = new ArrayList<>();
    runs.add(host.dysnomia("-o", "restore", "-C", "files", "-c", "www"));  // nothing to restore yet
    runs.add(host.dysnomia("-o", "collect-garbage", "-C", "files", "-c", "www"));  // not garbage
    runs.add(host.dysnomia("-o", "activate", "-C", "files", "-c", "www", "--verbose"));
    runs.add(host.dysnomia("-o", "snapshot", "-C", "files", "-c", "www", "--verbose"));
    runs.add(host.dysnomia("-o", "restore", "-C", "files", "-c", "www", "--verbose"));
    runs.add(host.dysnomia("-o", "snapshot", "-C", "nope", "-c", "www"));
    for (CliRun r : runs) {
      assertFalse(r.stderr().isBlank() && r.code() != 0, r.toString());
      assertOnlyPrefix("dysnomia: ", r, null);
    }
    assertTrue(runs.get(4).stderr().contains("dysnomia: restored files/www/"), runs.get(4).toString());
  }

  /** Every line of stderr starts with {@code prefix}, but lines holding {@code foreign} (a tool's own). */
  private static void assertOnlyPrefix(String prefix, CliRun r, String foreign) {
    for (String line : r.stderr().lines().toList()) {
      if (foreign != null && line.contains(foreign)) {
        continue;
      }
      assertTrue(line.startsWith(prefix), "'" + line + "' in " + r);
    }
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
