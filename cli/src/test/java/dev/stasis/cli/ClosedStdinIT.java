package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stasis snapshot --stdin} started with its stdin closed (fd 0 not open at all, as
 * {@code exec 0<&-} or a careless service manager leaves it): the JVM's first opened file would
 * land on fd 0, and was stored as the dump (the JDK's {@code lib/modules}, exit 0). The launcher
 * finds fd 0 closed and says so; nothing is stored.
 */
class ClosedStdinIT {
  @TempDir
  Path tmp;

  @Test
  void snapshotOfAClosedStdinIsAUsageErrorAndStoresNothing() throws Exception {
    Path store = tmp.resolve("store");
    Launchers bin = new Launchers(store);
    Result r = bin.run(List.of("/bin/sh", "-c", "exec 0<&- && exec \"$0\" snapshot --stdin -C c -c x",
        Launchers.launcher("stasis").get(0))).exits(2);
    assertEquals("", r.out());
    assertTrue(r.stderr().contains("stasis: --stdin: stdin is closed"), r.stderr());
    assertEquals(List.of(), Launchers.committed(store));

    // started without the launcher, the JVM itself finds one of its own files on fd 0
    Result direct = bin.run(List.of("/bin/sh", "-c",
        "exec 0<&- && exec \"$0\" -cp \"$1\" " + StasisCommand.class.getName() + " snapshot --stdin -C c -c x",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        Launchers.REPO.resolve("cli/target/stasis.jar").toString())).exits(2);
    assertTrue(direct.stderr().contains("stasis: --stdin: stdin is closed"), direct.stderr());
    assertEquals(List.of(), Launchers.committed(store));

    // with stdin open (here: empty), the same command reads it as ever
    Result empty = bin.stasis("snapshot", "--stdin", "-C", "c", "-c", "x").exits(1);
    assertTrue(empty.stderr().contains("empty"), empty.stderr());
  }
}
