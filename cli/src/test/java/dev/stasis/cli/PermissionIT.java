package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import dev.stasis.cli.Launchers.Running;
import dev.stasis.modules.process.ClientTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store the user may read but not write, as a user who really cannot write it: root passes
 * every permission check, so as root the commands run as {@code nobody} (through {@code runuser},
 * with the packaged jar; the launchers would try to build); otherwise the store is made
 * read-only. Writing commands say "permission denied" and which path; check still runs.
 */
class PermissionIT {
  @TempDir
  Path tmp;

  private Path store;
  private Launchers bin;

  @BeforeEach
  void aStoreOfAnotherUser() throws Exception {
    Files.setAttribute(tmp, "unix:mode", 0755);  // JUnit's 0700 would keep nobody out of it all
    store = tmp.resolve("store");
    bin = new Launchers(store);
    bin.stasis("snapshot", "--from-command", "printf one", "-C", "c", "-c", "x").ok();
    bin.stasis("snapshot", "--from-command", "printf two", "-C", "c", "-c", "x").ok();
    if (!ClientTool.isRoot()) {
      try (var paths = Files.walk(store)) {
        for (Path p : paths.toList()) {
          if (Files.isDirectory(p)) {
            Files.setAttribute(p, "unix:mode", 0555);
          }
        }
      }
    }
  }

  @Test
  void writingSaysPermissionDeniedAndWhereReadingStillWorks() throws Exception {
    List<String> before = Launchers.committed(store);
    Result snapshot = asOtherUser("three", "snapshot", "--stdin", "-C", "c", "-c", "x").exits(1);
    assertTrue(snapshot.stderr().startsWith("stasis: permission denied: " + store.resolve(".stasis/tmp")),
        snapshot.stderr());

    Result gc = asOtherUser("", "gc").exits(1);
    assertTrue(gc.stderr().startsWith("stasis: permission denied: " + store.resolve(".stasis/lock")), gc.stderr());
    assertFalse(gc.stderr().contains("Exception"), gc.stderr());
    assertEquals(before, Launchers.committed(store));

    asOtherUser("", "check").ok();
  }

  /** {@code stasis ARGS --store STORE} as a user who may not write the store, with {@code input} on stdin. */
  private Result asOtherUser(String input, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    if (ClientTool.isRoot()) {
      command.addAll(List.of("runuser", "-u", "nobody", "--"));
    }
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        Launchers.REPO.resolve("cli/target/stasis.jar").toString(), StasisCommand.class.getName(),
        "--store", store.toString()));
    command.addAll(List.of(args));
    try (Running running = bin.start(command)) {
      running.stdin().write(input.getBytes(StandardCharsets.UTF_8));
      running.stdin().close();
      return running.finish();
    }
  }
}
