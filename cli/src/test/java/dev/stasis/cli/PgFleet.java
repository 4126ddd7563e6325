package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stasis.deploy.Agent;
import dev.stasis.deploy.Coordinator;
import dev.stasis.deploy.DeployLock;
import dev.stasis.deploy.Manifest;
import dev.stasis.deploy.Outcome;
import dev.stasis.deploy.Targets;
import dev.stasis.fs.FsBackend;
import dev.stasis.fs.FsLocks;
import dev.stasis.modules.spi.Host;
import dev.stasis.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Two local targets, {@code a} and {@code b}, each with a {@code postgresql-database} container
 * on a {@link PgServer} of its own and a store under the test's directory, and a coordinator's
 * store beside them: the deployment commands run in-process, as {@code stasis deploy} runs them.
 * What the coordinator says (one line per step, such as {@code [target a] snapshotting shop ...})
 * goes to {@link #messages()} and to a {@link Window} given, which runs checks at a step.
 */
final class PgFleet {
  /** The tables of the databases {@link #fill} makes, and how each one's rows are ordered. */
  static final Map<String, String> TABLES = Map.of("customers", "id", "orders", "id", "notes", "order_id");

  final Path root;
  final Path coordinatorDir;
  final PgServer a;
  final PgServer b;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Host host;

  PgFleet(Path root, PgServer a, PgServer b) {
    this.root = root;
    this.coordinatorDir = root.resolve("coordinator");
    this.a = a;
    this.b = b;
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    this.host = new Host(errStream, errStream, Map.of("PATH", System.getenv("PATH")), root, coordinatorDir, "stasis",
        false);
  }

  /** The store of target {@code t}. */
  Path store(String t) {
    return root.resolve("state-" + t);
  }

  /** A deployment of database services, each {@code service=target}, written to {@code name}. */
  Path deployment(String name, String... placements) throws IOException {
    StringBuilder toml = new StringBuilder();
    for (String t : List.of("a", "b")) {
      PgServer server = t.equals("a") ? a : b;
      toml.append("[targets.").append(t).append("]\naddress = \"local\"\nstatedir = \"").append(store(t))
          .append("\"\n[targets.").append(t).append(".containers.postgresql-database]\n")
          .append("postgresqlUsername = \"postgres\"\npostgresqlPort = ").append(PgServer.PORT)
          .append("\npostgresqlRuntimeDir = \"").append(server.socketDir()).append("\"\n\n");
    }
    for (String p : placements) {
      String[] kv = p.split("=");
      toml.append("[services.").append(kv[0]).append("]\ntarget = \"").append(kv[1])
          .append("\"\ncontainer = \"postgresql-database\"\n\n");
    }
    Path file = root.resolve(name);
    Files.writeString(file, toml);
    return file;
  }

  /**
   * {@code stasis deploy migrate --from old --to now}: the deployment lock, the coordinator's
   * store, the targets; every line the coordinator says is shown to {@code window} first.
   */
  List<Outcome> migrate(Path old, Path now, boolean deleteState, boolean depthFirst, Window window)
      throws Exception {
    Manifest m = Manifest.read(now);
    try (DeployLock lock = DeployLock.take(coordinatorDir, "test", false, host.err());
        Agent coordinator = new Agent("coordinator", host, open(coordinatorDir));
        Targets targets = new Targets(host, PgFleet::open)) {
      Coordinator c = new Coordinator(m, coordinator, targets, coordinatorDir, line -> {
        host.err().println("stasis: " + line);
        window.told(line);
      });
      List<Outcome> outcomes = c.migrate(Manifest.read(old), deleteState, depthFirst, false);
      window.rethrow();
      return outcomes;
    }
  }

  List<Outcome> migrate(Path old, Path now, boolean deleteState, boolean depthFirst) throws Exception {
    return migrate(old, now, deleteState, depthFirst, new Window());
  }

  static Store open(Path dir) throws IOException {
    return Store.open(FsBackend.open(dir), FsLocks.forRoot(dir), Duration.ofSeconds(30));
  }

  /** Everything the deployment layer and the modules said. */
  String messages() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /**
   * Makes {@code db} on {@code server}: three tables (a few thousand rows, deterministic), a
   * unique and a two-column index, a foreign key, a view, sequences, jsonb, and rights for the
   * role {@code app}, which both servers have.
   */
  static void fill(PgServer server, String db, int customers) throws IOException {
    server.sql("postgres", "CREATE DATABASE \"" + db + "\"");
    server.sql(db, """
        CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text NOT NULL);
        CREATE UNIQUE INDEX customers_email ON customers (email);
        CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,
            placed date NOT NULL, total numeric(10, 2) NOT NULL);
        CREATE INDEX orders_by_customer ON orders (customer_id, placed);
        CREATE TABLE notes (order_id int PRIMARY KEY REFERENCES orders, body text, meta jsonb);
        CREATE VIEW big_orders AS SELECT o.id, c.email, o.total FROM orders o JOIN customers c
            ON c.id = o.customer_id WHERE o.total > 900;
        INSERT INTO customers (name, email)
            SELECT 'customer ' || i, 'c' || i || '@example.org' FROM generate_series(1, %1$d) i;
        INSERT INTO orders (customer_id, placed, total)
            SELECT 1 + i %% %1$d, date '2024-01-01' + i %% 365, (i * 7919 %% 100000) / 100.0
            FROM generate_series(1, %1$d * 2) i;
        INSERT INTO notes SELECT i, md5(i::text), jsonb_build_object('n', i, 'tags', jsonb_build_array('x', i %% 7))
            FROM generate_series(1, %1$d * 2, 3) i;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO app
        """.formatted(customers));
  }

  /** Every row of {@link #TABLES} in {@code db} and where its sequences stand, as query results. */
  static List<String> rows(PgServer server, String db) throws IOException {
    List<String> all = new ArrayList<>();
    for (String table : List.of("customers", "orders", "notes")) {
      all.add("-- " + table);
      all.addAll(server.rows(db, "SELECT * FROM " + table + " ORDER BY " + TABLES.get(table)));
    }
    all.addAll(server.rows(db, "SELECT 'customers_id_seq', last_value, is_called FROM customers_id_seq"
        + " UNION ALL SELECT 'orders_id_seq', last_value, is_called FROM orders_id_seq"));
    return all;
  }

  /** The number of rows in {@code db}'s customers. */
  static int customers(PgServer server, String db) throws IOException {
    return Integer.parseInt(server.sql(db, "SELECT count(*) FROM customers"));
  }

  /** {@code db}'s schema: {@code pg_dump --schema-only} with a fixed {@code \restrict} key, so two dumps compare. */
  static String schema(PgServer server, String db) throws IOException {
    return server.dump(db, "--schema-only", "--restrict-key=fixedForComparing");
  }

  /**
   * Checks to run when the coordinator says a line that starts with a prefix, each once, in the
   * migrating thread: the migration waits for them. A check that fails is rethrown after the
   * migration (not inside it, where it would count as the migration's own failure).
   */
  static final class Window {
    /** A check; it may throw anything. */
    @FunctionalInterface
    interface Check {
      void run() throws Exception;
    }

    private final List<String> prefixes = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<Boolean> ran = new ArrayList<>();
    private Throwable failed;

    Window at(String prefix, Check check) {
      prefixes.add(prefix);
      checks.add(check);
      ran.add(false);
      return this;
    }

    void told(String line) {
      for (int i = 0; i < prefixes.size(); i++) {
        if (!ran.get(i) && line.startsWith(prefixes.get(i))) {
          ran.set(i, true);
          try {
            checks.get(i).run();
          } catch (Throwable t) {
            if (failed == null) {
              failed = t;
            } else {
              failed.addSuppressed(t);
            }
          }
        }
      }
    }

    /** Rethrows the first failed check; fails when a step never came. */
    void rethrow() throws Exception {
      if (failed instanceof Exception e) {
        throw e;
      }
      if (failed instanceof Error e) {
        throw e;
      }
      for (int i = 0; i < prefixes.size(); i++) {
        assertEquals(true, ran.get(i), "the coordinator never said a line starting with '" + prefixes.get(i) + "'");
      }
    }
  }
}
