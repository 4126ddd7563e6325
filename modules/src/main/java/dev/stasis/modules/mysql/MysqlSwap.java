package dev.stasis.modules.mysql;

import static dev.stasis.modules.mysql.MysqlClient.ident;
import static dev.stasis.modules.mysql.MysqlClient.literal;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Moves a database loaded beside the live one into its place. MariaDB and MySQL cannot rename a
 * database, and DDL commits on its own, so the one atomic step there is is a multi-table
 * {@code RENAME TABLE}; this class builds the rest around it, journaled in the server so that a
 * crash at any point is undone (before the rename) or finished (after it) by {@link #recover()}.
 *
 * <p>Three side schemas, named after a hash of the live name (well within 64 characters):
 * {@code stasis_<h>_load} (the dump or scripts are loaded here), {@code stasis_<h>_old} (the
 * live tables are moved here) and {@code stasis_<h>_journal} (what a recovery needs). Measured on
 * MariaDB 10.11: {@code RENAME TABLE} refuses to move a table with triggers to another schema
 * (error 1435, "Trigger in wrong schema") and a view to another schema at all (1450); moving the
 * live tables aside inside the live schema instead fails on their foreign key names (1050), which
 * are unique per schema. So {@link #commit()}, after the caller loaded {@code _load}:
 * <ol>
 *   <li>dumps the live tables' triggers, and the loaded schema's triggers, routines, events and
 *       views ({@code mariadb-dump --no-data}), writes both scripts into the journal, then
 *       creates the marker table {@code pending} in it;
 *   <li>drops the triggers of the loaded and of the live tables (so both can change schema) and
 *       the loaded schema's events (so none fires there);
 *   <li><b>the atomic step</b>: one {@code RENAME TABLE} moves every live table to
 *       {@code _old} (those only the live database has too), every loaded table into the live
 *       schema, and the marker {@code pending} to {@code swapped};
 *   <li>drops the live schema's views, routines, events and triggers and runs the journaled
 *       script of the loaded ones there. <b>Not atomic</b>: until it ends, the restored tables
 *       are live with the old views, routines and events, and without triggers;
 *   <li>drops the journal, then {@code _old} and {@code _load}.
 * </ol>
 * What a crash leaves and what {@link #recover()} (the first thing restore, activate and
 * collect-garbage do) makes of it, by the journal:
 * <ul>
 *   <li>no journal (a crash while loading, or in step 5 after the journal went): leftover side
 *       schemas, dropped; the live database was never touched, or is fully restored;
 *   <li>a journal without a marker (a crash in step 1): dropped with the side schemas; nothing
 *       live was touched;
 *   <li>{@code pending} (a crash in step 2, or before the rename): undone; the live triggers are
 *       recreated from the journal, a live database created for the restore (there was none)
 *       is dropped if still empty: the database is as it was. A failure (not a crash) in
 *       steps 1 to 3 is recovered the same way at once;
 *   <li>{@code swapped} (a crash in step 4): finished from the journal.
 * </ul>
 * Steps 2 and 3 wait for open transactions that used live tables; {@link TableLockWait} says so
 * while they wait, and a first attempt that timed out is not a failure (the marker stays
 * {@code pending}; only a failure of the attempt after it runs the recovery).
 * While there is a marker, {@link #interrupted()} holds and snapshots are refused: the live
 * database may lack its triggers. One restore of a database at a time: a concurrent one would
 * drop this one's side schemas.
 */
final class MysqlSwap {
  private static final int CHUNK = 1 << 19;

  private final MysqlClient sql;
  private final Target target;
  private final String live;
  private final String load;
  private final String old;
  private final String journal;

  MysqlSwap(MysqlClient sql, Target t) {
    this.sql = sql;
    this.target = t;
    this.live = t.stateName();
    String h = "stasis_" + DigestUtils.sha256Hex(live.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    this.load = h + "_load";
    this.old = h + "_old";
    this.journal = h + "_journal";
  }

  /** The schema a dump or the component's scripts are loaded into. */
  String load() {
    return load;
  }

  /** Whether a swap was interrupted after it touched the live database, and waits for {@link #recover()}. */
  boolean interrupted() throws IOException {
    return !sql.lines("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + literal(journal)
        + " AND TABLE_NAME IN ('pending', 'swapped')").isEmpty();
  }

  /**
   * Undoes or finishes an interrupted swap (by the journal's marker) and drops side schemas an
   * earlier run left; then the live database is either as before that run or fully restored.
   */
  void recover() throws IOException {
    if (!sql.exists(journal)) {
      sql.sql("DROP DATABASE IF EXISTS " + ident(load) + ";\nDROP DATABASE IF EXISTS " + ident(old));
      return;
    }
    List<String> marks = sql.names("SELECT HEX(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
        + literal(journal));
    if (marks.contains("swapped")) {
      target.host().say("finishing an interrupted restore of " + live);
      finish(journaled("objects"));
    } else if (marks.contains("pending")) {
      target.host().say("undoing an interrupted restore of " + live + "; it is as before");
      undo(journaled("triggers"), journaled("absent").length > 0);
    } else {
      dropSides();
    }
  }

  /** Creates the load schema empty, with the live database's character set when there is one. */
  void createLoad() throws IOException {
    List<String> charset = sql.lines("SELECT CONCAT(DEFAULT_CHARACTER_SET_NAME, ' ', DEFAULT_COLLATION_NAME)"
        + " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " + literal(live));
    String options = "";
    if (!charset.isEmpty() && charset.get(0).matches("\\w+ \\w+")) {
      String[] cs = charset.get(0).split(" ");
      options = " CHARACTER SET " + cs[0] + " COLLATE " + cs[1];
    }
    sql.sql("DROP DATABASE IF EXISTS " + ident(load) + ";\nCREATE DATABASE " + ident(load) + options);
  }

  /** Drops the load schema: a failed load leaves nothing behind. */
  void dropLoad() throws IOException {
    sql.sql("DROP DATABASE IF EXISTS " + ident(load));
  }

  /** Moves the loaded schema in as the live database (see the class comment). */
  void commit() throws IOException {
    byte[] objects;
    try {
      objects = swap();
    } catch (IOException | RuntimeException e) {
      try {
        recover();  // by the journal's state: nothing to undo, the triggers to put back, or the rest to finish
      } catch (IOException | RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    finish(objects);
  }

  /** Steps 1 to 3: journal, drop triggers, rename; returns the script of the loaded objects. */
  private byte[] swap() throws IOException {
    boolean liveExists = sql.exists(live);
    byte[] triggers = liveExists ? objects(live, List.of("--triggers")) : new byte[0];
    byte[] objects = concat(objects(load, List.of("--triggers", "--routines", "--events")), views(load));
    sql.sql("DROP DATABASE IF EXISTS " + ident(journal) + ";\nCREATE DATABASE " + ident(journal) + ";\n"
        + "CREATE TABLE " + ident(journal) + ".parts (part VARCHAR(16) NOT NULL, seq INT NOT NULL,"
        + " chunk LONGBLOB NOT NULL, PRIMARY KEY (part, seq)) ENGINE=InnoDB");
    write("triggers", triggers);
    write("objects", objects);
    if (!liveExists) {
      write("absent", new byte[] {1});
    }
    // the journal is complete: from here on, a crash is undone or finished by recover()
    sql.sql("CREATE TABLE " + ident(journal) + ".pending (x INT) ENGINE=InnoDB");
    // dropping a live trigger and the rename wait for open transactions on the live tables
    TableLockWait locks = new TableLockWait(sql, target, live);
    locks.run(() -> {
      List<String> steps = new ArrayList<>(drops(load, "TRIGGER", "EVENT"));
      steps.addAll(drops(live, "TRIGGER"));
      steps.add("CREATE DATABASE IF NOT EXISTS " + ident(live));
      steps.add("CREATE DATABASE IF NOT EXISTS " + ident(old));
      return String.join(";\n", steps);
    });
    locks.run(this::rename);
    return objects;
  }

  /** The atomic step: live tables out, loaded tables in, the marker {@code pending} to {@code swapped}. */
  private String rename() throws IOException {
    List<String> moves = new ArrayList<>();
    for (String table : tables(live)) {
      moves.add(ident(live) + "." + ident(table) + " TO " + ident(old) + "." + ident(table));
    }
    for (String table : tables(load)) {
      moves.add(ident(load) + "." + ident(table) + " TO " + ident(live) + "." + ident(table));
    }
    moves.add(ident(journal) + ".pending TO " + ident(journal) + ".swapped");
    return "RENAME TABLE " + String.join(",\n  ", moves);
  }

  /** After the rename: the loaded views, routines, events and triggers replace the live ones; the side schemas go. */
  private void finish(byte[] objects) throws IOException {
    try {
      sql.statements(drops(live, "TRIGGER", "VIEW", "PROCEDURE", "FUNCTION", "EVENT"));
      sql.load(live, new ByteArrayInputStream(objects), "recreating views, routines, events and triggers in " + live);
    } catch (IOException | RuntimeException e) {
      throw new StoreException(e, "the restored tables of %s are live, but recreating its views, routines, events or"
          + " triggers failed; the next restore or activate tries again: %s", live, e.getMessage());
    }
    dropSides();
  }

  /** Before the rename: the live triggers come back, a database made for the restore goes. */
  private void undo(byte[] triggers, boolean liveWasAbsent) throws IOException {
    sql.statements(drops(live, "TRIGGER"));
    if (liveWasAbsent) {
      if (tables(live).isEmpty()) {
        sql.sql("DROP DATABASE IF EXISTS " + ident(live));
      }
    } else {
      sql.load(live, new ByteArrayInputStream(triggers), "recreating the triggers of " + live);
    }
    dropSides();
  }

  private void dropSides() throws IOException {
    // the journal first: once it is gone, what is left is only leftovers
    sql.sql("SET SESSION foreign_key_checks = 0;\nDROP DATABASE IF EXISTS " + ident(journal) + ";\n"
        + "DROP DATABASE IF EXISTS " + ident(old) + ";\nDROP DATABASE IF EXISTS " + ident(load));
  }

  /** The tables (not views) of {@code db}. */
  private List<String> tables(String db) throws IOException {
    return sql.names("SELECT HEX(TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + literal(db)
        + " AND TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME");
  }

  /** {@code DROP} statements for the objects of these kinds in {@code db}. */
  private List<String> drops(String db, String... kinds) throws IOException {
    List<String> wanted = Arrays.asList(kinds);
    String schema = literal(db);
    List<String> rows = sql.lines("SELECT 'TRIGGER', HEX(TRIGGER_NAME) FROM information_schema.TRIGGERS"
        + " WHERE TRIGGER_SCHEMA = " + schema
        + " UNION ALL SELECT 'VIEW', HEX(TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = " + schema
        + " UNION ALL SELECT ROUTINE_TYPE, HEX(ROUTINE_NAME) FROM information_schema.ROUTINES"
        + " WHERE ROUTINE_SCHEMA = " + schema + " AND ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION')"
        + " UNION ALL SELECT 'EVENT', HEX(EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = " + schema);
    List<String> statements = new ArrayList<>();
    for (String row : rows) {
      String[] f = row.split("\t");
      if (wanted.contains(f[0])) {
        String name = new String(MysqlClient.unhex(f[1]), StandardCharsets.UTF_8);
        statements.add("DROP " + f[0] + " " + ident(db) + "." + ident(name));
      }
    }
    return statements;
  }

  /** The dumper's script of {@code db}'s objects without tables or data: {@code extra} says which. */
  private byte[] objects(String db, List<String> extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("--no-data", "--no-create-info", "--skip-lock-tables",
        "--no-tablespaces", "--skip-comments", "--skip-dump-date"));
    args.addAll(extra);
    args.add(db);
    return dump(args, db);
  }

  /** The dumper's script of {@code db}'s views (it names them, else it would dump every table). */
  private byte[] views(String db) throws IOException {
    List<String> views = sql.names("SELECT HEX(TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = "
        + literal(db) + " ORDER BY TABLE_NAME");
    if (views.isEmpty()) {
      return new byte[0];
    }
    List<String> args = new ArrayList<>(List.of("--no-data", "--skip-triggers", "--skip-lock-tables",
        "--no-tablespaces", "--skip-comments", "--skip-dump-date", db));
    args.addAll(views);
    return dump(args, db);
  }

  private byte[] dump(List<String> args, String db) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ChildProcess p = sql.tool().dumper(sql.dumpCommand(args), "dump of the definitions in " + db)) {
      p.stdout().transferTo(out);
      p.requireSuccess();
    }
    return out.toByteArray();
  }

  private void write(String part, byte[] bytes) throws IOException {
    int seq = 0;
    for (int off = 0; off < bytes.length; off += CHUNK) {
      byte[] chunk = Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + CHUNK));
      sql.sql("INSERT INTO " + ident(journal) + ".parts VALUES (" + literal(part) + ", " + seq++ + ", X'"
          + HexFormat.of().formatHex(chunk) + "')");
    }
  }

  private byte[] journaled(String part) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String hex : sql.lines("SELECT HEX(chunk) FROM " + ident(journal) + ".parts WHERE part = " + literal(part)
        + " ORDER BY seq")) {
      out.write(MysqlClient.unhex(hex));
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
