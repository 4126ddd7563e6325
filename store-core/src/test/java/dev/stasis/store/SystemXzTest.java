package dev.stasis.store;

import static dev.stasis.store.XzInputs.BLOCK;
import static dev.stasis.store.XzInputs.LEVEL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemXzTest {
  @TempDir Path dir;

  @Test
  void everyInputComesBackThroughXzAndStasis() throws Exception {
    for (Map.Entry<String, byte[]> input : XzInputs.all().entrySet()) {
      byte[] compressed = compress(input.getValue(), 2, input.getValue().length);
      XzInputs.assertReadable(input.getValue(), compressed, dir);
    }
  }

  @Test
  void theDefaultXzIsTheSystemsAndReadable() throws Exception {
    XzInputs.systemXz();
    byte[] data = XzInputs.sql(200_000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream xz = Compression.XZ.compress(out)) {
      assertInstanceOf(SystemXz.class, xz);
      xz.write(data);
    }
    XzInputs.assertReadable(data, out.toByteArray(), dir);
  }

  @Test
  void sameInputSameBytesWithAnyThreadsAndWrites() throws Exception {
    byte[] data = XzInputs.mixed(5 * BLOCK + 4321);
    byte[] first = compress(data, 2, data.length);
    assertTrue(first.length < data.length / 2, "compressed at all");
    assertArrayEquals(first, compress(data, 2, data.length), "run again");
    assertArrayEquals(first, compress(data, 3, 7_777), "three threads, uneven writes");
    assertArrayEquals(first, compress(data, 4, 300_007), "four threads");
  }

  @Test
  void aKilledXzFailsTheStream() throws Exception {
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    SystemXz xz = SystemXz.start(XzInputs.systemXz(), target, LEVEL, BLOCK, 2);
    xz.write(XzInputs.sql(100_000));
    ProcessHandle child = ProcessHandle.of(xz.pid()).orElseThrow();
    child.destroyForcibly();
    child.onExit().join();
    IOException e = assertThrows(IOException.class, () -> {
      try (xz) {
        xz.write(XzInputs.random(4 * BLOCK, 1));
      }
    });
    assertTrue(e.getMessage().contains("killed by signal 9"), e.getMessage());
    assertThrows(IOException.class, () -> xz.write(1), "no writes after a failure");
  }

  @Test
  void aFailingXzIsQuotedAndFailsAtClose() throws Exception {
    Path fake = dir.resolve("xz");
    Files.writeString(fake, "#!/bin/sh\necho 'xz: out of luck' >&2\nexit 1\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    SystemXz xz = SystemXz.start(fake, new ByteArrayOutputStream(), LEVEL, BLOCK, 2);
    IOException e = assertThrows(IOException.class, () -> {
      try (xz) {
        xz.write(XzInputs.sql(1000));
      }
    });
    assertTrue(e.getMessage().contains("exited with status 1: xz: out of luck"), e.getMessage());
  }

  @Test
  void theTargetsFailureIsThrownAsItIsAndStopsXz() throws Exception {
    IOException full = new IOException("No space left on device");
    OutputStream failing = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw full;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw full;
      }
    };
    SystemXz xz = SystemXz.start(XzInputs.systemXz(), failing, LEVEL, BLOCK, 2);
    IOException e = assertThrows(IOException.class, () -> {
      try (xz) {
        byte[] random = XzInputs.random(BLOCK, 2);
        for (int i = 0; i < 64; i++) {  // far more than the pipes hold: xz cannot still be running
          xz.write(random);
        }
      }
    });
    assertSame(full, e);
    assertFalse(ProcessHandle.of(xz.pid()).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void abortKillsXzAndLeavesTheTargetOpen() throws Exception {
    boolean[] closed = {false};
    OutputStream target = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    SystemXz xz = SystemXz.start(XzInputs.systemXz(), target, LEVEL, BLOCK, 2);
    xz.write(XzInputs.sql(3 * BLOCK));
    xz.abort();
    assertFalse(ProcessHandle.of(xz.pid()).map(ProcessHandle::isAlive).orElse(false));
    xz.close();
    assertFalse(closed[0], "the owner discards the target");
    assertThrows(IOException.class, () -> xz.write(1));
  }

  @Test
  void foundOnlyAsAThreadedXzFirstOnThePath() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Path plain = Files.createDirectory(dir.resolve("plain"));
    Files.writeString(plain.resolve("xz"), "not executable");
    Path current = fakeXz("current", "printf 'XZ_VERSION=50040012\\nLIBLZMA_VERSION=50040012\\n'");
    Path old = fakeXz("old", "printf 'XZ_VERSION=50000052\\nLIBLZMA_VERSION=50000052\\n'");
    Path busybox = fakeXz("busybox", "echo 'xz: unrecognized option' >&2; exit 1");
    assertEquals(Optional.empty(), SystemXz.find(null));
    assertEquals(Optional.empty(), SystemXz.find(""));
    assertEquals(Optional.empty(), SystemXz.find(empty + ":" + plain));
    assertEquals(Optional.of(current), SystemXz.find(":" + empty + ":" + plain + ":" + current.getParent()));
    assertEquals(Optional.empty(), SystemXz.find(old.getParent() + ":" + current.getParent()));
    assertEquals(Optional.empty(), SystemXz.find(busybox.getParent().toString()));
    assertEquals(Optional.of(XzInputs.systemXz()), SystemXz.find(XzInputs.systemXz().getParent().toString()));
  }

  /** An executable {@code xz} in a directory of its own that runs {@code script}. */
  private Path fakeXz(String dirName, String script) throws IOException {
    Path xz = Files.createDirectory(dir.resolve(dirName)).resolve("xz");
    Files.writeString(xz, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(xz, PosixFilePermissions.fromString("rwxr-xr-x"));
    return xz;
  }

  private byte[] compress(byte[] data, int threads, int writeSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SystemXz xz = SystemXz.start(XzInputs.systemXz(), out, LEVEL, BLOCK, threads)) {
      for (int at = 0; at < data.length; at += writeSize) {
        xz.write(data, at, Math.min(writeSize, data.length - at));
      }
    }
    return out.toByteArray();
  }
}
