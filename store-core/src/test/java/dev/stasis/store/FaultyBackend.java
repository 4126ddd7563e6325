package dev.stasis.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link Backend} that fails or damages chosen calls of another, as kopia's {@code faulty.go}
 * does: fault tests wrap the backend under test, arm a fault, run the engine, and look at what
 * the backend underneath was left with. Unarmed, it passes every call through.
 *
 * <pre>{@code
 * FaultyBackend faults = FaultyBackend.over(backend);
 * faults.failNext(Op.COMMIT, key -> key.startsWith(StoreLayout.SNAPSHOTS));  // once
 * faults.failAfter(Op.WRITE, 2);
 * faults.corruptNext(key -> key.startsWith(StoreLayout.SNAPSHOTS));
 * }</pre>
 *
 * <p>A fault is a {@link Fault}, thrown before the call reaches the backend underneath, which
 * is then left as if the call had not been made; a writer whose commit failed is closed, as a
 * real backend's is. An armed fault fires as often as it was armed for, then is gone, so the
 * next run of the same operation goes through.
 */
public final class FaultyBackend implements Backend, SupportsDirectWrites {
  /** The calls a fault can hit, and the key each one shows a predicate. */
  public enum Op {
    /** Starting a writer: the key of a direct write; a staged writer has none. */
    CREATE,
    /** A write to a writer's output: its writer's key, as for {@link #CREATE}. */
    WRITE,
    /** Publishing a writer: the key it commits to. */
    COMMIT,
    /** Opening an object: its key. */
    OPEN,
    /** Deleting an object, or a generation link: {@code generations/<container>/<component>/<N>}. */
    DELETE,
    /** Creating a generation link: its key, as for {@link #DELETE}. */
    LINK,
    /** Listing objects under a prefix, or generations ({@code generations[/<container>]}): that key. */
    LIST
  }

  /** What an armed fault throws. */
  public static final class Fault extends IOException {
    Fault(Op op, Key key) {
      super("injected fault: " + op.name().toLowerCase() + (key == null ? "" : " " + key));
    }
  }

  /** An armed fault: after {@code skip} calls of {@code op} whose key matches, the next {@code times} such calls. */
  private static final class Rule {
    final Op op;
    final Predicate<Key> matching;
    int skip;
    int times;

    Rule(Op op, Predicate<Key> matching, int skip, int times) {
      this.op = op;
      this.matching = matching;
      this.skip = skip;
      this.times = times;
    }
  }

  private final Backend inner;
  private final Links links = new Links();
  private final List<Rule> rules = new ArrayList<>();
  private final List<Predicate<Key>> corruptions = new ArrayList<>();
  private int injected;

  private FaultyBackend(Backend inner) {
    this.inner = inner;
  }

  /** A backend passing every call to {@code inner} until a fault is armed. */
  public static FaultyBackend over(Backend inner) {
    return new FaultyBackend(inner);
  }

  /** Fails the next {@code times} calls of {@code op}, whatever their keys. */
  public synchronized FaultyBackend failNext(Op op, int times) {
    rules.add(new Rule(op, key -> true, 0, times));
    return this;
  }

  /** Lets {@code calls} calls of {@code op} through, then fails the next: a write in the middle of a stream. */
  public synchronized FaultyBackend failAfter(Op op, int calls) {
    rules.add(new Rule(op, key -> true, calls, 1));
    return this;
  }

  /** Fails the next call of {@code op} whose key matches; a call without a key never does. */
  public synchronized FaultyBackend failNext(Op op, Predicate<Key> matching) {
    rules.add(new Rule(op, key -> key != null && matching.test(key), 0, 1));
    return this;
  }

  /**
   * Flips one byte of what the next {@link #open(Key)} of a matching key reads: the middle one,
   * moved on by one for every corruption before it, so repeated reads are damaged differently.
   */
  public synchronized FaultyBackend corruptNext(Predicate<Key> matching) {
    corruptions.add(matching);
    return this;
  }

  /** How many faults fired so far, failures and corruptions: a test asserts its fault was met. */
  public synchronized int injected() {
    return injected;
  }

  private synchronized void check(Op op, Key key) throws Fault {
    for (Iterator<Rule> it = rules.iterator(); it.hasNext(); ) {
      Rule rule = it.next();
      if (rule.op == op && rule.matching.test(key)) {
        if (rule.skip > 0) {
          rule.skip--;
          continue;
        }
        if (--rule.times == 0) {
          it.remove();
        }
        injected++;
        throw new Fault(op, key);
      }
    }
  }

  private synchronized boolean corrupts(Key key) {
    for (Iterator<Predicate<Key>> it = corruptions.iterator(); it.hasNext(); ) {
      if (it.next().test(key)) {
        it.remove();
        injected++;
        return true;
      }
    }
    return false;
  }

  private static Key linkKey(Generation g) {
    return StoreLayout.components(StoreLayout.GENERATIONS, g.component()).resolve(Long.toString(g.number()));
  }

  @Override
  public Optional<ObjectInfo> stat(Key key) throws IOException {
    return inner.stat(key);
  }

  @Override
  public InputStream open(Key key) throws IOException {
    check(Op.OPEN, key);
    InputStream in = inner.open(key);
    if (!corrupts(key)) {
      return in;
    }
    long shift = injected();
    long at = inner.stat(key).map(o -> Math.min(o.size() - 1, o.size() / 2 + shift)).orElse(0L);
    return new FilterInputStream(in) {
      private long position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0 && position <= at && at < position + n) {
          b[off + (int) (at - position)] ^= 0x01;
        }
        position += Math.max(n, 0);
        return n;
      }

      @Override
      public long skip(long n) {
        return 0;  // every byte passes through read(), so the flip cannot be skipped
      }
    };
  }

  @Override
  public ObjectWriter create() throws IOException {
    check(Op.CREATE, null);
    return new Writer(inner.create(), null);
  }

  /** A direct write where the backend underneath offers one, else a staged one, as {@code Store} picks. */
  @Override
  public ObjectWriter create(Key key) throws IOException {
    check(Op.CREATE, key);
    return new Writer(inner instanceof SupportsDirectWrites direct ? direct.create(key) : inner.create(), key);
  }

  @Override
  public void delete(Key key) throws IOException {
    check(Op.DELETE, key);
    inner.delete(key);
  }

  /** Deletes, in one call underneath, the keys before the first that fails. */
  @Override
  public void deleteAll(List<Key> keys) throws IOException {
    for (int i = 0; i < keys.size(); i++) {
      try {
        check(Op.DELETE, keys.get(i));
      } catch (Fault fault) {
        inner.deleteAll(keys.subList(0, i));
        throw fault;
      }
    }
    inner.deleteAll(keys);
  }

  @Override
  public void list(Key prefix, Consumer<ObjectInfo> sink) throws IOException {
    check(Op.LIST, prefix);
    inner.list(prefix, sink);
  }

  @Override
  public GenerationLinks generations() {
    return links;
  }

  @Override
  public String location(Key key) {
    return inner.location(key);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }

  private final class Links implements GenerationLinks {
    @Override
    public void list(Scope scope, Consumer<Generation> sink) throws IOException {
      check(Op.LIST, scope.container().map(StoreLayout.GENERATIONS::resolve).orElse(StoreLayout.GENERATIONS));
      inner.generations().list(scope, sink);
    }

    @Override
    public boolean create(Generation generation) throws IOException {
      check(Op.LINK, linkKey(generation));
      return inner.generations().create(generation);
    }

    @Override
    public void delete(Generation generation) throws IOException {
      check(Op.DELETE, linkKey(generation));
      inner.generations().delete(generation);
    }

    @Override
    public void deleteAll(List<Generation> generations) throws IOException {
      for (int i = 0; i < generations.size(); i++) {
        try {
          check(Op.DELETE, linkKey(generations.get(i)));
        } catch (Fault fault) {
          inner.generations().deleteAll(generations.subList(0, i));
          throw fault;
        }
      }
      inner.generations().deleteAll(generations);
    }
  }

  /** Passes writes and the commit through, unless a fault is armed for them. */
  private final class Writer implements ObjectWriter {
    private final ObjectWriter writer;
    private final OutputStream output;

    Writer(ObjectWriter writer, Key key) {
      this.writer = writer;
      this.output = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          check(Op.WRITE, key);
          writer.output().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
          writer.output().flush();
        }

        @Override
        public void close() throws IOException {
          writer.output().close();
        }
      };
    }

    @Override
    public OutputStream output() {
      return output;
    }

    @Override
    public void commit(Key key) throws IOException {
      try {
        check(Op.COMMIT, key);
      } catch (Fault fault) {
        writer.close();
        throw fault;
      }
      writer.commit(key);
    }

    @Override
    public void close() {
      writer.close();
    }

    @Override
    public String describe() {
      return writer.describe();
    }
  }
}
