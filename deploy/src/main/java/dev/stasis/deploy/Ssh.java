package dev.stasis.deploy;

import dev.stasis.store.StoreException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reaches a target over the system's {@code ssh}: runs {@code stasis deploy agent --store DIR}
 * there and speaks the agent protocol over the channel. ssh checks host keys as it always does
 * (known_hosts, {@code BatchMode=yes}: no prompt; an unknown or changed host key fails the
 * connection); stasis adds no option that weakens that. Options of the target's
 * {@code ssh-options} go before the destination.
 */
final class Ssh {
  private Ssh() {}

  /** The command line that starts the agent on {@code t}. */
  static List<String> command(TargetSpec t) {
    List<String> c = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes"));
    if (t.address().port() != 0) {
      c.addAll(List.of("-p", Integer.toString(t.address().port())));
    }
    c.addAll(t.sshOptions());
    c.add("--");
    c.add(t.address().destination());
    c.add(quote(t.stasis()) + " deploy agent --store " + quote(t.stateDir()));
    return c;
  }

  /** Connects to {@code t}; ssh's and the agent's messages go to {@code err}, each line prefixed by the target. */
  static AgentClient connect(TargetSpec t, PrintStream err) throws IOException {
    Process p = new ProcessBuilder(command(t)).start();
    Thread messages = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          err.println("[target " + t.name() + "] " + line);
        }
      } catch (IOException e) {
        // the channel is gone; the agent client says so
      }
    }, "ssh messages " + t.name());
    messages.setDaemon(true);
    messages.start();
    AutoCloseable channel = () -> {
      endInput(p);
      try {
        p.waitFor();
        messages.join();
      } catch (InterruptedException e) {
        p.destroy();
        Thread.currentThread().interrupt();
      }
    };
    try {
      return new AgentClient(t.name(), p.getInputStream(), p.getOutputStream(), channel);
    } catch (IOException | RuntimeException e) {
      endInput(p);
      try {
        int code = p.waitFor();
        messages.join();
        if (e instanceof StoreException && code != 0) {
          throw new StoreException(e, "cannot reach target %s at %s: ssh exited with %d (%s; see its messages"
              + " above)", t.name(), t.address(), code, code == 127 ? "no stasis there? see its stasis= setting"
              : code == 255 ? "connection, authentication or host key" : "the agent failed");
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      throw e;
    }
  }

  /**
   * Closes ssh's stdin, which ends the agent. When ssh has died already (a host key refused, a
   * dropped connection), bytes of a request may be left unsent: the request that met it has
   * failed and says why, so closing what is left is no failure of its own.
   */
  private static void endInput(Process p) {
    try {
      p.getOutputStream().close();
    } catch (IOException gone) {
      // see above
    }
  }

  /** {@code s} as one word for the remote shell. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
