package dev.stasis.modules.postgresql;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.DumpSink;
import dev.stasis.store.StoreException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code postgresql-database} type: one database per component, named after it.
 *
 * <p>Container properties: {@code postgresqlUsername} (the role, default {@code postgres}; as
 * root also the OS user the client tools run as, for peer authentication, unless a password
 * is given), {@code postgresqlPort} (default 5432), {@code postgresqlRuntimeDir} (the socket
 * directory, default {@code /var/run/postgresql}), {@code postgresqlHost} (instead of the
 * socket) and {@code postgresqlPassword} (passed as {@code PGPASSWORD}, never in argv).
 *
 * <p>Snapshots are plain {@code pg_dump} output. pg_dump draws a random key for the
 * {@code \restrict} line that protects psql restores from meta-commands hidden in data; stasis
 * gives it a key derived from the store's secret and the component instead ({@link StoreSecret}),
 * so an unchanged database dumps to the same bytes and keeps that protection. A restore goes
 * into a fresh side database in one transaction and is renamed in only when complete.
 */
public final class PostgresqlModule implements Module {
  public static final String TYPE = "postgresql-database";
  private static final Pattern DUMPED_BY = Pattern.compile("-- Dumped by pg_dump version (\\d+)");

  @Override
  public String dumpName() {
    return "dump.pgsql";
  }

  @Override
  public void check(Target t) {
    new Psql(t);
  }

  @Override
  public void activate(Target t) throws IOException {
    Psql psql = new Psql(t);
    String db = t.stateName();
    if (psql.exists(db)) {
      return;
    }
    // Build under a temporary name and rename: a failed script leaves no half-made database.
    String fresh = Psql.sideName(db, "new");
    psql.sql("DROP DATABASE IF EXISTS :\"side\" WITH (FORCE)", "side", fresh);
    psql.sql("CREATE DATABASE :\"side\" OWNER :\"owner\"", "side", fresh, "owner", psql.user());
    try {
      for (Path script : t.files("postgresql-databases", "*.sql")) {
        psql.script(fresh, script);
      }
      psql.sql("ALTER DATABASE :\"side\" RENAME TO :\"db\"", "side", fresh, "db", db);
    } catch (IOException | RuntimeException e) {
      psql.sql("DROP DATABASE IF EXISTS :\"side\" WITH (FORCE)", "side", fresh);
      throw e;
    }
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    Psql psql = new Psql(t);
    psql.requireDatabase(t.stateName());
    List<String> command = new ArrayList<>(List.of("pg_dump", "--no-password"));
    command.addAll(psql.connection(t.stateName()));
    psql.dump(command, "pg_dump of " + t.stateName(), sink);
  }

  @Override
  public Map<String, String> attributes(Target t) throws IOException {
    return new Psql(t).versions("pg_dump");
  }

  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    Psql psql = new Psql(t);
    BufferedInputStream in = new BufferedInputStream(dump, 1 << 16);
    refuseNewerDumper(in, psql);
    String db = t.stateName();
    String side = Psql.sideName(db, "restore");
    psql.sql("DROP DATABASE IF EXISTS :\"side\" WITH (FORCE)", "side", side);
    psql.createLike(side, db);
    try (ChildProcess p = psql.tool().feeder(psql.restoreCommand(side), "psql restore into " + side)) {
      try {
        // the last read verifies the snapshot; on damage psql is killed, never sees the end
        feed(RestrictKey.guarded(in), p.stdin());
      } catch (IOException | RuntimeException e) {
        p.close();
        psql.sql("DROP DATABASE IF EXISTS :\"side\" WITH (FORCE)", "side", side);
        throw e;
      }
      try {
        p.requireSuccess();
      } catch (StoreException e) {
        psql.sql("DROP DATABASE IF EXISTS :\"side\" WITH (FORCE)", "side", side);
        if (p.said().contains("invalid command \\restrict")) {
          throw new StoreException("restoring %s refused: this psql cannot keep a dump's meta-commands (such as"
              + " \\! , a shell) from running (\\restrict came with PostgreSQL 17.6, 16.10, 15.14, 14.19 and"
              + " 13.22); upgrade the PostgreSQL client. The live database is unchanged", db);
        }
        if (p.said().contains("backslash commands are restricted")) {
          throw new StoreException("restoring %s refused: the dump holds a psql meta-command (a line starting with"
              + " a backslash, such as \\! to run a shell), which stasis never runs; the live database is"
              + " unchanged", db);
        }
        throw new StoreException("restoring %s failed; the live database is unchanged: %s", db, e.getMessage());
      }
    }
    return new Restore() {
      private boolean done;

      @Override
      public void commit() throws IOException {
        psql.swapIn(side, db);
        done = true;  // only now: a swap that failed leaves the side database for close() to drop
      }

      @Override
      public void close() throws IOException {
        if (!done) {
          psql.sql("DROP DATABASE IF EXISTS :\"side\" WITH (FORCE)", "side", side);
        }
      }
    };
  }

  /**
   * Copies the dump to psql and ends its input. psql stops reading at its first error (and exits):
   * then this stops too, so that psql's status and message tell what failed, not a broken pipe.
   */
  private static void feed(InputStream dump, OutputStream psql) throws IOException {
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = dump.read(buffer)) >= 0; ) {
      try {
        psql.write(buffer, 0, n);
      } catch (IOException stopped) {
        return;
      }
    }
    try {
      psql.close();
    } catch (IOException stopped) {
      // psql exited before the end; its status says why
    }
  }

  /** A plain dump names its pg_dump near its top; a newer major version than the server's may not load. */
  private static void refuseNewerDumper(BufferedInputStream in, Psql psql) throws IOException {
    in.mark(8192);
    byte[] head = in.readNBytes(8192);
    in.reset();
    Matcher m = DUMPED_BY.matcher(new String(head, StandardCharsets.UTF_8));
    if (m.find()) {
      int dumper = Integer.parseInt(m.group(1));
      int server = Integer.parseInt(psql.query("SHOW server_version_num")) / 10000;
      if (dumper > server) {
        throw new UsageException("this dump was made by pg_dump %d, newer than the PostgreSQL %d server it would"
            + " restore into; restore it on a server of version %d or later", dumper, server, dumper);
      }
    }
  }

  @Override
  public void drop(Target t) throws IOException {
    new Psql(t).sql("DROP DATABASE IF EXISTS :\"db\" WITH (FORCE)", "db", t.stateName());
  }

  @Override
  public void lock(Target t) throws IOException {
    new Psql(t).lock(t.stateName());
  }

  @Override
  public void unlock(Target t) throws IOException {
    new Psql(t).unlock(t.stateName());
  }

  @Override
  public Optional<List<String>> shellCommand(Target t) {
    Psql psql = new Psql(t);
    List<String> command = new ArrayList<>(List.of("psql"));
    command.addAll(psql.connection(t.stateName()));
    return Optional.of(psql.tool().command(command));
  }

  @Override
  public String shellHelp(Target t) {
    return "This is a psql session on the '" + t.stateName() + "' PostgreSQL database.";
  }
}
