package dev.stasis.modules.mysql;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code mysqlLock=server-read-only}: the first lock of a component of the container sets the
 * server's {@code read_only}, the last unlock puts back what it was before, so a server that was
 * read-only already (a replica) stays so. Lock and unlock are separate commands, so what it was
 * and which components hold the lock is a record in the store's local directory,
 * {@code .stasis/mysql-lock/<container>}, replaced atomically and durably.
 *
 * <p>Crashes: lock writes the record before it sets {@code read_only}, and unlock puts
 * {@code read_only} back before it removes the record (or writes it without the component).
 * So the record never says less than the server: a crash leaves at worst a component recorded
 * whose lock did not take effect or was already undone, and running the same lock or unlock
 * again converges (both are idempotent). Changes of the record are serialized by an OS lock on
 * {@code .stasis/mysql-lock/.lock}, ordered first among this JVM's threads (Java's file locks
 * belong to the whole process).
 */
final class ReadOnlyLock {
  private static final ConcurrentMap<Path, ReentrantLock> THREADS = new ConcurrentHashMap<>();
  private static final String OFF = "OFF";

  private final Target target;
  private final Path dir;
  private final Path record;
  private final String container;
  private final String component;

  ReadOnlyLock(Target t) {
    this.target = t;
    this.dir = t.host().stateDir().resolve(StoreLayout.MYSQL_LOCKS.path());
    this.container = t.ref().container();
    this.component = t.ref().component();
    this.record = dir.resolve(container);
  }

  /** What the server's {@code read_only} was before the first lock, and who holds the lock now. */
  private record Held(String before, List<String> components) {
    Held {
      components = List.copyOf(components);
    }

    Held with(String c) {
      List<String> more = new ArrayList<>(components);
      more.add(c);
      return new Held(before, more);
    }

    Held without(String c) {
      List<String> fewer = new ArrayList<>(components);
      fewer.remove(c);
      return new Held(before, fewer);
    }
  }

  /** Whether the record says this component holds the lock. */
  boolean holds() throws IOException {
    Held held = read();
    return held != null && held.components().contains(component);
  }

  /** Makes the server read-only for this component, recording first what it was. */
  void lock(MysqlClient sql) throws IOException {
    serialized(() -> {
      Held held = read();
      if (held == null) {
        held = new Held(readOnly(sql), List.of());
      }
      if (!held.components().contains(component)) {
        held = held.with(component);
        write(held);
      }
      sql.sql("SET GLOBAL read_only = ON");
      String locked = String.join(", ", held.components());
      target.host().say(!held.before().equals(OFF)
          ? "the MySQL server of container " + container + " was read-only already (read_only=" + held.before()
              + ") and stays so; locked for " + locked + ", and unlock leaves it read-only"
          : "the whole MySQL server of container " + container + " is read-only now (read_only=ON), locked for "
              + locked + ": every database on it refuses writes from accounts without READ_ONLY ADMIN until "
              + (held.components().size() == 1 ? "unlock" : "the last of them is unlocked"));
    });
  }

  /** Ends this component's lock; the last one puts {@code read_only} back as it was before the first. */
  void unlock(MysqlClient sql) throws IOException {
    serialized(() -> {
      Held held = read();
      if (held == null || !held.components().contains(component)) {
        target.host().say("unlock of " + component + ": no lock of it is recorded in " + record
            + "; the server's read_only is left as it is");
        return;
      }
      Held rest = held.without(component);
      if (!rest.components().isEmpty()) {
        write(rest);
        target.host().say("the MySQL server of container " + container + " stays read-only: still locked for "
            + String.join(", ", rest.components()));
        return;
      }
      sql.sql("SET GLOBAL read_only = " + held.before());
      DurableFiles.deleteDurably(record);
      target.host().say(held.before().equals(OFF)
          ? "the MySQL server of container " + container + " is writable again (read_only=OFF)"
          : "the MySQL server of container " + container + " stays read-only (read_only=" + held.before()
              + "), as it was before lock");
    });
  }

  /** The server's {@code read_only} as it can be set again: ON, OFF, or a newer server's word for it. */
  private static String readOnly(MysqlClient sql) throws IOException {
    String v = sql.sql("SELECT @@GLOBAL.read_only").strip();
    return switch (v) {
      case "0" -> OFF;
      case "1" -> "ON";
      default -> checked(v, "the server");
    };
  }

  /** A value fit to follow {@code SET GLOBAL read_only =}, as this record is read back into SQL. */
  private static String checked(String v, String from) {
    if (!v.matches("\\w{1,32}")) {
      throw new StoreException("%s gave read_only=%s, which stasis cannot set again", from, v);
    }
    return v;
  }

  private Held read() throws IOException {
    if (!Files.exists(record)) {
      return null;
    }
    String before = null;
    List<String> components = new ArrayList<>();
    for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
      if (line.startsWith("read_only=")) {
        before = checked(line.substring("read_only=".length()), record.toString());
      } else if (line.startsWith("locked=")) {
        components.add(unescape(line.substring("locked=".length())));
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        before = null;
        break;
      }
    }
    if (before == null) {
      throw new StoreException("%s is not a lock record of stasis; once the server's read_only is as it should be,"
          + " remove it", record);
    }
    return new Held(before, components);
  }

  private void write(Held held) throws IOException {
    StringBuilder b = new StringBuilder("# the MySQL server's read_only before stasis locked it, and the components"
        + " holding the lock (see README, mysql-database)\nread_only=").append(held.before()).append('\n');
    for (String c : held.components()) {
      b.append("locked=").append(escape(c)).append('\n');
    }
    DurableFiles.writeAtomically(record, b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** One name a line: a component name may hold a newline (a database name may). */
  private static String escape(String name) {
    return name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  private static String unescape(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char e = text.charAt(++i);
        b.append(e == 'n' ? '\n' : e == 'r' ? '\r' : e);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Runs {@code step} holding this directory's lock; temp files a crash left are removed first. */
  private void serialized(Step step) throws IOException {
    Files.createDirectories(dir);
    ReentrantLock threads = THREADS.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> new ReentrantLock());
    threads.lock();
    try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.lock();  // blocks while another process holds it; released when the channel closes
      try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, ".*.tmp")) {
        for (Path p : stale) {
          Files.deleteIfExists(p);  // only a holder of this lock writes them: these are a crashed one's
        }
      }
      step.run();
    } finally {
      threads.unlock();
    }
  }
}
