package dev.stasis.cli;

import dev.stasis.store.GcPlan;
import java.io.PrintStream;

/**
 * Dysnomia's line for each deletion of a gc ("Removing old snapshot: …"), written when the gc
 * ends or fails, in one write: a gc of thousands of snapshots would otherwise flush stderr
 * thousands of times. The plan tells of deletions a phase at a time anyway.
 */
final class GcLines implements GcPlan.Listener, AutoCloseable {
  private final PrintStream err;
  private final StringBuilder lines = new StringBuilder();

  GcLines(PrintStream err) {
    this.err = err;
  }

  @Override
  public void deleted(GcPlan.Action action) {
    lines.append(action.dysnomiaLine()).append('\n');
  }

  @Override
  public void close() {
    err.print(lines);
    err.flush();
    lines.setLength(0);
  }
}
