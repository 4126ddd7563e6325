package dev.stasis.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One process of {@link SoakIT}: a writer snapshotting its states one after another, or a loop
 * of garbage collections. Each step is a {@code stasis} command run in this JVM as the launcher
 * runs it, against the store in {@code $DYSNOMIA_STATEDIR}, so that many steps fit in a few
 * seconds. Says "ready" on stderr once its JVM is up, then waits for a line on stdin before the
 * first step, so that all the processes start their steps together.
 *
 * <pre>
 * SoakLoop write WRITER STEPS   prints each snapshot's --json line on stdout
 * SoakLoop gc KEEP STEPS        gc --keep KEEP, STEPS times
 * </pre>
 *
 * Exits 1 at the first command that fails, with what it said on stderr.
 */
final class SoakLoop {
  /**
   * Only keeps a lock a writer is starved of from failing a step; the launchers' own hang guard
   * is longer, and nothing waits for it to pass.
   */
  private static final String LOCK_WAIT = "4m";

  private SoakLoop() {}

  /** What writer {@code writer} snapshots at {@code step}: writers 0 and 1 take turns through three shared states, others a state of their own each time. */
  static byte[] state(int writer, int step) {
    String line = writer < 2 ? "shared state " + step % 3 + "\n" : "writer " + writer + ", state " + step + "\n";
    return line.repeat(500).getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws IOException {
    String mode = args[0];
    int steps = Integer.parseInt(args[2]);
    System.err.println("ready");
    System.in.read();
    for (int step = 0; step < steps; step++) {
      if (mode.equals("write")) {
        System.out.print(stasis(state(Integer.parseInt(args[1]), step), "snapshot", "--stdin", "-C", "c", "-c", "x",
            "--json", "--lock-wait", LOCK_WAIT));
        System.out.flush();
      } else {
        stasis(new byte[0], "gc", "--keep", args[1], "--lock-wait", LOCK_WAIT);
      }
    }
  }

  /** Runs one command; returns its stdout, or ends this process if it failed. */
  private static String stasis(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Context ctx = new Context(new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), System.getenv(), Path.of("").toAbsolutePath(), false);
    int code = Cli.run(new StasisCommand(), ctx, args);
    if (code != 0) {
      System.err.println("stasis " + String.join(" ", args) + " exited " + code + ":\n"
          + err.toString(StandardCharsets.UTF_8));
      System.exit(1);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
