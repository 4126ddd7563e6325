package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PipeTest {
  @Test
  void whatIsWrittenIsReadInOrderToItsEndAcrossThreads() throws Exception {
    byte[] data = new byte[5_000_001];
    new Random(7).nextBytes(data);
    Pipe pipe = new Pipe(1 << 20);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try (OutputStream out = pipe.sink()) {
        for (int off = 0; off < data.length; off += 77_777) {
          out.write(data, off, Math.min(77_777, data.length - off));
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    byte[] read;
    try (InputStream in = pipe.source()) {
      read = in.readAllBytes();
    }
    writer.get();
    assertArrayEquals(data, read);
  }

  @Test
  void aReaderThatClosesMakesTheWriterFailInsteadOfWaiting() throws Exception {
    Pipe pipe = new Pipe(1 << 19);
    InputStream in = pipe.source();
    CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
      long written = 0;
      try (OutputStream out = pipe.sink()) {
        byte[] chunk = new byte[1 << 16];
        while (true) {
          out.write(chunk);
          written += chunk.length;
        }
      } catch (IOException e) {
        return written;
      }
    });
    assertEquals(10, in.read(new byte[10]), "the first bytes arrived");
    in.close();
    // the writer's loop ends only by an IOException; the guard only keeps a hang from stalling the build
    assertTrue(writer.get(300, TimeUnit.SECONDS) >= 1 << 16, "the writer failed once the reader had gone");
  }
}
