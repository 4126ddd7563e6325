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
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real MariaDB server for one test class: {@code mariadb-install-db} and {@code mariadbd},
 * listening only on a unix socket in a directory of its own, shut down after the class. Every
 * test starts with no databases but the server's own and the server writable.
 *
 * <p>{@code root} logs in without a password ({@code --auth-root-authentication-method=normal},
 * not the unix_socket authentication Debian's package sets up). The account {@code app} has every
 * privilege and logs in with {@link #PASSWORD}, which holds characters an option file must quote.
 *
 * <pre>{@code @RegisterExtension static final MariadbServer mariadb = new MariadbServer();}</pre>
 */
final class MariadbServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  /** The secret part of {@link #PASSWORD}, which tests look for where it must never be. */
  static final String SECRET = "pw" + Long.toHexString(Double.doubleToLongBits(Math.random()));
  /**
   * A password an option file must quote and escape: a comment sign, a double quote, a space, a
   * semicolon and a backslash around the secret. No single quote, so a container file can hold
   * it in single quotes.
   */
  static final String PASSWORD = "#" + SECRET + "\" ;x\\y";
  /** Only keeps a hung process from stalling the build; nothing waits for it to pass. */
  static final long GUARD_SECONDS = 300;
  private static final List<String> SYSTEM = List.of("information_schema", "mysql", "performance_schema", "sys");
  private static final boolean ROOT = ClientTool.isRoot();

  private Path dir;
  private Process server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    // Not JUnit's @TempDir: that is 0700 and root's, and the server runs as mysql. Short, because
    // a unix socket path must stay under 107 bytes.
    dir = Files.createTempDirectory(Path.of("/tmp"), "mdb");
    if (ROOT) {
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName("mysql"));
      view.setGroup(users.lookupPrincipalByGroupName("mysql"));
    }
    List<String> install = new ArrayList<>(List.of("mariadb-install-db", "--no-defaults",
        "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=normal", "--skip-test-db"));
    if (ROOT) {
      install.add("--user=mysql");
    }
    run(install, "");
    start();
    sql("", "CREATE USER app@localhost IDENTIFIED BY '" + PASSWORD.replace("\\", "\\\\") + "';\n"
        + "GRANT ALL PRIVILEGES ON *.* TO app@localhost");
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      stop();
    } finally {
      DurableFiles.deleteTree(dir);
    }
  }

  /** Drops what an earlier test of the class left: its databases, and a read-only server. */
  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    StringBuilder drops = new StringBuilder("SET GLOBAL read_only = OFF;\n");
    for (String db : rows("", "SHOW DATABASES")) {
      if (!SYSTEM.contains(db)) {
        drops.append("DROP DATABASE `").append(db.replace("`", "``")).append("`;\n");
      }
    }
    sql("", drops.toString());
  }

  /** Starts {@code mariadbd} and returns once it answers a ping. */
  void start() throws IOException {
    List<String> command = new ArrayList<>(List.of(mariadbd(), "--no-defaults", "--datadir=" + dir.resolve("data"),
        "--socket=" + socket(), "--skip-networking", "--pid-file=" + dir.resolve("pid"),
        "--log-error=" + dir.resolve("error.log")));
    if (ROOT) {
      command.add("--user=mysql");
    }
    server = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("console.log").toFile()).start();
    // A condition wait: ping until it answers; each failed ping backs off a little.
    for (int attempt = 0; ; attempt++) {
      if (!server.isAlive()) {
        throw new AssertionError("mariadbd exited with " + server.exitValue() + ":\n" + log());
      }
      Process ping = new ProcessBuilder(admin("ping")).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (waitFor(ping) == 0) {
        return;
      }
      if (attempt > 6000) {
        throw new AssertionError("mariadbd never answered a ping:\n" + log());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** {@code mariadb-admin shutdown}: the server is down (its socket gone) when it returns. */
  void stop() throws IOException {
    run(admin("shutdown"), "");
    waitFor(server);
  }

  /** The socket: a container's {@code mysqlSocket}. */
  Path socket() {
    return dir.resolve("sock");
  }

  /** A directory of this server's, which its test may use for files a process must read. */
  Path dir() {
    return dir;
  }

  /** A {@code mysql-database} container file connecting as root, plus {@code extra} lines. */
  Path container(DysnomiaHost host, String name, String... extra) throws IOException {
    List<String> lines = new ArrayList<>(List.of("type=mysql-database", "mysqlSocket=" + socket()));
    lines.addAll(List.of(extra));
    return host.container(name, lines.toArray(String[]::new));
  }

  /** Runs {@code sql} as root in {@code db} (none when empty), stopping at the first error; returns its rows, tab-separated. */
  String sql(String db, String sql) throws IOException {
    return run(client(db), sql).strip();
  }

  /** The rows of a query, one line each. */
  List<String> rows(String db, String query) throws IOException {
    String out = sql(db, query);
    return out.isEmpty() ? List.of() : out.lines().toList();
  }

  /** The databases of the server but its own. */
  List<String> databases() throws IOException {
    return rows("", "SHOW DATABASES").stream().filter(d -> !SYSTEM.contains(d)).sorted().toList();
  }

  /** The whole of {@code db} as root's mariadb-dump prints it: equal dumps, equal databases. */
  String dump(String db) throws IOException {
    return run(List.of("mariadb-dump", "--no-defaults", "--socket=" + socket(), "--user=root", "--single-transaction",
        "--routines", "--events", "--triggers", "--skip-dump-date", db), "");
  }

  /** The mariadb client as root: batch mode, no column names, no option files. */
  List<String> client(String db) {
    List<String> command = new ArrayList<>(List.of("mariadb", "--no-defaults", "--socket=" + socket(), "--user=root",
        "--batch", "--skip-column-names"));
    if (!db.isEmpty()) {
      command.add("--database=" + db);
    }
    return command;
  }

  private List<String> admin(String command) {
    return List.of("mariadb-admin", "--no-defaults", "--socket=" + socket(), "--user=root", command);
  }

  private static String mariadbd() {
    Path sbin = Path.of("/usr/sbin/mariadbd");
    return Files.isExecutable(sbin) ? sbin.toString() : "mariadbd";
  }

  private String log() throws IOException {
    Path log = dir.resolve("error.log");
    return Files.exists(log) ? Files.readString(log) : "(no error log)";
  }

  private static int waitFor(Process p) throws IOException {
    try {
      if (!p.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(p.info().commandLine().orElse("a process") + " did not end within " + GUARD_SECONDS
            + "s");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Runs {@code command} with {@code input} on stdin; fails the test, quoting it, when it exits non-zero. */
  static String run(List<String> command, String input) throws IOException {
    Process p = new ProcessBuilder(command).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // both drained while stdin is written, so a chatty tool never blocks on a full pipe
    List<Thread> readers = List.of(drain(p.getInputStream(), out), drain(p.getErrorStream(), err));
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    int status = waitFor(p);
    try {
      for (Thread t : readers) {
        t.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    assertEquals(0, status, () -> String.join(" ", command) + " failed:\n" + input + "\n"
        + out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream out) {
    Thread t = new Thread(() -> {
      try (in) {
        in.transferTo(out);
      } catch (IOException e) {
        // the process ended; its exit status tells the rest
      }
    }, "output of a MariaDB tool");
    t.start();
    return t;
  }
}
