package dev.stasis.modules.process;

import dev.stasis.store.DumpSink;
import dev.stasis.store.StoreException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A dumper, module or command run by stasis. Its stderr is passed through to ours as it comes
 * and its tail kept for error messages; its stdout is either read by stasis (a dump) or passed
 * through too; its stdin is empty, a pipe stasis writes (a restore), or ours (a shell). Its exit
 * status alone decides whether it succeeded.
 */
public final class ChildProcess implements AutoCloseable {
  private static final int TAIL = 2048;

  /** Where the child's stdin comes from; a child that inherits stdin inherits stdout and stderr too. */
  public enum Stdin { EMPTY, PIPE, INHERIT }

  private final Process process;
  private final String description;
  private boolean dumper;
  private final List<Thread> pumps = new ArrayList<>();
  private final StringBuilder tail = new StringBuilder();

  private ChildProcess(Process process, String description) {
    this.process = process;
    this.description = description;
  }

  /**
   * Starts {@code command}.
   *
   * @param environment replaces the inherited environment when not null
   * @param stdout where the child's stdout goes, or null to read it through {@link #stdout()}
   */
  public static ChildProcess start(List<String> command, Map<String, String> environment, Path cwd, Stdin stdin,
      PrintStream stdout, PrintStream stderr, String description) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    if (environment != null) {
      pb.environment().clear();
      pb.environment().putAll(environment);
    }
    if (stdin == Stdin.INHERIT) {
      // an interactive session: the terminal is the child's, all of it
      return new ChildProcess(pb.inheritIO().start(), description);
    }
    pb.redirectInput(stdin == Stdin.EMPTY ? ProcessBuilder.Redirect.from(new File("/dev/null"))
        : ProcessBuilder.Redirect.PIPE);
    ChildProcess child = new ChildProcess(pb.start(), description);
    child.pump(child.process.getErrorStream(), stderr, true);
    if (stdout != null) {
      child.pump(child.process.getInputStream(), stdout, false);
    }
    return child;
  }

  /** A dumper: stdin empty, stdout read by stasis, stderr passed through. */
  public static ChildProcess dumper(List<String> command, Map<String, String> environment, Path cwd, PrintStream stderr,
      String description) throws IOException {
    ChildProcess child = start(command, environment, cwd, Stdin.EMPTY, null, stderr, description);
    child.dumper = true;
    return child;
  }

  public InputStream stdout() {
    return process.getInputStream();
  }

  /**
   * Pulls a dumper's stdout to its end into {@code sink}, then requires a zero exit: a dump
   * whose dumper failed must never be committed, however complete it looks.
   */
  public void dumpTo(DumpSink sink) throws IOException {
    dumpTo(sink, UnaryOperator.identity());
  }

  /** As {@link #dumpTo(DumpSink)}, the dumper's stdout seen through {@code filter}. */
  public void dumpTo(DumpSink sink, UnaryOperator<InputStream> filter) throws IOException {
    sink.transferFrom(filter.apply(stdout()));
    requireSuccess();
  }

  public OutputStream stdin() {
    return process.getOutputStream();
  }

  /** Waits for the child to end and for its output to be passed on; returns its exit status. */
  public int waitFor() throws IOException {
    try {
      int status = process.waitFor();
      for (Thread t : pumps) {
        t.join();
      }
      return status;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + description, e);
    }
  }

  /**
   * Waits for the child to end.
   *
   * @throws StoreException when it exits non-zero; what it said on stderr was passed through as
   *     it came, so the message points there instead of printing it twice
   */
  public void requireSuccess() throws IOException {
    int status = waitFor();
    if (status != 0) {
      throw new StoreException("%s exited with status %d%s%s", description, status,
          dumper ? "; nothing was stored" : "", said().isEmpty() ? ", saying nothing" : " (its messages are above)");
    }
  }

  /** The end of what the child wrote on stderr (its last 2 KiB), for telling its failures apart. */
  public String said() {
    synchronized (tail) {
      return tail.toString().strip();
    }
  }

  private void pump(InputStream in, PrintStream out, boolean keepTail) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (in) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          out.flush();
          if (keepTail) {
            synchronized (tail) {
              tail.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
              if (tail.length() > TAIL) {
                tail.delete(0, tail.length() - TAIL);
              }
            }
          }
        }
      } catch (IOException e) {
        // the child went away; its exit status tells the rest
      }
    }, "output of " + description);
    t.setDaemon(true);
    t.start();
    pumps.add(t);
  }

  /** Kills the child and what it started, if they still run: a killed shell must not leave its dumper behind. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
