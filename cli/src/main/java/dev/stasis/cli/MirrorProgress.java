package dev.stasis.cli;

import dev.stasis.store.GcPlan;
import dev.stasis.store.Generation;
import dev.stasis.store.Mirror;
import dev.stasis.store.MirrorPlan;
import dev.stasis.store.MirrorResult;
import dev.stasis.store.SnapshotRef;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code stasis mirror} tells on stderr: a line per snapshot sent, generation linked and
 * failure, and, when enabled, one progress line redrawn in place (snapshots and bytes done of
 * the plan's, and the rate), as {@link Progress} draws it for a snapshot.
 */
final class MirrorProgress implements Mirror.Listener {
  private static final long INTERVAL = 500_000_000L;

  private final PrintStream err;
  private final boolean enabled;
  private final int snapshots;
  private final long total;
  private final long start = System.nanoTime();
  private long next = start + INTERVAL;
  private int done;
  private long bytes;
  private boolean drawn;

  MirrorProgress(PrintStream err, MirrorPlan plan, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
    this.snapshots = plan.toSend();
    this.total = plan.bytesToSend();
  }

  @Override
  public void progress(long n) {
    bytes += n;
    if (enabled) {
      long now = System.nanoTime();
      if (now >= next) {
        next = now + INTERVAL;
        draw(now);
      }
    }
  }

  @Override
  public void sent(SnapshotRef snapshot, long size) {
    done++;
    say("sent " + snapshot + " (" + Progress.size(size) + ")");
  }

  @Override
  public void retrying(SnapshotRef snapshot, String why) {
    say(why);
  }

  @Override
  public void linked(Generation g) {
    say("generation " + g.number() + " of " + g.component() + ": " + g.snapshot());
  }

  @Override
  public void failed(MirrorResult.Failure f) {
    say((f.integrity() ? "refused " : "failed ") + f.snapshot() + ": " + f.message()
        + (f.left() > 0 ? " (" + f.left() + " later generation(s) of " + f.snapshot().component()
            + " not mirrored)" : ""));
  }

  @Override
  public void collected(GcPlan.Action action) {
    say(action.dysnomiaLine());
  }

  /** Ends the progress line, if one was drawn. */
  void finish() {
    if (enabled) {
      draw(System.nanoTime());
      err.println();
      drawn = false;
    }
  }

  /** A message on a line of its own, the progress line redrawn under it. */
  private void say(String message) {
    err.println((drawn ? "\r" : "") + "stasis: " + message + (drawn ? "   " : ""));
    drawn = false;
    if (enabled) {
      draw(System.nanoTime());
    }
  }

  private void draw(long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    err.print(String.format(Locale.ROOT, "\r%d/%d snapshot(s), %s of %s sent, %s/s   ", done, snapshots,
        Progress.size(bytes), Progress.size(total), Progress.size((long) (bytes / seconds))));
    err.flush();
    drawn = true;
  }
}
