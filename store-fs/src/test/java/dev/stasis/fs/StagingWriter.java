package dev.stasis.fs;

import dev.stasis.store.ObjectWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A child process of the staging tests ({@link ChildJvm}): an ingest in the middle of its dump.
 * Opens the store at ROOT, stages {@link #SIZE} bytes, prints the staging file, and waits until
 * stdin ends; then it aborts, as a dump that failed would.
 */
final class StagingWriter {
  static final int SIZE = 1 << 20;

  private StagingWriter() {}

  public static void main(String[] args) throws IOException {
    FsBackend backend = FsBackend.open(Path.of(args[0]));
    try (ObjectWriter writer = backend.create()) {
      writer.output().write(new byte[SIZE]);
      writer.output().flush();
      System.out.println(writer.describe());
      System.out.flush();
      ChildJvm.awaitEndOfStdin();
    }
  }
}
