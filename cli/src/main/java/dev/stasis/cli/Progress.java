package dev.stasis.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;

/** Counts the bytes passing through and, when enabled, redraws one progress line on stderr. */
final class Progress extends FilterOutputStream {
  private static final long INTERVAL = 500_000_000L;

  private final PrintStream err;
  private final boolean enabled;
  private final long start = System.nanoTime();
  private long next = start + INTERVAL;
  private long bytes;

  Progress(OutputStream out, PrintStream err, boolean enabled) {
    super(out);
    this.err = err;
    this.enabled = enabled;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    count(1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    count(len);
  }

  private void count(int n) {
    bytes += n;
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
