package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client that stays connected: one psql process in a process of its own, fed statements one
 * at a time, as an application's connection or an administrator's session would be. It can
 * hold a lock (a transaction left open) while the test does something else.
 */
final class PgSession implements AutoCloseable {
  /** Printed after each statement's rows; no row a test selects looks like it. */
  private static final String DONE = "-- pg session: statement done --";
  /** Put in the queue when psql's stdout ends; compared by identity. */
  private static final String END = new String("end of output");

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer output = new StringBuffer();

  private PgSession(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
  }

  /** Connects to {@code db} of {@code server} as its superuser; errors do not end the session. */
  static PgSession open(PgServer server, String db) throws IOException {
    List<String> command = PgServer.asServerUser(List.of("psql", "-X", "-q", "-A", "-t",
        "-h", server.socketDir().toString(), "-p", Integer.toString(PgServer.PORT), "-U", "postgres", "-d", PgServer.conninfo(db)));
    // one stream for both: an error is then read before the marker of the statement that caused it
    return new PgSession(PgServer.builder(command).redirectErrorStream(true).start());
  }

  /**
   * Runs {@code sql} and returns its rows once it completed: a {@code LOCK} has been granted
   * when this returns. Fails if the session ended first.
   */
  List<String> run(String sql) throws IOException, InterruptedException {
    stdin.write((sql + ";\n\\echo '" + DONE + "'\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    List<String> rows = new ArrayList<>();
    while (true) {
      String line = lines.poll(PgServer.GUARD_SECONDS, TimeUnit.SECONDS);
      if (line == null) {
        fail("'" + sql + "' did not complete within " + PgServer.GUARD_SECONDS + "s; output: " + output);
      }
      if (line == END) {
        lines.add(END);
        fail("the session ended during '" + sql + "'; output: " + output);
      }
      if (line.equals(DONE)) {
        return rows;
      }
      rows.add(line);
    }
  }

  /** The server process serving this session. */
  String backendPid() throws IOException, InterruptedException {
    return run("SELECT pg_backend_pid()").get(0);
  }

  /** Everything psql printed so far, errors included, such as why its connection ended. */
  String stderr() {
    return output.toString();
  }

  /** Ends the session (a transaction left open rolls back) and waits for psql to exit. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stdin.close();
    } catch (IOException e) {
      // psql already exited
    }
    if (!process.waitFor(PgServer.GUARD_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("psql did not exit within " + PgServer.GUARD_SECONDS + "s of the end of its input");
    }
  }

  private void pump(BufferedReader reader) {
    Thread t = new Thread(() -> {
      try (reader) {
        for (String line; (line = reader.readLine()) != null; ) {
          output.append(line).append('\n');
          lines.add(line);
        }
      } catch (IOException e) {
        // psql went away; the test sees END
      } finally {
        lines.add(END);
      }
    }, "psql session");
    t.setDaemon(true);
    t.start();
  }
}
