package dev.stasis.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * One progress line on stderr, redrawn in place at most twice a second: bytes read and the
 * rate. Fed the ingest's own count of logical bytes ({@code Ingest.onProgress}).
 */
final class Progress implements LongConsumer {
  private static final long INTERVAL = 500_000_000L;

  private final PrintStream err;
  private final boolean enabled;
  private final long start = System.nanoTime();
  private long next = start + INTERVAL;
  private long bytes;

  Progress(PrintStream err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  /** The bytes read so far. */
  @Override
  public void accept(long total) {
    bytes = total;
    if (enabled) {
      long now = System.nanoTime();
      if (now >= next) {
        next = now + INTERVAL;
        err.print("\r" + line(now) + "   ");
        err.flush();
      }
    }
  }

  /** Ends the progress line, if one was drawn. */
  void finish() {
    if (enabled) {
      err.println("\r" + line(System.nanoTime()) + "   ");
    }
  }

  private String line(long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    return String.format(Locale.ROOT, "%s read, %s/s", size(bytes), size((long) (bytes / seconds)));
  }

  /** Bytes for people: {@code 1.5 GiB}. */
  static String size(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
