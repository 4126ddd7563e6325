package dev.stasis.modules.mysql;

import dev.stasis.modules.spi.Target;
import dev.stasis.store.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the swap's statements that need the locks of the live tables ({@code DROP TRIGGER}, the
 * {@code RENAME TABLE}). Every transaction that used a table holds its metadata lock until the
 * transaction ends, so an application that left one open on the live database keeps such a
 * statement waiting, silently, for up to {@code lock_wait_timeout} (a day by default). So they run
 * first with a wait of {@link #FIRST_WAIT_SECONDS}; when that runs out (error 1205), stasis says
 * what it waits for and runs them again with the server's own wait.
 *
 * <p>The statement that timed out did nothing (a {@code RENAME TABLE} of many tables is one
 * atomic statement; a timed-out {@code DROP TRIGGER} dropped nothing), but those before it in
 * the same client run did: so the statements are made again for each attempt, from what is
 * there then. The timed-out attempt does not count as a failure of the swap: its journal marker
 * is still {@code pending}, and only a failure of the second attempt runs the recovery.
 */
final class TableLockWait {
  static final int FIRST_WAIT_SECONDS = 2;

  /** Makes the statements to run, from the state of the schemas when it is called. */
  interface Statements {
    String make() throws IOException;
  }

  private final MysqlClient sql;
  private final Target target;
  private final String live;
  private boolean said;

  TableLockWait(MysqlClient sql, Target target, String live) {
    this.sql = sql;
    this.target = target;
    this.live = live;
  }

  /** Runs the statements, saying (once per swap) what they wait for if they wait. */
  void run(Statements statements) throws IOException {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try {
      sql.sql("SET SESSION lock_wait_timeout = " + FIRST_WAIT_SECONDS + ";\n" + statements.make(),
          new PrintStream(stderr, true, StandardCharsets.UTF_8));
      return;
    } catch (StoreException e) {
      String said = stderr.toString(StandardCharsets.UTF_8);
      if (!said.contains("ERROR 1205 ")) {
        target.host().err().print(said);  // held back in case it was the wait; the error points to it
        throw e;
      }
    }
    if (!said) {
      said = true;
      target.host().say(waitingFor());
    }
    sql.sql(statements.make());
  }

  /** What the swap waits for: the open transactions on the server, with their sessions. */
  private String waitingFor() throws IOException {
    String[] open = sql.sql("SELECT COUNT(*), IFNULL(GROUP_CONCAT(CONCAT(p.ID, ' of ', p.USER) ORDER BY p.ID"
        + " SEPARATOR ', '), '') FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p"
        + " ON p.ID = t.trx_mysql_thread_id WHERE p.ID <> CONNECTION_ID()").strip().split("\t", 2);
    if (open[0].equals("0") || open.length < 2) {
      return "waiting for the locks of the tables of " + live + ", which another session holds (LOCK TABLES, or a"
          + " statement still running); the swap into " + live + " needs them …";
    }
    return "waiting for " + open[0] + " open transaction(s) to end (session " + open[1] + "): the swap into " + live
        + " needs the locks of its tables, and a transaction that used one holds its lock until it ends …";
  }
}
