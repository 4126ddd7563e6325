package dev.stasis.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What stasis records about a snapshot it made, kept under {@code .stasis/meta/} and never in
 * the snapshot directory (an extra file there would change Dysnomia's checksum).
 *
 * @param file the stored file's name
 * @param source what produced the stream (a command, a directory, "stdin")
 * @param attributes module-specific facts, such as dumper and server versions
 * @param id the SHA-256 of the logical stream, or null where not known (an import); the same as
 *     the snapshot's name but for an xz form ({@link IngestResult#xzForm()})
 */
public record SnapshotMeta(
    String file,
    Compression compression,
    long logicalSize,
    long storedSize,
    Instant created,
    String source,
    Map<String, String> attributes,
    SnapshotId id) {

  public SnapshotMeta {
    attributes = Map.copyOf(attributes);
  }

  /** Metadata without the logical stream's id. */
  public SnapshotMeta(String file, Compression compression, long logicalSize, long storedSize, Instant created,
      String source, Map<String, String> attributes) {
    this(file, compression, logicalSize, storedSize, created, source, attributes, null);
  }

  /** {@code key=value} lines, keys sorted, newlines and backslashes escaped. */
  public byte[] toBytes() {
    Map<String, String> all = new TreeMap<>();
    attributes.forEach((k, v) -> all.put("attr." + k, v));
    all.put("file", file);
    all.put("compression", compression.word());
    all.put("logical-size", Long.toString(logicalSize));
    all.put("stored-size", Long.toString(storedSize));
    all.put("created", created.toString());
    all.put("source", source);
    if (id != null) {
      all.put("id", id.hex());
    }
    StringBuilder b = new StringBuilder();
    all.forEach((k, v) -> b.append(k).append('=').append(escape(v)).append('\n'));
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads what {@link #toBytes()} wrote.
   *
   * @throws IllegalArgumentException when a field is missing or malformed
   */
  public static SnapshotMeta parse(byte[] bytes) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), unescape(line.substring(eq + 1)));
      }
    }
    Map<String, String> attributes = new TreeMap<>();
    fields.forEach((k, v) -> {
      if (k.startsWith("attr.")) {
        attributes.put(k.substring(5), v);
      }
    });
    try {
      return new SnapshotMeta(
          require(fields, "file"),
          Compression.parse(require(fields, "compression")),
          Long.parseLong(require(fields, "logical-size")),
          Long.parseLong(require(fields, "stored-size")),
          Instant.parse(require(fields, "created")),
          fields.getOrDefault("source", ""),
          attributes,
          fields.containsKey("id") ? new SnapshotId(fields.get("id")) : null);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed snapshot metadata: " + e.getMessage(), e);
    }
  }

  private static String require(Map<String, String> fields, String key) {
    String v = fields.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no '" + key + "'");
    }
    return v;
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String unescape(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        b.append(n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
