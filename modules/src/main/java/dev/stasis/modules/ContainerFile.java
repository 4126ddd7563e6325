package dev.stasis.modules;

import dev.stasis.modules.spi.UsageException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dysnomia container file: {@code key=value} lines, which Dysnomia evaluates as shell
 * assignments. stasis reads them without a shell: blank lines and {@code #} comments are
 * skipped, one level of matching single or double quotes is stripped, and anything a shell
 * would expand or interpret ({@code $}, backticks, {@code $(…)}, {@code ~}, globs, operators,
 * arrays) is refused with the line that has it, rather than guessed at.
 *
 * @param name the container's name: the file's base name (Nix store hash dropped)
 * @param properties every assignment but {@code type}, in file order
 */
public record ContainerFile(Path path, String name, String type, Map<String, String> properties) {
  private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)");
  private static final Pattern UNQUOTED_SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]*");

  /**
   * Reads a container file.
   *
   * @throws UsageException naming the file and line of anything stasis will not evaluate, a missing
   *     {@code type}, or a file that is not text
   */
  public static ContainerFile read(Path path, Map<String, String> env) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new UsageException("%s is not a text file (not UTF-8); a container file holds key=value lines", path);
    }
    Map<String, String> values = parse(path, lines);
    String type = values.remove("type");
    if (type == null || type.isEmpty()) {
      throw new UsageException("No type specified in the container configuration %s (add a line type=...)", path);
    }
    return new ContainerFile(path, DysnomiaNames.nameOf(path.toString(), env), type, values);
  }

  /** The assignments of {@code lines}, last one winning as in a shell. */
  static Map<String, String> parse(Path path, List<String> lines) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = ASSIGNMENT.matcher(line);
      if (!m.matches()) {
        throw refused(path, i, line, "not a key=value assignment");
      }
      values.put(m.group(1), value(path, i, line, m.group(2)));
    }
    return values;
  }

  private static String value(Path path, int i, String line, String raw) {
    if (raw.length() >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
      String inner = raw.substring(1, raw.length() - 1);
      if (inner.contains("'")) {
        throw refused(path, i, line, "a quote inside single quotes");
      }
      return inner;  // single quotes are literal in a shell: nothing to refuse
    }
    if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      String inner = raw.substring(1, raw.length() - 1);
      Optional<String> problem = doubleQuoted(inner);
      if (problem.isPresent()) {
        throw refused(path, i, line, problem.get());
      }
      return inner;
    }
    if (raw.contains("$(") || raw.contains("`")) {
      throw refused(path, i, line, "a command substitution");
    }
    if (raw.contains("$")) {
      throw refused(path, i, line, "a variable expansion");
    }
    if (!UNQUOTED_SAFE.matcher(raw).matches()) {
      throw refused(path, i, line, "characters a shell would interpret (quote the value in single quotes)");
    }
    return raw;
  }

  private static Optional<String> doubleQuoted(String inner) {
    if (inner.contains("$(") || inner.contains("`")) {
      return Optional.of("a command substitution");
    }
    if (inner.contains("$")) {
      return Optional.of("a variable expansion");
    }
    if (inner.contains("\\") || inner.contains("\"")) {
      return Optional.of("an escape or quote inside double quotes");
    }
    return Optional.empty();
  }

  private static UsageException refused(Path path, int i, String line, String what) {
    return new UsageException("%s, line %d: %s: %s; stasis reads container files as plain key=value"
        + " and evaluates nothing", path, i + 1, what, line);
  }
}
