package dev.stasis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copying a dump into an ingest in large blocks. */
final class Streams {
  /** As large as the ingest's chunks, so a file or stdin is read in few system calls. */
  private static final int BUFFER = 1 << 20;

  private Streams() {}

  /**
   * Copies {@code in} to its end into {@code out}; returns the byte count. Unlike
   * {@link InputStream#transferTo}, whose 8 KiB reads cost a system call each, every read asks
   * for up to a mebibyte.
   */
  static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }
}
