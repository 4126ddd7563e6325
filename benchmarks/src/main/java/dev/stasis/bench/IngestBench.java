package dev.stasis.bench;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ingest of a new snapshot through the store engine on the filesystem backend: both digests,
 * compression, staging, fsync and publishing, of an in-memory input read as a stream.
 *
 * <p>Score: {@code IngestBench.ingest:megabytes}, logical MB/s (see {@link Megabytes}).
 * Run: {@code benchmarks/jmh.sh IngestBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class IngestBench {
  private static final ComponentRef COMPONENT = new ComponentRef("bench", "ingest");

  private TempStore store;
  private long invocations;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    store = TempStore.create();
  }

  @Benchmark
  public IngestResult ingest(IngestInput in, Megabytes megabytes) throws IOException {
    // New first bytes each time: a new snapshot id, so deduplication never skips the write.
    ByteBuffer.wrap(in.data).putLong(0, ++invocations);
    IngestResult result = store.ingest(COMPONENT, in.data, in.codec);
    megabytes.add(in.data.length);
    return result;
  }

  /** Deletes the iteration's snapshots, untimed, so the disk does not fill up. */
  @TearDown(Level.Iteration)
  public void collect() throws IOException {
    store.store().gc(dev.stasis.store.Scope.all(), 0, false, action -> { });
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
  }
}
