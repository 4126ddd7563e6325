package dev.stasis.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The input of the ingest benchmarks and how it is stored: their shared parameters. */
@State(Scope.Benchmark)
public class IngestInput {
  /** The input; see {@link Inputs}. */
  @Param({"sql", "mixed", "random"})
  public String input;

  /** See {@link Codec}. */
  @Param({"none", "zstd", "zstd-1", "xz"})
  public String compression;

  /** Input size in MiB. */
  @Param("64")
  public int size;

  byte[] data;
  Codec codec;

  @Setup(Level.Trial)
  public void generate() {
    data = Inputs.generate(input, size << 20);
    codec = Codec.parse(compression);
  }
}
