package dev.stasis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where a dump's logical bytes go: an {@link Ingest}, as a module sees it. A source that is a
 * stream (a dumper's stdout, stdin) is pulled with {@link #transferFrom(InputStream)}, which
 * reads straight into the ingest's buffers; a source that writes (a tar of a directory) writes
 * to {@link #output()}. Committing is not the source's business.
 */
public interface DumpSink {
  /** Copies {@code in} to its end into the dump; returns the byte count. */
  long transferFrom(InputStream in) throws IOException;

  /** Where a writing source puts the bytes. Closing it does not commit. */
  OutputStream output();
}
