package dev.stasis.modules.mysql;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.process.ClientTool;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MariaDB client tools ({@code mariadb}, {@code mariadb-dump}; MySQL's {@code mysql} and
 * {@code mysqldump} where those are absent) for the {@code mysql-database} module, connected as
 * the container says. A password goes into an option file (mode 0600, in a private temporary
 * directory, deleted by {@link #close()}) named by {@code --defaults-extra-file}, never into
 * argv or the environment ({@code MYSQL_PWD} is deprecated and visible in
 * {@code /proc/PID/environ} to the same user). Names reach SQL quoted by {@link #ident} and
 * {@link #literal}; our own SQL runs with {@code NO_BACKSLASH_ESCAPES}, so doubling a quote is
 * all the escaping there is.
 */
final class MysqlClient implements AutoCloseable {
  /** How the client reports the error it stopped at, the line counted in all of its input. */
  private static final Pattern CLIENT_ERROR = Pattern.compile(
      "(ERROR \\d+(?: \\([0-9A-Z]{5}\\))?) at line (\\d+)(?: in file: '[^'\\n]*')?: ([^\\n]*)");
  private final Target target;
  private final ClientTool tool;
  private final String user;
  private final String client;
  private final String dumper;
  /** {@code mysqlPort}, or 0 (never a port) when the container gives none. */
  private final int port;
  private Path optionDir;
  private Boolean mariadbClient;

  /** The tools for {@code t}; a bad {@code mysqlPort} is a usage error here, before any of them runs. */
  MysqlClient(Target t) {
    this.target = t;
    this.tool = new ClientTool(t, null, Map.of());
    this.port = port(t);
    this.user = t.property("mysqlUsername", "root");
    this.client = program(t, "mariadb", "mysql");
    this.dumper = program(t, "mariadb-dump", "mysqldump");
  }

  /** The container's {@code mysqlPort}, checked; 0 when it has none. */
  static int port(Target t) {
    return t.port("mysqlPort", 0);
  }

  /** MariaDB's name for a tool if it is on the PATH, else MySQL's (as a path: a child's PATH does not pick it). */
  private static String program(Target t, String mariadb, String mysql) {
    List<Path> dirs = new ArrayList<>();
    for (String d : t.host().searchPath().split(":")) {
      if (!d.isEmpty()) {
        dirs.add(t.host().path(d));
      }
    }
    for (String name : List.of(mariadb, mysql)) {
      for (Path dir : dirs) {
        Path p = dir.resolve(name);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    return mariadb;  // not found: starting it fails with a message naming it
  }

  ClientTool tool() {
    return tool;
  }

  /**
   * How to connect: the option file first (the tools read {@code --defaults-extra-file} only as
   * their first argument), then the socket, or TCP on the port.
   */
  List<String> connection() throws IOException {
    List<String> args = new ArrayList<>();
    String password = target.properties().get("mysqlPassword");
    if (password != null && !password.isEmpty()) {
      args.add("--defaults-extra-file=" + optionFile(password));
    } else {
      args.add("--user=" + user);
    }
    String socket = target.properties().get("mysqlSocket");
    if (socket != null && !socket.isEmpty()) {
      args.add("--socket=" + socket);
    } else if (port != 0) {
      args.add("--protocol=TCP");
      args.add("--port=" + port);
    }
    return args;
  }

  private Path optionFile(String password) throws IOException {
    if (optionDir == null) {
      optionDir = Files.createTempDirectory("stasis-mysql",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path file = Files.createFile(optionDir.resolve("client.cnf"),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, "[client]\nuser=" + optionValue(user) + "\npassword=" + optionValue(password) + "\n",
          StandardCharsets.UTF_8);
    }
    return optionDir.resolve("client.cnf");
  }

  /** A value for an option file, quoted so that {@code #}, spaces and quotes stay part of it. */
  private static String optionValue(String v) {
    return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
        .replace("\t", "\\t") + "\"";
  }

  /** The client with the connection arguments and {@code more}. */
  List<String> clientCommand(String... more) throws IOException {
    List<String> command = new ArrayList<>(List.of(client));
    command.addAll(connection());
    command.add("--default-character-set=utf8mb4");
    command.addAll(List.of(more));
    return command;
  }

  /** The dumper with the connection arguments and {@code more}. */
  List<String> dumpCommand(List<String> more) throws IOException {
    List<String> command = new ArrayList<>(List.of(dumper));
    command.addAll(connection());
    command.addAll(more);
    return command;
  }

  String dumperVersion() throws IOException {
    return tool.run(List.of(dumper, "--version"), "", dumper + " --version").strip();
  }

  /** Whether the client is MariaDB's (which knows the sandbox line newer MariaDB dumps begin with). */
  boolean isMariadbClient() throws IOException {
    if (mariadbClient == null) {
      mariadbClient = Path.of(client).getFileName().toString().startsWith("mariadb")
          || tool.run(List.of(client, "--version"), "", client + " --version").contains("MariaDB");
    }
    return mariadbClient;
  }

  /** Runs our own SQL (no result set, or values one per line) and returns what it printed. */
  String sql(String sql) throws IOException {
    return sql(sql, target.host().err());
  }

  /** As {@link #sql(String)}, the client's stderr going to {@code stderr}. */
  String sql(String sql, PrintStream stderr) throws IOException {
    return tool.run(clientCommand("--batch", "--skip-column-names"),
        "SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';\n" + sql + ";\n", Path.of(client).getFileName().toString(),
        stderr);
  }

  /** Runs statements in one session, if there are any. */
  void statements(List<String> statements) throws IOException {
    if (!statements.isEmpty()) {
      sql(String.join(";\n", statements));
    }
  }

  /** The lines of a query's one column. */
  List<String> lines(String sql) throws IOException {
    return sql(sql).lines().filter(l -> !l.isEmpty()).toList();
  }

  /** Names selected as {@code HEX(name)}, so no tab, newline or backslash in a name is garbled. */
  List<String> names(String sql) throws IOException {
    List<String> names = new ArrayList<>();
    for (String line : lines(sql)) {
      names.add(new String(unhex(line), StandardCharsets.UTF_8));
    }
    return names;
  }

  static byte[] unhex(String hex) {
    try {
      return HexFormat.of().parseHex(hex.strip());
    } catch (IllegalArgumentException e) {
      throw new StoreException("the mysql client printed %s where hex digits were expected", hex);
    }
  }

  boolean exists(String db) throws IOException {
    return !lines("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " + literal(db)).isEmpty();
  }

  void requireDatabase(String db) throws IOException {
    if (!exists(db)) {
      throw new NotFoundException("no database %s on the MySQL server of container %s (activate it first)",
          db, target.ref().container());
    }
  }

  /**
   * Runs SQL read from {@code in} (a dump, or a component's scripts) in {@code database},
   * stopping at its first error: the client in batch and binary mode (no client commands such
   * as {@code \!}), fed through {@link MysqlFeed}. If reading {@code in} fails, the client is
   * killed before it sees an end of input.
   */
  void load(String database, InputStream in, String description) throws IOException {
    load(database, in, description, null);
  }

  /**
   * As {@link #load(String, InputStream, String)}; when the client fails "at line N", the error
   * names {@code where.apply(N)} (a script and its own line) instead, given the line of {@code in}.
   */
  void load(String database, InputStream in, String description, LongFunction<String> where) throws IOException {
    try (ChildProcess p = tool.feeder(clientCommand("--batch", "--binary-mode", "--database=" + database),
        description)) {
      OutputStream stdin = p.stdin();
      int leftOut;
      try {
        leftOut = MysqlFeed.copy(in, stdin, !isMariadbClient());
      } catch (MysqlFeed.ClientGone gone) {
        loaded(p, description, where, gone.leftOut);  // it stopped on an error: its status and message say which
        throw new StoreException("%s stopped reading its input", description);
      } catch (IOException | RuntimeException e) {
        p.close();
        throw e;
      }
      stdin.close();
      loaded(p, description, where, leftOut);
    }
  }

  /** Requires the client's success; its "ERROR … at line N" becomes {@code where}'s place for N. */
  private static void loaded(ChildProcess p, String description, LongFunction<String> where, int leftOut)
      throws IOException {
    if (where == null || p.waitFor() == 0) {
      p.requireSuccess();
      return;
    }
    Matcher error = CLIENT_ERROR.matcher(p.said());
    MatchResult last = null;
    while (error.find()) {
      last = error.toMatchResult();
    }
    if (last == null) {
      p.requireSuccess();  // no line to name: the client's own words
      return;
    }
    throw new StoreException("%s failed at %s: %s: %s", description,
        where.apply(Long.parseLong(last.group(2)) + leftOut), last.group(1), last.group(3));
  }

  /** A MySQL identifier. */
  static String ident(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** A string literal under {@code NO_BACKSLASH_ESCAPES}, as {@link #sql} runs. */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * The command for an interactive client session on {@code database}. Its option file must
   * outlive this object, so a shell removes it when the client ends (and the JVM, if it ends first).
   */
  List<String> interactive(String database) throws IOException {
    List<String> command = clientCommand("--database=" + database);
    if (optionDir == null) {
      return command;
    }
    Path dir = optionDir;
    optionDir = null;
    dir.toFile().deleteOnExit();
    dir.resolve("client.cnf").toFile().deleteOnExit();
    List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
        "dir=$1; shift; \"$@\"; status=$?; rm -rf -- \"$dir\"; exit $status", "sh", dir.toString()));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Deletes the option file. */
  @Override
  public void close() throws IOException {
    if (optionDir != null) {
      DurableFiles.deleteTree(optionDir);
      optionDir = null;
    }
  }
}
