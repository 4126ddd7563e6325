package dev.stasis.bench;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.DysnomiaChecksum;
import dev.stasis.store.GcPlan;
import dev.stasis.store.Generation;
import dev.stasis.store.Key;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotId;
import dev.stasis.store.SnapshotMeta;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Queries of a store with 10,000 generations on the filesystem backend (10 containers of 10
 * components of 100 generations, each its own snapshot): listing them all, as
 * {@code --query-all} does, and planning a gc that keeps the newest of each, as {@code --gc}
 * does before deleting.
 *
 * <p>Score: milliseconds per query. Run: {@code benchmarks/jmh.sh GenerationsBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class GenerationsBench {
  private static final int CONTAINERS = 10;
  private static final int COMPONENTS = 10;
  private static final int GENERATIONS = 100;
  private static final String FILE = "dump.sql";

  private TempStore store;

  /**
   * Lays the store out as the engine writes it (uncompressed one-line snapshots, checksums,
   * metadata, generation links), but without its fsyncs: 10,000 ingests would take minutes.
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    store = TempStore.create();
    for (int c = 1; c <= CONTAINERS; c++) {
      for (int k = 1; k <= COMPONENTS; k++) {
        ComponentRef component = new ComponentRef("container" + c, "component" + k);
        for (int g = 1; g <= GENERATIONS; g++) {
          layOut(component, g, (component + " " + g + "\n").getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    int found = store.store().generations(Scope.all()).size();
    if (found != CONTAINERS * COMPONENTS * GENERATIONS) {
      throw new IllegalStateException("the store shows " + found + " generations, not 10,000");
    }
  }

  /** One generation and its snapshot, where {@link StoreLayout} and the fs backend put them. */
  private void layOut(ComponentRef component, int number, byte[] content) throws IOException {
    String id = HexFormat.of().formatHex(DysnomiaChecksum.sha256().digest(content));
    SnapshotRef snapshot = component.snapshot(new SnapshotId(id).name());
    MessageDigest checksum = DysnomiaChecksum.startOneFile(FILE);
    checksum.update(content);
    write(StoreLayout.snapshotFile(snapshot, FILE), content);
    write(StoreLayout.checksum(snapshot), DysnomiaChecksum.format(checksum.digest()).getBytes(StandardCharsets.UTF_8));
    write(StoreLayout.meta(snapshot), new SnapshotMeta(FILE, Compression.NONE, content.length, content.length,
        Instant.now(), "stasis-bench", Map.of()).toBytes());
    Path link = path(StoreLayout.components(StoreLayout.GENERATIONS, component).resolve(Integer.toString(number)));
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, Path.of("../../..", StoreLayout.snapshotDir(snapshot).path()));
  }

  private Path path(Key key) {
    return store.root().resolve(key.path());
  }

  private void write(Key key, byte[] bytes) throws IOException {
    Path file = path(key);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  @Benchmark
  public List<Generation> queryAll() throws IOException {
    return store.store().generations(Scope.all());
  }

  @Benchmark
  public GcPlan gcPlan() throws IOException {
    return store.store().gc(Scope.all(), 1, true, action -> { });
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
  }
}
