package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM running one of the small {@code main} classes of these test sources, so that
 * OS locks are held by another process, as they are in production: Java's file locks belong to
 * the whole JVM, so one process cannot test them against itself. The child reports in lines on
 * stdout; its stderr goes to ours. It blocks on stdin, so closing stdin ends it and kill -9
 * stands for a crash.
 */
final class ChildJvm implements AutoCloseable {
  /** Only guards against a hang; nothing waits for it to pass. */
  private static final long GUARD_SECONDS = 120;
  /** Put after the last line; compared by identity, so no line the child prints can be taken for it. */
  private static final String END = new String("end of stdout");

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread pump = new Thread(this::pump, "stdout of child " + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code main} with {@code args} on this JVM's own class path. */
  static ChildJvm start(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ChildJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
  }

  long pid() {
    return process.pid();
  }

  /**
   * The child's next line. Blocking on it is how a test waits for the child to reach a state;
   * it fails if the child ends first.
   */
  String readLine() throws InterruptedException {
    String line = lines.poll(GUARD_SECONDS, TimeUnit.SECONDS);
    if (line == null) {
      fail("child " + pid() + " printed nothing within " + GUARD_SECONDS + "s");
    }
    if (line == END) {
      lines.add(END);
      fail("child " + pid() + " ended without the expected line; exit status "
          + (process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS) ? process.exitValue() : "unknown"));
    }
    return line;
  }

  /** Ends the child's stdin, which ends a holder's wait, and returns its exit status. */
  int finish() throws IOException, InterruptedException {
    process.getOutputStream().close();
    assertTrue(process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS), "child " + pid() + " did not end");
    return process.exitValue();
  }

  /** kill -9, then waits until the child is reaped: from then on the kernel has dropped its locks. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS), "child " + pid() + " survived kill -9");
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  private void pump() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the child is gone; END below tells the reader
    } finally {
      lines.add(END);
    }
  }

  /** Blocks until stdin ends: the child's way of holding on until the test lets go or kills it. */
  static void awaitEndOfStdin() throws IOException {
    System.in.transferTo(OutputStream.nullOutputStream());
  }
}
