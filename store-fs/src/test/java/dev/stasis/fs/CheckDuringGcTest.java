package dev.stasis.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.Backend;
import dev.stasis.store.CheckReport;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.GenerationLinks;
import dev.stasis.store.Ingest;
import dev.stasis.store.Key;
import dev.stasis.store.LockedException;
import dev.stasis.store.ObjectInfo;
import dev.stasis.store.ObjectWriter;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * check reports only states that committed operations produced: a gc that starts while check
 * reads cannot delete a generation and its snapshot between check's listing and its reading
 * (which showed a dangling generation on a store that checked clean afterwards). The gc is
 * started from inside check's own reading, at the moment that race needs, and waits for nothing
 * (lock wait 0): it either runs to its end there or is refused at once.
 */
class CheckDuringGcTest {
  private static final ComponentRef X = new ComponentRef("c", "x");

  @TempDir
  Path root;

  @Test
  void aGcStartedWhileCheckReadsIsKeptOutInsteadOfDeletingWhatCheckListed() throws Exception {
    Store writer = Store.open(FsBackend.open(root), FsLocks.forRoot(root), Duration.ZERO);
    ingest(writer, "one");
    ingest(writer, "two");
    AtomicReference<Throwable> gc = new AtomicReference<>();
    Backend hooked = new OnFirstSnapshotListing(FsBackend.open(root), () -> {
      Thread t = new Thread(() -> {
        try {
          writer.gc(Scope.all(), 1, false, a -> { });
        } catch (Throwable e) {
          gc.set(e);
        }
      });
      t.start();
      join(t);
    });
    Store checker = Store.open(hooked, FsLocks.forRoot(root), Duration.ZERO);
    CheckReport report = checker.check(checker.generations(Scope.all()), Scope.all(), true);
    assertTrue(report.clean(), report.problems().toString());
    assertEquals(2, report.snapshotsChecked());
    assertInstanceOf(LockedException.class, gc.get());
    assertEquals(2, writer.generations(Scope.all()).size());
  }

  private static void ingest(Store store, String content) throws IOException {
    try (Ingest ingest = store.ingest(X, "dump", Compression.NONE, "test", Map.of())) {
      ingest.output().write(content.getBytes(StandardCharsets.UTF_8));
      ingest.commit();
    }
  }

  private static void join(Thread t) {
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code hook} once, when the snapshots area is first listed, then passes the listing on. */
  private static final class OnFirstSnapshotListing implements Backend {
    private final Backend inner;
    private Runnable hook;

    OnFirstSnapshotListing(Backend inner, Runnable hook) {
      this.inner = inner;
      this.hook = hook;
    }

    @Override
    public void list(Key prefix, Consumer<ObjectInfo> sink) throws IOException {
      if (hook != null && prefix.startsWith(StoreLayout.SNAPSHOTS)) {
        Runnable once = hook;
        hook = null;
        once.run();
      }
      inner.list(prefix, sink);
    }

    @Override
    public Optional<ObjectInfo> stat(Key key) throws IOException {
      return inner.stat(key);
    }

    @Override
    public InputStream open(Key key) throws IOException {
      return inner.open(key);
    }

    @Override
    public ObjectWriter create() throws IOException {
      return inner.create();
    }

    @Override
    public void delete(Key key) throws IOException {
      inner.delete(key);
    }

    @Override
    public GenerationLinks generations() {
      return inner.generations();
    }

    @Override
    public String location(Key key) {
      return inner.location(key);
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }
}
