package dev.stasis.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link Backend} in memory, keeping the numbered guarantees of {@link Backend}: for the
 * engine's contract suites and for tests of code above the engine. Lock its stores with
 * {@link ProcessLocks#forStore(String)} on {@code location(Key.ROOT)}; every instance has a
 * location of its own, so two stores never share locks.
 *
 * <pre>{@code
 * Backend backend = MemoryBackend.empty();
 * Store store = Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(30));
 * }</pre>
 */
public final class MemoryBackend implements Backend {
  private static final AtomicInteger STORES = new AtomicInteger();

  private final String name = "mem://" + STORES.incrementAndGet() + "/";
  /** Committed objects by path; sorted, so listings come in one order every time. */
  private final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
  private final Links links = new Links();
  private final AtomicInteger writers = new AtomicInteger();

  private MemoryBackend() {}

  /** A new, empty backend. */
  public static MemoryBackend empty() {
    return new MemoryBackend();
  }

  @Override
  public Optional<ObjectInfo> stat(Key key) {
    byte[] bytes = objects.get(key.path());
    return bytes == null ? Optional.empty() : Optional.of(new ObjectInfo(key, bytes.length));
  }

  @Override
  public InputStream open(Key key) {
    byte[] bytes = objects.get(key.path());
    if (bytes == null) {
      throw new NotFoundException("no object %s in %s", key, name);
    }
    return new ByteArrayInputStream(bytes);
  }

  @Override
  public ObjectWriter create() {
    return new Writer("staging #" + writers.incrementAndGet() + " of " + name);
  }

  @Override
  public void delete(Key key) {
    objects.remove(key.path());
  }

  /** In key order: a snapshot of several files lists and checksums the same way every time. */
  @Override
  public void list(Key prefix, Consumer<ObjectInfo> sink) {
    objects.forEach((path, bytes) -> {
      Key key = new Key(path);
      if (key.startsWith(prefix)) {
        sink.accept(new ObjectInfo(key, bytes.length));
      }
    });
  }

  @Override
  public GenerationLinks generations() {
    return links;
  }

  @Override
  public String location(Key key) {
    return name + key.path();
  }

  @Override
  public void close() {
    // nothing held: the objects live as long as this instance
  }

  /** Bytes staged in memory; {@link #commit(Key)} puts them in the map in one step. */
  private final class Writer implements ObjectWriter {
    private final String description;
    private final ByteArrayOutputStream staged = new ByteArrayOutputStream();
    private final OutputStream output = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (done) {
          throw new IOException("writer already committed or closed: " + description);
        }
        staged.write(b, off, len);
      }
    };
    private volatile boolean done;

    Writer(String description) {
      this.description = description;
    }

    @Override
    public OutputStream output() {
      return output;
    }

    @Override
    public void commit(Key key) {
      if (done) {
        throw new IllegalStateException("writer already committed or closed: " + description);
      }
      done = true;
      objects.put(key.path(), staged.toByteArray());
    }

    @Override
    public void close() {
      done = true;
    }

    @Override
    public String describe() {
      return description;
    }
  }

  /** Generation links by {@code generations/<container>/<component>/<N>}; putIfAbsent picks one winner. */
  private static final class Links implements GenerationLinks {
    private final ConcurrentMap<String, Generation> links = new ConcurrentSkipListMap<>();

    @Override
    public void list(Scope scope, Consumer<Generation> sink) {
      links.values().stream().filter(g -> scope.matches(g.component())).forEach(sink);
    }

    @Override
    public boolean create(Generation generation) {
      return links.putIfAbsent(path(generation), generation) == null;
    }

    @Override
    public void delete(Generation generation) {
      links.remove(path(generation));
    }

    private static String path(Generation g) {
      return StoreLayout.components(StoreLayout.GENERATIONS, g.component()).resolve(Long.toString(g.number())).path();
    }
  }
}
