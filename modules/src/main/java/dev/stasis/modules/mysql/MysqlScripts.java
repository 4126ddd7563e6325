package dev.stasis.modules.mysql;

import dev.stasis.modules.spi.Target;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A component's {@code mysql-databases/*.sql} scripts as activate runs them: in name order, each
 * followed by a newline, in one client session, as Dysnomia's {@code cat *.sql | mysql} does (so
 * a script may rely on what an earlier one set in the session). The client numbers the lines of
 * the whole session; {@link #place(long)} maps such a number back to a script and its own line.
 */
final class MysqlScripts {
  private final Path component;
  private final List<Path> scripts;
  /** The session line each script begins on. */
  private final long[] starts;

  private MysqlScripts(Path component, List<Path> scripts, long[] starts) {
    this.component = component;
    this.scripts = scripts;
    this.starts = starts;
  }

  /** The component's scripts, their lines counted. */
  static MysqlScripts of(Target t) throws IOException {
    List<Path> scripts = t.files("mysql-databases", "*.sql");
    long[] starts = new long[scripts.size()];
    long line = 1;
    for (int i = 0; i < scripts.size(); i++) {
      starts[i] = line;
      // its newlines, plus the line the added newline ends: the script's last line, or an empty
      // one after a script that ends in a newline
      line += newlines(scripts.get(i)) + 1;
    }
    return new MysqlScripts(t.component(), scripts, starts);
  }

  boolean isEmpty() {
    return scripts.isEmpty();
  }

  /** The scripts one after another, each ending in a newline, as one client session reads them. */
  InputStream open() throws IOException {
    List<InputStream> parts = new ArrayList<>();
    try {
      for (Path script : scripts) {
        parts.add(Files.newInputStream(script));
        parts.add(new ByteArrayInputStream(new byte[] {'\n'}));
      }
    } catch (IOException e) {
      for (InputStream opened : parts) {
        opened.close();
      }
      throw e;
    }
    return new SequenceInputStream(Collections.enumeration(parts));
  }

  /** Where line {@code line} of the session is: {@code mysql-databases/02-data.sql, line 5}. */
  String place(long line) {
    for (int i = scripts.size() - 1; i >= 0; i--) {
      if (line >= starts[i]) {
        return component.relativize(scripts.get(i)) + ", line " + (line - starts[i] + 1);
      }
    }
    return "line " + line;
  }

  private static long newlines(Path script) throws IOException {
    long n = 0;
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(script)) {
      for (int r; (r = in.read(buffer)) >= 0; ) {
        for (int i = 0; i < r; i++) {
          if (buffer[i] == '\n') {
            n++;
          }
        }
      }
    }
    return n;
  }
}
