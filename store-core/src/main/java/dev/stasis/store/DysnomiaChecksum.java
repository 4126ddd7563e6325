package dev.stasis.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Dysnomia's checksum of a snapshot directory, byte for byte: SHA-256 over the output of
 * {@code find .} run inside the directory, an empty line, then the bytes of every regular file
 * in {@code find . -type f} order, written as {@code sha256:<hex>} without a newline.
 *
 * <p>For the one-file snapshots stasis makes, the serialization starts with
 * {@code ".\n./<file>\n\n"}: known before the first byte, so the checksum is computed while
 * writing.
 */
public final class DysnomiaChecksum {
  private static final String PREFIX = "sha256:";

  private DysnomiaChecksum() {}

  /** A SHA-256 digest, fresh. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /**
   * What {@code find .} prints and the empty line after it, for a directory whose regular files
   * are {@code files} (relative paths, in walk order). Directories are named before their
   * first file, as {@code find} walks them; empty directories are not represented.
   */
  public static byte[] header(List<String> files) {
    StringBuilder b = new StringBuilder(".\n");
    Set<String> dirs = new HashSet<>();
    for (String file : files) {
      int slash = -1;
      while ((slash = file.indexOf('/', slash + 1)) > 0) {
        String dir = file.substring(0, slash);
        if (dirs.add(dir)) {
          b.append("./").append(dir).append('\n');
        }
      }
      b.append("./").append(file).append('\n');
    }
    return b.append('\n').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A digest already fed with the header of a snapshot holding just {@code file}. */
  public static MessageDigest startOneFile(String file) {
    MessageDigest digest = sha256();
    digest.update(header(List.of(file)));
    return digest;
  }

  /** {@code sha256:<hex>} of a finished digest. */
  public static String format(byte[] digest) {
    return PREFIX + HexFormat.of().formatHex(digest);
  }

  /** Whether {@code text} is a well-formed checksum record. */
  public static boolean isWellFormed(String text) {
    return text.startsWith(PREFIX) && SnapshotId.isHex(text.substring(PREFIX.length()));
  }

  /**
   * Computes the checksum of the snapshot directory {@code dir} whose objects are {@code files},
   * in the backend's listing order.
   */
  public static String compute(Backend backend, Key dir, List<ObjectInfo> files) throws IOException {
    MessageDigest digest = sha256();
    digest.update(header(files.stream().map(f -> f.key().relativeTo(dir)).toList()));
    byte[] buffer = new byte[1 << 16];
    for (ObjectInfo file : files) {
      try (InputStream in = backend.open(file.key())) {
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
    }
    return format(digest.digest());
  }
}
