package dev.stasis.modules.postgresql;

import dev.stasis.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The part of a {@code pg_dumpall --globals-only} dump that gives a server the roles it lacks:
 * the {@code CREATE ROLE} and {@code ALTER ROLE} statements of roles not in {@code existing},
 * and the {@code GRANT ... TO} memberships whose member is one of them. Roles the server has
 * keep their attributes and passwords; tablespaces, settings statements and psql meta-commands
 * are left out. Statements are split as SQL is (quoted strings, quoted names and comments kept
 * whole), so a role's comment cannot pass for a statement.
 */
final class RoleScript {
  private RoleScript() {}

  /** The statements to run, each ending with {@code ;}, in the dump's order. */
  static List<String> missing(String dump, Set<String> existing) {
    List<String> out = new ArrayList<>();
    List<String> created = new ArrayList<>();
    for (String statement : statements(dump)) {
      List<String> words = words(statement);
      if (words.size() >= 3 && words.get(0).equalsIgnoreCase("CREATE") && words.get(1).equalsIgnoreCase("ROLE")
          && !existing.contains(name(words.get(2)))) {
        created.add(name(words.get(2)));
        out.add(statement);
      } else if (words.size() >= 3 && words.get(0).equalsIgnoreCase("ALTER") && words.get(1).equalsIgnoreCase("ROLE")
          && created.contains(name(words.get(2)))) {
        out.add(statement);
      } else if (words.size() >= 4 && words.get(0).equalsIgnoreCase("GRANT")) {
        int to = indexOfIgnoreCase(words, "TO");
        if (to > 0 && to + 1 < words.size() && created.contains(name(words.get(to + 1)))) {
          out.add(statement);
        }
      }
    }
    return out;
  }

  /** SQL statements, without comments; psql meta-command lines (a backslash first) dropped. */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    boolean lineStart = true;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (lineStart && current.toString().isBlank() && c == '\\') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? sql.length() : end + 1;
        continue;
      }
      lineStart = c == '\n';
      if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? sql.length() : end;
        continue;
      }
      if (c == '\'' || c == '"') {
        int end = closing(sql, i, c);
        current.append(sql, i, end);
        i = end;
        continue;
      }
      if (c == '\\') {
        throw new StoreException("the roles dump holds a backslash outside a quoted string in the middle of a line (a"
            + " psql meta-command?); stasis runs none: not restoring it");
      }
      current.append(c);
      i++;
      if (c == ';') {
        String s = current.toString().strip();
        if (!s.equals(";")) {
          out.add(s);
        }
        current.setLength(0);
      }
    }
    return out;
  }

  /** The index after the quote that closes the one at {@code start}; a doubled quote is part of the text. */
  private static int closing(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  /** A statement's words: runs of non-blank characters, a quoted name or string kept as one word, {@code ;} dropped. */
  private static List<String> words(String statement) {
    List<String> words = new ArrayList<>();
    String s = statement.endsWith(";") ? statement.substring(0, statement.length() - 1) : statement;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int end;
      if (c == '"' || c == '\'') {
        end = closing(s, i, c);
      } else {
        end = i;
        while (end < s.length() && !Character.isWhitespace(s.charAt(end))) {
          end++;
        }
      }
      words.add(s.substring(i, end));
      i = end;
    }
    return words;
  }

  /** A role name as the catalog has it: a quoted name unquoted, a bare one folded to lower case. */
  static String name(String word) {
    if (word.startsWith("\"") && word.endsWith("\"") && word.length() >= 2) {
      return word.substring(1, word.length() - 1).replace("\"\"", "\"");
    }
    return word.toLowerCase(java.util.Locale.ROOT);
  }

  private static int indexOfIgnoreCase(List<String> words, String word) {
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).equalsIgnoreCase(word)) {
        return i;
      }
    }
    return -1;
  }
}
