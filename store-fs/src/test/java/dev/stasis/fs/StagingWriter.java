package dev.stasis.fs;

import dev.stasis.store.ObjectWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A child process of the staging tests ({@link ChildJvm}): an ingest in the middle of its dump.
 * Opens the store at ROOT, stages {@link #SIZE} bytes (or the size given after ROOT, in 1 MiB
 * writes, so that the staging's background write-back runs), prints the staging file, and waits
 * until stdin ends; then it aborts, as a dump that failed would.
 */
final class StagingWriter {
  static final int SIZE = 1 << 20;

  private StagingWriter() {}

  public static void main(String[] args) throws IOException {
    FsBackend backend = FsBackend.open(Path.of(args[0]));
    long size = args.length > 1 ? Long.parseLong(args[1]) : SIZE;
    try (ObjectWriter writer = backend.create()) {
      byte[] buffer = new byte[SIZE];
      for (long left = size; left > 0; left -= SIZE) {
        writer.output().write(buffer, 0, (int) Math.min(SIZE, left));
      }
      writer.output().flush();
      System.out.println(writer.describe());
      System.out.flush();
      ChildJvm.awaitEndOfStdin();
    }
  }
}
