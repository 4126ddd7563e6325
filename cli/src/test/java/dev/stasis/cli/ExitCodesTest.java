package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.fs.FsLocks;
import dev.stasis.modules.Trees;
import dev.stasis.store.LockMode;
import dev.stasis.store.StoreLocks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The exit code of every kind of failure, and every command's help listing them. */
class ExitCodesTest {
  private static final String NO_SUCH_ID = "0".repeat(64);

  @TempDir
  Path tmp;
  Path store;
  String www;

  @BeforeEach
  void setUp() throws IOException {
    store = tmp.resolve("state");
    www = Trees.sample(tmp.resolve("www")).toString();
  }

  @Test
  void usageErrorsExitTwo() {
    assertAll(
        exits(2, "snapshot", www, "--stdin", "-C", "c", "-c", "n"),
        exits(2, "snapshot", www, "--from-command", "echo x", "-C", "c", "-c", "n"),
        exits(2, "snapshot"),
        exits(2, "snapshot", "--stdin", "-C", "c"),
        exits(2, "snapshot", "--stdin", "-C", "c", "--component", ".hidden"),
        exits(2, "snapshot", www, "--component", ".hidden"),
        exits(2, "snapshot", www, "--compression", "gzip"),
        exits(2, "snapshot", www, "--lock-wait", "soon"),
        exits(2, "list", "-c", ".hidden"),
        exits(2, "gc", "--keep", "-1"),
        exits(2, "gc", "--lock-wait", "5 parsecs"),
        exits(2, "gc", "--frobnicate"),
        exits(2, "restore", www, "--generation", "1", "--snapshot", "a/b/c"),
        exits(2, "dump", "a/b/c/d"),
        exits(2, "dump", "../x/y"),
        exits(2, "import", "-C", "c", tmp.toString()),
        exits(2, "frobnicate"),
        exits(2));
    // nothing was stored by any of them
    assertEquals(List.of(), CliRun.stasis(store, "list").lines());
  }

  @Test
  void notFoundExitsFour() {
    CliRun.stasis(store, "snapshot", www);
    assertAll(
        exits(4, "dump", "directory/www/" + NO_SUCH_ID),
        exits(4, "dump", "directory/other"),
        exits(4, "restore", www, "--generation", "99"),
        exits(4, "restore", www, "--snapshot", "directory/www/" + NO_SUCH_ID),
        exits(4, "snapshot", tmp.resolve("missing").toString()));
  }

  @Test
  void aDamagedSnapshotExitsThreeFromDump() throws IOException {
    String path = CliRun.stasis(store, "snapshot", www).line();
    Files.writeString(store.resolve("snapshots").resolve(path).resolve("state.tar.zst"), "garbage");
    // xz reads its header when the reader opens: damage there is an integrity error too
    String xz = CliRun.stasisWithInput(store, "rows".getBytes(StandardCharsets.UTF_8), "snapshot", "--stdin",
        "-C", "pg", "-c", "db", "--compression", "xz").line();
    Files.writeString(store.resolve("snapshots").resolve(xz).resolve("dump.xz"), "garbage");
    assertAll(exits(3, "dump", path), exits(3, "dump", "directory/www"), exits(3, "dump", xz),
        exits(3, "restore", www, "--snapshot", xz));
  }

  @Test
  void dumpStreamsEverythingAndThenExitsThreeWhenTheEndDoesNotVerify() throws IOException {
    byte[] content = "a dump of 26 bytes, plain\n".getBytes(StandardCharsets.UTF_8);
    String path = CliRun.stasisWithInput(store, content, "snapshot", "--stdin", "-C", "pg", "-c", "db",
        "--compression", "none").line();
    Path file = store.resolve("snapshots").resolve(path).resolve("dump");
    byte[] damaged = content.clone();
    damaged[damaged.length - 2] = 'X';
    Files.write(file, damaged);

    CliRun r = CliRun.stasis(store, "dump", path);
    assertEquals(3, r.code(), r.toString());
    assertArrayEquals(damaged, r.stdout(), "streamed before the end could be checked");
    assertTrue(r.stderr().contains("Checksum mismatch detected for snapshot"), r.stderr());
  }

  @Test
  void stackTracesOnlyWithVerbose() {
    CliRun quiet = CliRun.stasis(store, "dump", "directory/www/" + NO_SUCH_ID);
    CliRun verbose = CliRun.stasis(store, "dump", "--verbose", "directory/www/" + NO_SUCH_ID);
    assertEquals(4, quiet.code(), quiet.toString());
    assertEquals(4, verbose.code(), verbose.toString());
    assertFalse(quiet.stderr().contains("\tat "), quiet.stderr());
    assertTrue(verbose.stderr().contains("\tat dev.stasis."), verbose.stderr());
  }

  @Test
  void aHeldStoreLockExitsFiveNamingItsHolder() throws Exception {
    CliRun.stasis(store, "snapshot", www);
    CliRun gc;
    CliRun snapshot;
    // FsLocks orders threads of one JVM with thread-owned locks: the holder must be another thread
    try (StoreLocks.Held held = FsLocks.forRoot(store).store(LockMode.EXCLUSIVE, "test holder", Duration.ZERO)) {
      gc = inAnotherThread(() -> CliRun.stasis(store, "gc", "--lock-wait", "0"));
      snapshot = inAnotherThread(() -> CliRun.stasisWithInput(store, "dump".getBytes(StandardCharsets.UTF_8),
          "snapshot", "--stdin", "-C", "pg", "-c", "db", "--lock-wait", "0"));
    }
    assertEquals(5, gc.code(), gc.toString());
    assertTrue(gc.stderr().contains("test holder (exclusive), pid " + ProcessHandle.current().pid()), gc.stderr());
    assertEquals(5, snapshot.code(), snapshot.toString());
    assertEquals(List.of(), Trees.files(store.resolve("snapshots/pg")));
    assertEquals(List.of(), Trees.files(store.resolve(".stasis/tmp")));
    // released: the same commands go through
    assertEquals(0, CliRun.stasis(store, "gc", "--lock-wait", "0").code());
  }

  @Test
  void everyHelpExitsZeroAndListsTheExitCodes() {
    List<Executable> checks = new ArrayList<>();
    for (String command : List.of("", "snapshot", "restore", "list", "gc", "check", "import", "dump")) {
      checks.add(() -> {
        CliRun r = command.isEmpty() ? CliRun.stasis(store, "--help") : CliRun.stasis(store, command, "--help");
        assertHelp(r, command);
      });
    }
    checks.add(() -> assertHelp(CliRun.dysnomiaSnapshots(store, "--help"), "dysnomia-snapshots"));
    assertAll(checks);
  }

  private static void assertHelp(CliRun r, String command) {
    assertEquals(0, r.code(), command + ": " + r);
    assertTrue(r.out().contains("Exit codes:"), command + ": " + r);
    assertTrue(r.out().contains("5") && r.out().contains("locked"), command + ": " + r);
  }

  private Executable exits(int code, String... args) {
    return () -> {
      CliRun r = CliRun.stasis(store, args);
      assertEquals(code, r.code(), String.join(" ", args) + ": " + r);
      assertEquals("", r.out(), "stdout carries results only: " + r);
      assertFalse(r.stderr().isBlank(), "a message says why: " + r);
    };
  }

  private static CliRun inAnotherThread(Callable<CliRun> run) throws Exception {
    FutureTask<CliRun> task = new FutureTask<>(run);
    Thread thread = new Thread(task, "other command");
    thread.start();
    return task.get();
  }
}
