package dev.stasis.cli;

import dev.stasis.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A process whose stdout is a dump: its stderr is passed through to ours as it comes and its
 * tail kept for the error message; its exit status alone decides whether the dump counts.
 */
final class DumperProcess implements AutoCloseable {
  private static final int TAIL = 2048;

  private final Process process;
  private final String description;
  private final Thread stderrPump;
  private final StringBuilder tail = new StringBuilder();

  private DumperProcess(Process process, String description, PrintStream err) {
    this.process = process;
    this.description = description;
    this.stderrPump = new Thread(() -> pump(process.getErrorStream(), err), "stderr of " + description);
    this.stderrPump.setDaemon(true);
    this.stderrPump.start();
  }

  /**
   * Starts {@code command} with stdin closed.
   *
   * @param environment replaces the inherited environment when not null
   */
  static DumperProcess start(List<String> command, Map<String, String> environment, Path cwd, PrintStream err,
      String description) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    if (environment != null) {
      pb.environment().clear();
      pb.environment().putAll(environment);
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new DumperProcess(pb.start(), description, err);
  }

  InputStream stdout() {
    return process.getInputStream();
  }

  /**
   * Waits for the process to end.
   *
   * @throws StoreException when it exits non-zero, quoting the end of its stderr
   */
  void requireSuccess() throws IOException {
    int status;
    try {
      status = process.waitFor();
      stderrPump.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + description, e);
    }
    if (status != 0) {
      String said;
      synchronized (tail) {
        said = tail.toString().strip();
      }
      throw new StoreException("%s exited with status %d; nothing was stored%s", description, status,
          said.isEmpty() ? "" : ". It said: " + said);
    }
  }

  private void pump(InputStream in, PrintStream err) {
    byte[] buffer = new byte[8192];
    try (in) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        err.write(buffer, 0, n);
        err.flush();
        synchronized (tail) {
          tail.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          if (tail.length() > TAIL) {
            tail.delete(0, tail.length() - TAIL);
          }
        }
      }
    } catch (IOException e) {
      // the process went away; its exit status tells the rest
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
