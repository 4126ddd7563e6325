package dev.stasis.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * An open client session as root, as an application holds one: what it locks stays locked
 * until {@link #close()} ends the session. Used to make a dump wait, mid-stream, for a table.
 */
final class MariadbSession implements AutoCloseable {
  private final Process process;
  private final OutputStream stdin;
  private final BufferedReader stdout;
  private int marks;

  MariadbSession(MariadbServer server, String db) throws IOException {
    // unbuffered: each result is written as soon as it is there, so a marker can be waited for
    List<String> command = new ArrayList<>(server.client(db));
    command.add("--unbuffered");
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    stdin = process.getOutputStream();
    stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Runs {@code sql} in the session and returns once the server has run it. */
  void run(String sql) throws IOException {
    String mark = "done-" + ++marks;
    stdin.write((sql + ";\nSELECT '" + mark + "';\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    for (String line; (line = stdout.readLine()) != null; ) {
      if (line.equals(mark)) {
        return;
      }
    }
    throw new AssertionError("the session ended before running: " + sql);
  }

  /** Ends the session, and with it its locks. */
  @Override
  public void close() throws IOException {
    stdin.close();
    try {
      if (!process.waitFor(MariadbServer.GUARD_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Waits until {@code condition} holds, checking again after a short pause each time; fails
   * when {@code gaveUp} holds first (the thing waited on ended without it) or after many tries.
   */
  static void await(String what, BooleanSupplier condition, BooleanSupplier gaveUp) {
    for (int attempt = 0; attempt < 10_000; attempt++) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (gaveUp.getAsBoolean()) {
        throw new AssertionError("ended before " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    throw new AssertionError("never " + what);
  }
}
