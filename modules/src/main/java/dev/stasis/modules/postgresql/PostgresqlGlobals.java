package dev.stasis.modules.postgresql;

import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.DumpSink;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server-wide part of a {@code postgresql-database} container: its roles, their attributes
 * (password hashes included) and memberships, and their settings, as
 * {@code pg_dumpall --globals-only} prints them. Stored as the component {@value #COMPONENT} of
 * the container, so that a fresh server can get the owners back before its databases are
 * restored: {@code stasis dump pgc/@globals/ID | psql -X -d postgres} (roles that exist, such as
 * {@code postgres}, report "already exists" and are left as they are).
 *
 * <p>Only snapshotted ({@code stasis snapshot -C FILE --globals}); there is no database to
 * activate, restore beside and swap in, so the other operations are usage errors.
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

  @Override
  public Restore restore(Target t, InputStream dump) {
    throw unsupported("restore");
  }

  @Override
  public void drop(Target t) {
    throw unsupported("collect-garbage");
  }

  private static UsageException unsupported(String operation) {
    return new UsageException("%s: the roles of a server (%s) are only snapshotted; to restore them on a fresh"
        + " server, run: stasis dump CONTAINER/%s/ID | psql -X -d postgres", operation, COMPONENT, COMPONENT);
  }
}
