package dev.stasis.modules.postgresql;

import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.DumpSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The server-wide part of a {@code postgresql-database} container: its roles, their attributes
 * (password hashes included) and memberships, and their settings, as
 * {@code pg_dumpall --globals-only} prints them. Stored as the component {@value #COMPONENT} of
 * the container, so that a fresh server can get the owners back before its databases are
 * restored: {@code stasis dump pgc/@globals/ID | psql -X -d postgres} (roles that exist, such as
 * {@code postgres}, report "already exists" and are left as they are).
 *
 * <p>Snapshotted by {@code stasis snapshot -C FILE --globals} and by a deployment's migration;
 * a restore (a migration's, before its databases) gives the server only the roles it lacks
 * ({@link RoleScript}): roles it has keep their attributes and passwords. There is no database
 * to activate or drop, so those operations are usage errors.
 */
public final class PostgresqlGlobals implements Module {
  public static final String COMPONENT = "@globals";

  @Override
  public String dumpName() {
    return "globals.pgsql";
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    Psql psql = new Psql(t);
    List<String> command = new ArrayList<>(List.of("pg_dumpall", "--globals-only", "--no-password",
        "-l", "postgres"));
    command.addAll(psql.server());
    psql.dump(command, "pg_dumpall --globals-only", sink);
  }

  @Override
  public Map<String, String> attributes(Target t) throws IOException {
    return new Psql(t).versions("pg_dumpall");
  }

  @Override
  public void check(Target t) {
    new Psql(t);
  }

  @Override
  public void activate(Target t) {
    throw unsupported("activate");
  }

  /**
   * Reads the roles dump and prepares the statements that create the roles the server lacks; they
   * run, in one transaction, only at commit (after the snapshot verified).
   */
  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    Psql psql = new Psql(t);
    String text = new String(dump.readAllBytes(), StandardCharsets.UTF_8);
    Set<String> existing = new HashSet<>(List.of(psql.query("SELECT string_agg(rolname, E'\\n') FROM pg_roles")
        .split("\n")));
    List<String> statements = RoleScript.missing(text, existing);
    return new Restore() {
      @Override
      public void commit() throws IOException {
        if (!statements.isEmpty()) {
          psql.sql("BEGIN;\n" + String.join("\n", statements) + "\nCOMMIT");
        }
        t.host().detail("created " + statements.stream().filter(s -> s.regionMatches(true, 0, "CREATE", 0, 6))
            .count() + " role(s) the server lacked");
      }

      @Override
      public void close() {
        // nothing was prepared beside the live roles
      }
    };
  }

  @Override
  public void drop(Target t) {
    throw unsupported("collect-garbage");
  }

  private static UsageException unsupported(String operation) {
    return new UsageException("%s: the roles of a server (%s) are snapshotted and restored (roles it lacks), not"
        + " activated or dropped", operation, COMPONENT);
  }
}
