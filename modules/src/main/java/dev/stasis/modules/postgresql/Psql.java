package dev.stasis.modules.postgresql;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.process.ClientTool;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.DumpSink;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * psql for the {@code postgresql-database} module: connection arguments from the container,
 * and SQL sent on stdin with names passed as psql variables ({@code :'name'} quotes a
 * literal, {@code :"name"} an identifier), so no database name is ever spliced into SQL.
 */
final class Psql {
  private final Target target;
  private final ClientTool tool;
  private final String user;
  private final int port;

  /** @throws dev.stasis.modules.spi.UsageException when {@code postgresqlPort} is no port */
  Psql(Target t) {
    this.target = t;
    this.port = t.port("postgresqlPort", 5432);
    this.user = t.property("postgresqlUsername", "postgres");
    String password = t.properties().get("postgresqlPassword");
    // With a password, authenticate by it as ourselves; without, as root, be the role's OS user (peer).
    Map<String, String> secrets = password == null ? Map.of() : Map.of("PGPASSWORD", password);
    this.tool = new ClientTool(t, password == null ? user : null, secrets);
  }

  ClientTool tool() {
    return tool;
  }

  String user() {
    return user;
  }

  /** {@code -h HOST -p PORT -U USER -d DB}. */
  List<String> connection(String database) {
    List<String> args = new ArrayList<>(server());
    // as a connection string: a bare name holding '=' or a URI prefix would be parsed as one
    args.addAll(List.of("-d", "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'"));
    return args;
  }

  /** {@code -h HOST -p PORT -U USER}: the server and role, for tools that take no {@code -d DB} (pg_dumpall). */
  List<String> server() {
    String host = target.property("postgresqlHost", target.property("postgresqlRuntimeDir", "/var/run/postgresql"));
    return List.of("-h", host, "-p", Integer.toString(port), "-U", user);
  }

  /** A name for a database beside {@code db}, short enough for PostgreSQL's 63-byte names. */
  static String sideName(String db, String purpose) {
    return "stasis_" + DigestUtils.sha256Hex(db.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + "_" + purpose;
  }

  /** Runs SQL in the maintenance database {@code postgres}; {@code vars} are name, value pairs. */
  String sql(String sql, String... vars) throws IOException {
    return run("postgres", sql, vars);
  }

  /** One value from the maintenance database. */
  String query(String sql, String... vars) throws IOException {
    return run("postgres", sql, vars).strip();
  }

  private String run(String database, String sql, String... vars) throws IOException {
    List<String> command = new ArrayList<>(List.of("psql", "-X", "-q", "-A", "-t", "-w", "-v", "ON_ERROR_STOP=1"));
    for (int i = 0; i < vars.length; i += 2) {
      command.add("-v");
      command.add(vars[i] + "=" + vars[i + 1]);
    }
    command.addAll(connection(database));
    // "does not exist, skipping" and the like are not news
    return tool.run(command, "SET client_min_messages = warning;\n" + sql + ";\n", "psql on " + database);
  }

  /**
   * Runs a dumper ({@code pg_dump}, {@code pg_dumpall}) into {@code sink}, its random
   * {@code \restrict} key swapped for one of the store's for this component and dumper
   * ({@link RestrictKey}): unchanged state dumps to the same bytes, and no key is in any argv.
   */
  void dump(List<String> command, String description, DumpSink sink) throws IOException {
    String keys = StoreSecret.derive(target.host().stateDir(), command.get(0) + " restrict key " + target.ref(), 256);
    try (ChildProcess p = tool.dumper(command, description)) {
      p.dumpTo(sink, out -> RestrictKey.rekeyed(out, length -> keys.substring(0, length)));
    }
  }

  /** A dumper's {@code --version} line and the server's version: facts for a snapshot's metadata. */
  Map<String, String> versions(String dumper) throws IOException {
    String version = tool.run(List.of(dumper, "--version"), "", dumper + " --version").strip();
    return Map.of("dumper", version, "server", query("SHOW server_version"));
  }

  /** Runs a script file in {@code database}, stopping at its first error. */
  void script(String database, Path file) throws IOException {
    List<String> command = new ArrayList<>(List.of("psql", "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-1"));
    command.addAll(connection(database));
    tool.run(command, java.nio.file.Files.readString(file, StandardCharsets.UTF_8), "psql " + file.getFileName());
  }

  /**
   * psql reading a dump on stdin into {@code database}, stopping at the first error. Not one
   * transaction: {@code database} is a side database, dropped unless the whole dump loaded, so
   * the restore is all or nothing without one (which costs about a tenth of the load time).
   */
  List<String> restoreCommand(String database) {
    List<String> command = new ArrayList<>(List.of("psql", "-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"));
    command.addAll(connection(database));
    return command;
  }

  boolean exists(String db) throws IOException {
    return query("SELECT 1 FROM pg_database WHERE datname = :'db'", "db", db).equals("1");
  }

  void requireDatabase(String db) throws IOException {
    if (!exists(db)) {
      throw new NotFoundException("no database %s on the PostgreSQL server of container %s (activate it first)",
          db, target.ref().container());
    }
  }

  /** Creates {@code side} from template0 with the owner, encoding and locale of {@code db} (or defaults). */
  void createLike(String side, String db) throws IOException {
    String like = query("SELECT pg_get_userbyid(datdba) || '|' || pg_encoding_to_char(encoding) || '|' || datcollate"
        + " || '|' || datctype FROM pg_database WHERE datname = :'db'", "db", db);
    if (like.isEmpty()) {
      sql("CREATE DATABASE :\"side\" TEMPLATE template0 OWNER :\"owner\"", "side", side, "owner", user);
      return;
    }
    String[] f = like.split("\\|", 4);
    sql("CREATE DATABASE :\"side\" TEMPLATE template0 OWNER :\"owner\" ENCODING :'enc' LC_COLLATE :'collate'"
        + " LC_CTYPE :'ctype'", "side", side, "owner", f[0], "enc", f[1], "collate", f[2], "ctype", f[3]);
  }

  /**
   * Swaps {@code side} in as {@code db}: no new connections to the live database, its sessions
   * ended, then both renames in one transaction, then the old one dropped.
   */
  void swapIn(String side, String db) throws IOException {
    if (!exists(db)) {
      sql("ALTER DATABASE :\"side\" RENAME TO :\"db\"", "side", side, "db", db);
      return;
    }
    String old = sideName(db, "old");
    sql("DROP DATABASE IF EXISTS :\"old\" WITH (FORCE)", "old", old);
    sql("ALTER DATABASE :\"db\" ALLOW_CONNECTIONS false", "db", db);
    try {
      sql("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = :'db'"
          + " AND pid <> pg_backend_pid();\n"
          + "BEGIN;\nALTER DATABASE :\"db\" RENAME TO :\"old\";\nALTER DATABASE :\"side\" RENAME TO :\"db\";\nCOMMIT",
          "db", db, "side", side, "old", old);
    } catch (IOException | RuntimeException e) {
      sql("ALTER DATABASE :\"db\" ALLOW_CONNECTIONS true", "db", db);
      throw e;
    }
    sql("DROP DATABASE :\"old\" WITH (FORCE)", "old", old);
  }

  /**
   * Quiesces {@code db} until {@link #unlock}: no new connections but superusers' (so stasis can
   * still dump it), new sessions read-only, current sessions ended. Kept in the catalog, so it
   * outlasts this process; the previous connection limit is kept there too.
   */
  void lock(String db) throws IOException {
    requireDatabase(db);
    if (!saved(db).isEmpty()) {
      return;
    }
    if (!maySaveLimit()) {
      throw new StoreException("role %s may not lock database %s: the lock saves its connection limit in the"
          + " setting stasis.saved_connlimit, which PostgreSQL lets only superusers set; as a superuser, run"
          + " GRANT SET ON PARAMETER stasis.saved_connlimit TO %s", user, db, user);
    }
    String limit = query("SELECT datconnlimit FROM pg_database WHERE datname = :'db'", "db", db);
    // all of the lock or none of it; sessions are ended only once no new one may start
    sql("BEGIN;\nALTER DATABASE :\"db\" SET stasis.saved_connlimit = :'limit';\n"
        + "ALTER DATABASE :\"db\" CONNECTION LIMIT 0;\n"
        + "ALTER DATABASE :\"db\" SET default_transaction_read_only = on;\nCOMMIT;\n"
        + "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = :'db'"
        + " AND pid <> pg_backend_pid()", "db", db, "limit", limit);
  }

  /** PostgreSQL 15 lets only superusers, and roles granted it, set a custom parameter such as ours; 14 lets anyone. */
  private boolean maySaveLimit() throws IOException {
    if (query("SELECT rolsuper OR current_setting('server_version_num')::int < 150000 FROM pg_roles"
        + " WHERE rolname = current_user").equals("t")) {
      return true;
    }
    return query("SELECT has_parameter_privilege('stasis.saved_connlimit', 'SET')").equals("t");
  }

  void unlock(String db) throws IOException {
    requireDatabase(db);
    String limit = saved(db);
    if (limit.isEmpty()) {
      return;
    }
    sql("ALTER DATABASE :\"db\" CONNECTION LIMIT :limit;\n"
        + "ALTER DATABASE :\"db\" RESET default_transaction_read_only;\n"
        + "ALTER DATABASE :\"db\" RESET stasis.saved_connlimit", "db", db, "limit", Integer.toString(Integer.parseInt(limit)));
  }

  /** The connection limit {@link #lock} saved, or empty when the database is not locked. */
  private String saved(String db) throws IOException {
    return query("SELECT split_part(s, '=', 2) FROM pg_db_role_setting r, unnest(r.setconfig) s"
        + " WHERE r.setrole = 0 AND r.setdatabase = (SELECT oid FROM pg_database WHERE datname = :'db')"
        + " AND s LIKE 'stasis.saved_connlimit=%'", "db", db);
  }
}
