package dev.stasis.modules.mysql;

import dev.stasis.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Copies SQL (a dump, a component's scripts) to a mysql client's stdin, looking at the start of
 * every line on the way, without holding more than a buffer and the first bytes of a line:
 * <ul>
 *   <li>MariaDB's dumpers (10.5.25, 10.6.18, 10.11.8, 11.x and later) begin a dump with
 *       {@code /*M!999999\- enable the sandbox mode * /}, which MariaDB's client obeys and
 *       MySQL's rejects ("Unknown command '\-'"): for MySQL's client that first line is left out
 *       (of what the client reads; the stored dump is never edited).
 *   <li>A statement that leaves the database the client was started on ({@code USE},
 *       {@code CREATE DATABASE}, {@code DROP DATABASE}, as {@code mysqldump --databases} or
 *       {@code --add-drop-database} write them) is refused before it is sent: a restore loads
 *       into a side database, and such a statement would write into (or drop) the live one.
 * </ul>
 * mysqldump writes newlines inside values as {@code \n}, so a line start in a dump is a
 * statement start, or a line of a routine's or view's text.
 */
final class MysqlFeed {
  private static final Pattern SANDBOX = Pattern.compile("/\\*M?!999999\\\\- enable the sandbox mode \\*/\\s*");
  private static final Pattern LEAVES_DATABASE = Pattern.compile(
      "[ \\t]*(?:/\\*M?!\\d*[ \\t]*)?(?:USE|(?:CREATE|DROP)[ \\t]+(?:DATABASE|SCHEMA))(?![A-Za-z0-9_$])",
      Pattern.CASE_INSENSITIVE);
  /** Enough of a line to see its statement; longer lines pass through after these. */
  private static final int HEAD = 64;

  /** The client stopped reading: it exited, and its status and stderr say why. */
  static final class ClientGone extends IOException {
    /** As {@link #copy} returns it. */
    final int leftOut;

    ClientGone(IOException cause, int leftOut) {
      super("the mysql client stopped reading", cause);
      this.leftOut = leftOut;
    }
  }

  private final OutputStream out;
  private final boolean dropSandboxLine;
  private final byte[] head = new byte[HEAD];
  private int headLength;
  private boolean inHead = true;
  private long line = 1;
  private int leftOut;

  private MysqlFeed(OutputStream out, boolean dropSandboxLine) {
    this.out = out;
    this.dropSandboxLine = dropSandboxLine;
  }

  /**
   * Copies {@code in} to {@code out} to its end.
   *
   * @param dropSandboxLine whether the client is MySQL's, which rejects MariaDB's sandbox line
   * @return the lines left out (1 if that was the sandbox line, else 0), by which the client's
   *     line numbers are behind those of {@code in}
   * @throws ClientGone when writing to {@code out} fails
   * @throws StoreException when a line leaves the database; nothing of that line was written
   */
  static int copy(InputStream in, OutputStream out, boolean dropSandboxLine) throws IOException {
    MysqlFeed feed = new MysqlFeed(out, dropSandboxLine);
    byte[] buffer = new byte[1 << 16];
    for (int n; (n = in.read(buffer)) >= 0; ) {
      feed.write(buffer, n);
    }
    if (feed.inHead && feed.headLength > 0) {
      feed.endHead(false);
    }
    feed.flush();
    return feed.leftOut;
  }

  private void write(byte[] b, int n) throws IOException {
    int i = 0;
    while (i < n) {
      if (inHead) {
        while (i < n && headLength < HEAD) {
          byte c = b[i++];
          head[headLength++] = c;
          if (c == '\n') {
            break;
          }
        }
        boolean ended = head[headLength - 1] == '\n';
        if (ended || headLength == HEAD) {
          endHead(ended);
        }
      } else {
        int j = i;
        while (j < n && b[j] != '\n') {
          j++;
        }
        boolean ended = j < n;
        send(b, i, (ended ? j + 1 : n) - i);
        i = ended ? j + 1 : n;
        if (ended) {
          inHead = true;
          line++;
        }
      }
    }
  }

  /** Checks a line's first bytes and passes them on (or, for the sandbox line and MySQL's client, not). */
  private void endHead(boolean lineEnded) throws IOException {
    String start = new String(head, 0, headLength, StandardCharsets.ISO_8859_1);
    if (LEAVES_DATABASE.matcher(start).lookingAt()) {
      throw new StoreException("line %d of the SQL switches or creates databases (%s); stasis loads a dump into a"
          + " side database and moves it in, so it restores dumps of one database made without --databases or"
          + " --add-drop-database (as Dysnomia makes them)", line, start.strip());
    }
    boolean skip = line == 1 && lineEnded && dropSandboxLine && SANDBOX.matcher(start).matches();
    if (skip) {
      leftOut++;
    } else {
      send(head, 0, headLength);
    }
    headLength = 0;
    inHead = false;
    if (lineEnded) {
      inHead = true;
      line++;
    }
  }

  private void send(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw new ClientGone(e, leftOut);
    }
  }

  private void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw new ClientGone(e, leftOut);
    }
  }
}
