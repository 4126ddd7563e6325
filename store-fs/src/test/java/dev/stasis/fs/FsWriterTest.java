package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.stasis.store.DysnomiaChecksum;
import dev.stasis.store.Key;
import dev.stasis.store.ObjectWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A staged file long enough to be written back in the background while it is written. */
class FsWriterTest {
  private static final long SIZE = 2 * Writeback.STEP + 777;

  @TempDir
  Path root;

  @Test
  void aFileWrittenBackWhileItIsWrittenIsCommittedWholeAndLeavesNoThreadBehind() throws IOException {
    FsBackend backend = FsBackend.open(root);
    Key key = Key.of("snapshots", "c", "d", "s", "dump.sql");
    byte[] expected;
    try (ObjectWriter writer = backend.create()) {
      expected = write(writer);
      writer.commit(key);
    }
    MessageDigest digest = DysnomiaChecksum.sha256();
    try (InputStream in = backend.open(key)) {
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    assertArrayEquals(expected, digest.digest());
    assertEquals(SIZE, Files.size(root.resolve("snapshots/c/d/s/dump.sql")));
    assertEquals(List.of(), writebackThreads());
  }

  @Test
  void aFileWrittenBackAndThenAbortedLeavesNoStagingAndNoThread() throws IOException {
    FsBackend backend = FsBackend.open(root);
    try (ObjectWriter writer = backend.create()) {
      write(writer);
    }
    try (Stream<Path> tmp = Files.list(root.resolve(".stasis/tmp"))) {
      assertEquals(0, tmp.count());
    }
    assertEquals(List.of(), writebackThreads());
    assertFalse(Files.exists(root.resolve("snapshots")));
  }

  /** Writes SIZE random bytes in uneven writes; returns their SHA-256. */
  private static byte[] write(ObjectWriter writer) throws IOException {
    MessageDigest digest = DysnomiaChecksum.sha256();
    Random random = new Random(3);
    byte[] buffer = new byte[3 << 20];
    long left = SIZE;
    while (left > 0) {
      int n = (int) Math.min(left, 1 + random.nextInt(buffer.length));
      random.nextBytes(buffer);
      writer.output().write(buffer, 0, n);
      digest.update(buffer, 0, n);
      left -= n;
    }
    return digest.digest();
  }

  private static List<String> writebackThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(name -> name.equals("stasis-writeback")).toList();
  }
}
