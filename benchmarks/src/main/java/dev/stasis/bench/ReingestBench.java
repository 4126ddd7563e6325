package dev.stasis.bench;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import dev.stasis.store.StoreException;
import java.io.IOException;
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
 * Re-ingest of an unchanged input into the same component: the engine hashes and compresses it
 * again, finds the snapshot already stored and verified, and keeps nothing of the second copy.
 * Each invocation checks that it was deduplicated and made no new generation.
 *
 * <p>Score: {@code ReingestBench.reingest:megabytes}, logical MB/s (see {@link Megabytes}).
 * Run: {@code benchmarks/jmh.sh ReingestBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class ReingestBench {
  private static final ComponentRef COMPONENT = new ComponentRef("bench", "reingest");

  private TempStore store;

  @Setup(Level.Trial)
  public void setUp(IngestInput in) throws IOException {
    store = TempStore.create();
    store.ingest(COMPONENT, in.data, in.codec);
  }

  @Benchmark
  public IngestResult reingest(IngestInput in, Megabytes megabytes) throws IOException {
    IngestResult result = store.ingest(COMPONENT, in.data, in.codec);
    if (!result.deduplicated() || result.newGeneration()) {
      throw new StoreException("re-ingest of %s stored something: %s", COMPONENT, result);
    }
    megabytes.add(in.data.length);
    return result;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
  }
}
