package dev.stasis.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SHA-256 of a large in-memory buffer on one thread: the JVM's ceiling for one digest pass, which
 * a raw ingest makes twice (the snapshot id and Dysnomia's checksum).
 *
 * <p>Score: {@code Sha256Bench.sha256:megabytes}, MB/s (see {@link Megabytes}).
 * Run: {@code benchmarks/jmh.sh Sha256Bench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@State(Scope.Benchmark)
public class Sha256Bench {
  /** Buffer size in MiB. */
  @Param("64")
  public int size;

  private byte[] data;

  @Setup(Level.Trial)
  public void setUp() {
    data = Inputs.generate("random", size << 20);
  }

  @Benchmark
  public byte[] sha256(Megabytes megabytes) throws NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    digest.update(data);
    megabytes.add(data.length);
    return digest.digest();
  }
}
