package dev.stasis.modules.mysql;

import static dev.stasis.modules.mysql.MysqlClient.ident;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.DumpSink;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code mysql-database} type, for MariaDB and MySQL: one database per component, named
 * after it.
 *
 * <p>Container properties: {@code mysqlUsername} (default {@code root}), {@code mysqlPassword}
 * (written to a 0600 option file for each run, never in argv), {@code mysqlSocket} (connect
 * through it; else {@code mysqlPort} over TCP on localhost; else the client's default) and
 * {@code mysqlLock} (what lock does, see {@link #lock}). The account needs to create and drop
 * databases (the component's and the {@code stasis_*} side schemas) and, to recreate objects
 * with other definers, {@code SET USER} (or {@code SUPER}).
 *
 * <p>Snapshots are {@code mariadb-dump} output of the one database, without {@code CREATE
 * DATABASE} or {@code USE} (as Dysnomia dumps, so its {@code dump.sql.xz} snapshots restore and
 * ours restore under any name), with routines, events and triggers, in one consistent
 * transaction, and without the dump date: an unchanged database dumps to the same bytes.
 *
 * <p>A restore loads the dump into a side schema, stopping at its first error; a failure there
 * or a damaged snapshot drops the side schema and leaves the live database as it was. Only a
 * completely loaded and verified dump is moved in: see {@link MysqlSwap} for the steps, which
 * one is atomic (the multi-table {@code RENAME TABLE}), and how a crash is recovered.
 */
public final class MysqlModule implements Module {
  public static final String TYPE = "mysql-database";
  private static final String LOCK_SERVER = "server-read-only";

  @Override
  public String dumpName() {
    return "dump.sql";
  }

  @Override
  public void check(Target t) {
    MysqlClient.port(t);
  }

  @Override
  public void activate(Target t) throws IOException {
    try (MysqlClient sql = new MysqlClient(t)) {
      MysqlSwap swap = new MysqlSwap(sql, checked(t));
      swap.recover();
      if (sql.exists(t.stateName())) {
        return;
      }
      MysqlScripts scripts = MysqlScripts.of(t);
      if (scripts.isEmpty()) {
        sql.sql("CREATE DATABASE IF NOT EXISTS " + ident(t.stateName()));
        return;
      }
      // Built beside and moved in like a restore: a failing script leaves no half-made database.
      swap.createLoad();
      try (InputStream in = scripts.open()) {
        sql.load(swap.load(), in, "the mysql-databases scripts of " + t.ref(), scripts::place);
      } catch (IOException | RuntimeException e) {
        swap.dropLoad();
        throw e;
      }
      swap.commit();
    }
  }

  /** The target, its state name fit for the client tools' argv (where a leading dash is an option). */
  private static Target checked(Target t) {
    if (t.stateName().startsWith("-") || t.stateName().length() > 64) {
      throw new UsageException("%s cannot name a MySQL database (at most 64 characters, no leading '-')",
          t.stateName());
    }
    return t;
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    try (MysqlClient sql = new MysqlClient(t)) {
      String db = checked(t).stateName();
      sql.requireDatabase(db);
      if (new MysqlSwap(sql, t).interrupted()) {
        throw new StoreException("a restore of %s was interrupted and is not finished; run dysnomia --operation"
            + " activate (or restore) on it first, which finishes or undoes it", db);
      }
      List<String> options = List.of("--single-transaction", "--routines", "--events", "--triggers",
          "--skip-dump-date", "--no-tablespaces", db);
      try (ChildProcess p = sql.tool().dumper(sql.dumpCommand(options), "mariadb-dump of " + db)) {
        p.dumpTo(sink);
      }
    }
  }

  @Override
  public Map<String, String> attributes(Target t) throws IOException {
    try (MysqlClient sql = new MysqlClient(t)) {
      return Map.of("dumper", sql.dumperVersion(), "server", sql.sql("SELECT VERSION()").strip());
    }
  }

  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    MysqlClient sql = new MysqlClient(t);
    MysqlSwap swap = new MysqlSwap(sql, checked(t));
    try {
      swap.recover();
      swap.createLoad();
      try {
        sql.load(swap.load(), dump, "restore of " + t.stateName() + " (into " + swap.load() + ")");
      } catch (IntegrityException e) {
        swap.dropLoad();
        throw e;
      } catch (StoreException e) {
        swap.dropLoad();
        throw new StoreException("restoring %s failed; the live database is unchanged: %s", t.stateName(),
            e.getMessage());
      } catch (IOException | RuntimeException e) {
        swap.dropLoad();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      sql.close();
      throw e;
    }
    return new Restore() {
      private boolean done;

      @Override
      public void commit() throws IOException {
        done = true;
        swap.commit();
      }

      @Override
      public void close() throws IOException {
        try (sql) {
          if (!done) {
            swap.dropLoad();
          }
        }
      }
    };
  }

  @Override
  public void drop(Target t) throws IOException {
    try (MysqlClient sql = new MysqlClient(t)) {
      MysqlSwap swap = new MysqlSwap(sql, checked(t));
      swap.recover();
      sql.sql("DROP DATABASE IF EXISTS " + ident(t.stateName()));
    }
  }

  /**
   * MariaDB has no read-only setting per database (MySQL 8.0.22's {@code ALTER DATABASE … READ
   * ONLY} is not in MariaDB 10.11), and a read lock ({@code FLUSH TABLES WITH READ LOCK}) ends
   * with the session that took it, so it cannot outlast stasis. What is left is the server's
   * {@code read_only}, which refuses writes in every database to every account without
   * {@code READ_ONLY ADMIN} (or {@code SUPER}) and lasts until unlock or a server restart. As
   * that stops the whole server, the container must ask for it: {@code mysqlLock=server-read-only}
   * (see {@link ReadOnlyLock}). Unset, lock does nothing and says so, as Dysnomia's module does
   * nothing: a stock container file must not break a transition (lock all, snapshot, unlock all);
   * {@code mysqlLock=none} does nothing with a shorter message.
   */
  @Override
  public void lock(Target t) throws IOException {
    readOnly(t, true);
  }

  @Override
  public void unlock(Target t) throws IOException {
    readOnly(t, false);
  }

  private static void readOnly(Target t, boolean on) throws IOException {
    MysqlClient.port(t);  // a bad container is refused whatever lock does
    String mode = t.property("mysqlLock", "");
    String operation = on ? "lock" : "unlock";
    ReadOnlyLock lock = new ReadOnlyLock(t);
    if (mode.equals(LOCK_SERVER) || (!on && (mode.isEmpty() || mode.equals("none")) && lock.holds())) {
      if (!mode.equals(LOCK_SERVER)) {
        t.host().say("container " + t.ref().container() + " no longer says mysqlLock=" + LOCK_SERVER + ", but "
            + t.stateName() + " holds such a lock: undoing it");
      }
      try (MysqlClient sql = new MysqlClient(t)) {
        if (on) {
          sql.requireDatabase(checked(t).stateName());
          lock.lock(sql);
        } else {
          lock.unlock(sql);
        }
      }
    } else if (mode.equals("none")) {
      t.host().say("mysqlLock=none: " + operation + " of " + t.stateName() + " does nothing");
    } else if (mode.isEmpty()) {
      t.host().say(on
          ? "lock of " + t.stateName() + " does nothing: MariaDB cannot make one database read-only, and container "
              + t.ref().container() + " has no mysqlLock (Dysnomia's module does nothing either); set mysqlLock="
              + LOCK_SERVER + " there to make the whole server read-only while locked (every database on it), or"
              + " mysqlLock=none for a shorter message"
          : "unlock of " + t.stateName() + " does nothing: container " + t.ref().container() + " has no mysqlLock");
    } else {
      throw new UsageException("container %s: mysqlLock=%s is not a lock mode; %s makes the whole server read-only"
          + " while locked (every database on it), none does nothing, as Dysnomia does", t.ref().container(), mode,
          LOCK_SERVER);
    }
  }

  @Override
  public Optional<List<String>> shellCommand(Target t) throws IOException {
    return Optional.of(new MysqlClient(t).interactive(checked(t).stateName()));
  }

  @Override
  public String shellHelp(Target t) {
    return "This is a mysql client session on the '" + t.stateName() + "' database.";
  }
}
