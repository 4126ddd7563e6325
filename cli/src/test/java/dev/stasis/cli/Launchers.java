package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the launchers in {@code bin/} (and other programs) as separate processes against one
 * store, given by {@code DYSNOMIA_STATEDIR}, as a user or a script would. Pump threads drain
 * stdout and stderr so a chatty process never blocks on a full pipe. Every wait is bounded by
 * {@link #GUARD}, which only keeps a hang from stalling the build: exceeding it fails the test,
 * and nothing ever waits for it to pass.
 */
final class Launchers {
  /** The repository root: failsafe passes it; run from the cli module, it is the parent. */
  static final Path REPO = Path.of(System.getProperty("stasis.repo", "..")).toAbsolutePath().normalize();
  private static final long GUARD = 300;
  /** Put after the last line; compared by identity, so no line a process prints can be taken for it. */
  private static final String END = new String("end of stderr");

  private final Path store;

  Launchers(Path store) {
    this.store = store;
  }

  /** {@code bin/stasis ARGS} with empty stdin, to its end. */
  Result stasis(String... args) throws Exception {
    return run(launcher("stasis", args));
  }

  /** {@code bin/dysnomia-snapshots ARGS} with empty stdin, to its end. */
  Result dysnomiaSnapshots(String... args) throws Exception {
    return run(launcher("dysnomia-snapshots", args));
  }

  /** {@code bin/dysnomia ARGS} with empty stdin, to its end. */
  Result dysnomia(String... args) throws Exception {
    return run(launcher("dysnomia", args));
  }

  /** A script for {@code bash -o pipefail -c}, run in the repository root as the README's examples are. */
  Result bash(String script) throws Exception {
    return run(List.of("bash", "-o", "pipefail", "-c", script));
  }

  /** The command line of a launcher in {@code bin/}. */
  static List<String> launcher(String name, String... args) {
    List<String> command = new ArrayList<>();
    command.add(REPO.resolve("bin").resolve(name).toString());
    command.addAll(List.of(args));
    return command;
  }

  /** The command line of a {@code main} class of the test sources, in a JVM of its own. */
  static List<String> java(Class<?> main, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code command} with empty stdin, to its end. */
  Result run(List<String> command) throws Exception {
    try (Running running = start(command)) {
      running.stdin().close();
      return running.finish();
    }
  }

  /** Starts {@code command} with stdin a pipe the caller writes and closes. */
  Running start(List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile());
    pb.environment().put("DYSNOMIA_STATEDIR", store.toString());
    return new Running(pb.start(), String.join(" ", command));
  }

  /** The regular files and links under the store's snapshots/, checksums/ and generations/, relative to it. */
  static List<String> committed(Path store) throws IOException {
    List<String> found = new ArrayList<>();
    for (String area : List.of("snapshots", "checksums", "generations")) {
      Path dir = store.resolve(area);
      if (Files.exists(dir)) {
        try (Stream<Path> s = Files.walk(dir)) {
          s.filter(p -> !Files.isDirectory(p) || Files.isSymbolicLink(p))
              .forEach(p -> found.add(store.relativize(p).toString()));
        }
      }
    }
    return found;
  }

  /** How a process ended and what it printed. */
  record Result(String command, int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    List<String> lines() {
      return out().lines().toList();
    }

    /** Asserts the exit status, showing what the process said otherwise. */
    Result exits(int expected) {
      assertEquals(expected, exit, () -> command + " exited " + exit + "; stdout:\n" + out() + "\nstderr:\n" + stderr);
      return this;
    }

    Result ok() {
      return exits(0);
    }
  }

  /** A started process; closing kills what is still alive. */
  static final class Running implements AutoCloseable {
    private final Process process;
    private final String command;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringBuffer stderr = new StringBuffer();
    private final BlockingQueue<String> stderrLines = new LinkedBlockingQueue<>();
    private final Thread stdoutPump;
    private final Thread stderrPump;

    Running(Process process, String command) {
      this.process = process;
      this.command = command;
      this.stdoutPump = pump(process.getInputStream(), in -> in.transferTo(stdout));
      this.stderrPump = pump(process.getErrorStream(), this::readStderr);
    }

    long pid() {
      return process.pid();
    }

    OutputStream stdin() {
      return process.getOutputStream();
    }

    /**
     * Blocks until the process prints a stderr line starting with {@code prefix} and returns
     * it: this read is how a test waits for the process to reach a point. Fails if it ends first.
     */
    String awaitStderr(String prefix) throws InterruptedException {
      while (true) {
        String line = stderrLines.poll(GUARD, TimeUnit.SECONDS);
        if (line == null) {
          fail(command + " printed no line starting '" + prefix + "' within " + GUARD + "s; stderr:\n" + stderr);
        }
        if (line == END) {
          stderrLines.add(END);
          fail(command + " ended without a line starting '" + prefix + "'; stderr:\n" + stderr);
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    /** Waits for the end (stdin must be closed by then) and returns the outcome. */
    Result finish() throws InterruptedException {
      if (!process.waitFor(GUARD, TimeUnit.SECONDS)) {
        killTree();
        fail(command + " did not end within " + GUARD + "s; stderr:\n" + stderr);
      }
      stdoutPump.join();
      stderrPump.join();
      return new Result(command, process.exitValue(), stdout.toByteArray(), stderr.toString());
    }

    /**
     * kill -9 of the process and everything it started (the launchers exec java, so the
     * process is the JVM; a build it ran would be a descendant), then waits until it is reaped.
     */
    void killTree() throws InterruptedException {
      List<ProcessHandle> descendants = process.descendants().toList();
      process.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
      assertTrue(process.waitFor(GUARD, TimeUnit.SECONDS), command + " survived kill -9");
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        killTree();
      }
    }

    private void readStderr(InputStream in) throws IOException {
      try {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
          stderr.append(line).append('\n');
          stderrLines.add(line);
        }
      } finally {
        stderrLines.add(END);
      }
    }

    private Thread pump(InputStream in, Drain drain) {
      Thread t = new Thread(() -> {
        try (in) {
          drain.drain(in);
        } catch (IOException e) {
          // the process went away; its exit status tells the rest
        }
      }, "output of " + command);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private interface Drain {
      void drain(InputStream in) throws IOException;
    }
  }
}
