package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.process.ClientTool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server for one test class: {@code initdb} and {@code pg_ctl} of the newest
 * {@code /usr/lib/postgresql/<version>}, listening only on a unix socket in a directory of its
 * own, stopped after the class. Every test starts with no databases but the three initdb makes.
 *
 * <p>As root (PostgreSQL refuses to run as root) the server and every client the tests start
 * run as the {@code postgres} OS user, with peer authentication as Dysnomia's containers use it.
 * The role {@code app} logs in with {@link #PASSWORD} over the same socket (scram-sha-256).
 *
 * <pre>{@code @RegisterExtension static final PgServer pg = new PgServer();}</pre>
 */
final class PgServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  /** The password of the role {@code app}; tests look for it where it must never be. */
  static final String PASSWORD = "pw-" + UUID.randomUUID();
  /**
   * Any port does: the server listens on no TCP port and its socket is in a directory of its
   * own, so the port only names the socket file (and other servers may use it too).
   */
  static final int PORT = 5439;
  /** Only keeps a hung process from stalling the build; nothing waits for it to pass. */
  static final long GUARD_SECONDS = 300;

  private static final boolean ROOT = ClientTool.isRoot();
  private Path bin;
  private Path dir;
  private boolean running;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    bin = newestBin();
    // Not JUnit's @TempDir: that is 0700 and root's, and the server's user must enter it. Short,
    // because a unix socket path must stay under 107 bytes.
    dir = Files.createTempDirectory(Path.of("/tmp"), "pg");
    if (ROOT) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName("postgres"));
      GroupPrincipal group = users.lookupPrincipalByGroupName("postgres");
      view.setGroup(group);
    }
    // The superuser is postgres, as on Debian. Not as root (a developer's own account) the OS
    // user is not postgres, so the socket trusts instead of asking the OS who connects.
    run(asServerUser(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", "postgres",
        "--auth-local=" + (ROOT ? "peer" : "trust"), "--auth-host=scram-sha-256", "-E", "UTF8",
        "--locale=C.UTF-8")), "");
    // The first matching line wins: app authenticates by password, everyone else as before.
    Path hba = data().resolve("pg_hba.conf");
    Files.writeString(hba, "local all app scram-sha-256\n" + Files.readString(hba));
    start();
    sql("postgres", "CREATE ROLE app LOGIN CREATEDB PASSWORD '" + PASSWORD + "'");
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (dir == null) {
      return;
    }
    try {
      if (running) {
        stop();
      }
    } finally {
      DurableFiles.deleteTree(dir);
    }
  }

  /** Drops what an earlier test of the class left: its databases and the lock privilege it granted. */
  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    for (String db : sql("postgres", "SELECT datname FROM pg_database WHERE datname NOT IN"
        + " ('postgres', 'template0', 'template1')").lines().toList()) {
      sql("postgres", "DROP DATABASE \"" + db + "\" WITH (FORCE)");
    }
    sql("postgres", "REVOKE ALL ON PARAMETER stasis.saved_connlimit FROM app");
  }

  /** {@code pg_ctl start}; {@code -w} returns once the server accepts connections. */
  void start() throws IOException {
    Path log = dir.resolve("log");
    try {
      run(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-w", "-l", log.toString(),
          "-o", "-k " + dir + " -c listen_addresses= -p " + PORT, "start")), "");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\nserver log:\n" + Files.readString(log), e);
    }
    running = true;
  }

  /** {@code pg_ctl stop -m fast}: sessions are ended, the server is down when it returns. */
  void stop() throws IOException {
    run(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-w", "-m", "fast",
        "stop")), "");
    running = false;
  }

  /** The socket directory: a container's {@code postgresqlRuntimeDir}. */
  Path socketDir() {
    return dir;
  }

  /** Runs {@code sql} in {@code db} as the superuser, stopping at its first error; returns its rows. */
  String sql(String db, String sql) throws IOException {
    return run(psql(db), sql).strip();
  }

  /** {@code pg_dump OPTIONS db} as the superuser; fails the test when it fails. */
  String dump(String db, String... options) throws IOException {
    List<String> command = new ArrayList<>(List.of(bin.resolve("pg_dump").toString()));
    command.addAll(List.of(options));
    command.addAll(List.of("-h", dir.toString(), "-p", Integer.toString(PORT), "-U", "postgres", "-d", conninfo(db)));
    return run(asServerUser(command), "");
  }

  /** The rows of a query, one line each. */
  List<String> rows(String db, String query) throws IOException {
    String out = sql(db, query);
    return out.isEmpty() ? List.of() : out.lines().toList();
  }

  /** How a client run ended. */
  record Outcome(int exit, String out, String err) {}

  /**
   * Runs {@code sql} in {@code db} as the role {@code app}, authenticated by its password (given
   * in the environment, as stasis gives it); a refused connection is an outcome, not a failure.
   */
  Outcome asApp(String db, String sql) throws IOException {
    ProcessBuilder pb = builder(List.of("psql", "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1",
        "-h", dir.toString(), "-p", Integer.toString(PORT), "-U", "app", "-d", conninfo(db), "-c", sql));
    pb.environment().put("PGPASSWORD", PASSWORD);
    Process p = pb.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<Thread> readers = List.of(drain(p.getInputStream(), out), drain(p.getErrorStream(), err));
    p.getOutputStream().close();
    int exit = await(p, List.of("psql -U app"), readers);
    return new Outcome(exit, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8));
  }

  /** The role that owns {@code db}. */
  String owner(String db) throws IOException {
    return sql("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" + db + "'");
  }

  /** The databases of the server, initdb's three included. */
  List<String> databases() throws IOException {
    return rows("postgres", "SELECT datname FROM pg_database ORDER BY datname");
  }

  /** psql as the superuser on {@code db}: unaligned rows, no headers, no ~/.psqlrc. */
  List<String> psql(String db) {
    return asServerUser(List.of("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir.toString(),
        "-p", Integer.toString(PORT), "-U", "postgres", "-d", conninfo(db)));
  }

  /** {@code command} as the server's OS user (root may not be it; peer authentication checks who it is). */
  static List<String> asServerUser(List<String> command) {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    return full;
  }

  /** A process builder for a client of this server, in a directory the server's user may enter. */
  static ProcessBuilder builder(List<String> command) {
    return new ProcessBuilder(command).directory(Path.of("/").toFile());
  }

  private Path data() {
    return dir.resolve("data");
  }

  /** Runs {@code command} with {@code input} on stdin; fails the test, quoting it, when it exits non-zero. */
  private static String run(List<String> command, String input) throws IOException {
    Process p = builder(command).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // both drained while stdin is written, so a chatty tool never blocks on a full pipe
    List<Thread> readers = List.of(drain(p.getInputStream(), out), drain(p.getErrorStream(), err));
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    int exit = await(p, command, readers);
    assertEquals(0, exit, () -> String.join(" ", command) + " failed:\n" + input + "\n"
        + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Waits (bounded) for {@code p} and for its output to be read; returns its exit status. */
  private static int await(Process p, List<String> command, List<Thread> readers) throws IOException {
    try {
      if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(command + " did not end within " + GUARD_SECONDS + "s");
      }
      for (Thread t : readers) {
        t.join();
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream out) {
    Thread t = new Thread(() -> {
      try (in) {
        in.transferTo(out);
      } catch (IOException e) {
        // the process ended; its exit status tells the rest
      }
    }, "output of a PostgreSQL tool");
    t.start();
    return t;
  }

  /** The bin directory of the newest PostgreSQL installed, as Debian lays them out. */
  private static Path newestBin() throws IOException {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
          .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
          .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin"))
          .orElseThrow(() -> new AssertionError("no /usr/lib/postgresql/<version>/bin/initdb: install postgresql"
              + " (bin/test does)"));
    }
  }

  /** {@code db} as a connection string, so names with '=' or quotes stay names. */
  static String conninfo(String db) {
    return "dbname='" + db.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
