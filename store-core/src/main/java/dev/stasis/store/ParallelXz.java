package dev.stasis.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * xz in Java on several threads, for systems without an {@code xz} command: the input is cut
 * into blocks of a fixed size, each compressed by a worker into an .xz stream of its own, and
 * the streams are written in order. Concatenated .xz streams are one valid .xz file ({@code xz -d}
 * and {@code xzcat} read them), and since the cuts depend on the byte count only, the output is
 * the same for any number of workers.
 */
final class ParallelXz extends XzEncoder {
  private final LZMA2Options options;
  private final int blockSize;
  private final ExecutorService workers;
  /** The encoders' big arrays, reused from block to block instead of allocated for each. */
  private final ArrayCache arrays = new BasicArrayCache();
  private final Deque<Block> idle = new ArrayDeque<>();
  private final Deque<Future<Block>> pending = new ArrayDeque<>();
  private final int maxBlocks;
  private int blocks;
  private volatile boolean stopping;
  private Block filling;
  private boolean anyBlock;

  private ParallelXz(OutputStream target, LZMA2Options options, int blockSize, int workers) {
    super(target);
    this.options = options;
    this.blockSize = blockSize;
    this.workers = Executors.newFixedThreadPool(workers, task -> {
      Thread t = new Thread(task, "stasis-xz-worker");
      t.setDaemon(true);
      return t;
    });
    this.maxBlocks = workers + 1;  // one more than the workers: the caller fills it meanwhile
  }

  /**
   * Compresses into {@code target} with {@code options}, cutting blocks of {@code blockSize}
   * bytes, on {@code workers} threads. Memory: at most {@code workers} encoders
   * ({@link LZMA2Options#getEncoderMemoryUsage()}) and {@code workers + 1} blocks of input, each
   * with room for its compressed output.
   */
  static ParallelXz start(OutputStream target, LZMA2Options options, int blockSize, int workers) {
    return new ParallelXz(target, options, blockSize, Math.max(1, workers));
  }

  /** Bytes of memory that one worker needs: its encoder, one block of input and its output. */
  static long memoryPerWorker(LZMA2Options options, int blockSize) {
    return options.getEncoderMemoryUsage() * 1024L + 2L * blockSize;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    requireOpen();
    try {
      while (len > 0) {
        if (filling == null) {
          filling = nextIdle();
        }
        int n = Math.min(len, blockSize - filling.length);
        filling.makeRoom(n);
        System.arraycopy(b, off, filling.input, filling.length, n);
        filling.length += n;
        off += n;
        len -= n;
        if (filling.length == blockSize) {
          submitFilling();
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      fail(e);
      throw e;
    }
  }

  /** Compresses what is left and writes every stream in order. */
  @Override
  void finish() throws IOException {
    if (filling != null && filling.length > 0 || !anyBlock) {
      if (filling == null) {
        filling = nextIdle();
      }
      submitFilling();  // an empty input still makes one (empty) stream: a file of no bytes is no .xz file
    }
    while (!pending.isEmpty()) {
      writeOldest();
    }
  }

  @Override
  void finishFailed(Throwable e) {
    fail(e);
  }

  @Override
  void finished() {
    workers.shutdown();
  }

  private void fail(Throwable cause) {
    if (state == State.OPEN) {
      state = State.FAILED;
      failure = cause;
      stop();
    }
  }

  /** Makes running encoders fail at their next output and waits until every worker is gone. */
  @Override
  void stop() {
    stopping = true;
    workers.shutdownNow();
    Threads.awaitUninterruptibly(workers);
  }

  private Block nextIdle() throws IOException {
    if (idle.isEmpty() && blocks < maxBlocks) {
      blocks++;
      return new Block();
    }
    if (idle.isEmpty()) {
      writeOldest();
    }
    return idle.pop();
  }

  private void submitFilling() {
    Block block = filling;
    filling = null;
    anyBlock = true;
    pending.add(workers.submit(block::compress));
  }

  /** Waits for the oldest block, writes its stream to the target and puts the block back in the pool. */
  private void writeOldest() throws IOException {
    Block block;
    try {
      block = pending.remove().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing with xz");
    } catch (ExecutionException e) {
      Threads.rethrow(e.getCause());
      throw new IOException("xz compression failed", e.getCause());
    }
    block.compressed.writeTo(target);
    block.length = 0;
    idle.add(block);
  }

  /** One block of input and, once compressed, its .xz stream. Both buffers grow as needed, so a small input stays small. */
  private final class Block {
    final Compressed compressed = new Compressed(1 << 16);
    byte[] input = new byte[Math.min(blockSize, 1 << 20)];
    int length;

    void makeRoom(int more) {
      if (length + more > input.length) {
        input = Arrays.copyOf(input, (int) Math.min(blockSize, Math.max(2L * input.length, length + more)));
      }
    }

    Block compress() throws IOException {
      compressed.reset();
      try (XZOutputStream xz = new XZOutputStream(compressed, options, XZ.CHECK_CRC64, arrays)) {
        xz.write(input, 0, length);
      }
      return this;
    }
  }

  /** A reusable output buffer that lets an aborted encoder stop at its next write. */
  private final class Compressed extends ByteArrayOutputStream {
    Compressed(int size) {
      super(size);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      if (stopping) {
        throw new IllegalStateException("xz compression stopped");
      }
      super.write(b, off, len);
    }

    @Override
    public synchronized void write(int b) {
      if (stopping) {
        throw new IllegalStateException("xz compression stopped");
      }
      super.write(b);
    }
  }
}
