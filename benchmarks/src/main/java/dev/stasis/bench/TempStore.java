package dev.stasis.bench;

import dev.stasis.fs.FsBackend;
import dev.stasis.fs.FsLocks;
import dev.stasis.modules.Deployment;
import dev.stasis.modules.spi.Host;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import dev.stasis.store.Store;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A store on the filesystem backend in a new directory under {@code java.io.tmpdir}, opened as
 * the cli opens one, and deleted on close. Ingests go through {@link Deployment#ingest}, the
 * method {@code stasis snapshot --stdin} and every dumper's output go through.
 */
final class TempStore implements Closeable {
  private final Path root;
  private final Store store;
  private final Deployment deployment;

  private TempStore(Path root, Store store) {
    this.root = root;
    this.store = store;
    Host host = new Host(System.out, System.err, Map.of(), root, root, "stasis-bench", false);
    this.deployment = new Deployment(host, store);
  }

  static TempStore create() throws IOException {
    Path root = Files.createTempDirectory("stasis-bench-");
    return new TempStore(root, Store.open(FsBackend.open(root), FsLocks.forRoot(root), Duration.ofSeconds(60)));
  }

  Path root() {
    return root;
  }

  Store store() {
    return store;
  }

  /** Ingests {@code data} as {@code stasis snapshot --stdin} ingests its input: read from a stream. */
  IngestResult ingest(ComponentRef component, byte[] data, Codec codec) throws IOException {
    return deployment.ingest(component, "dump.sql", codec.compression(), codec.level(), "stdin",
        sink -> sink.transferFrom(new ByteArrayInputStream(data)), bytes -> { });
  }

  @Override
  public void close() throws IOException {
    store.close();
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();  // children before their directory
    }
    for (Path p : paths) {
      Files.delete(p);
    }
  }
}
