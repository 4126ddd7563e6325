package dev.stasis.modules.postgresql;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pg_dump's pair of psql meta-commands, {@code restrict KEY} … {@code unrestrict KEY}: psql refuses every
 * meta-command (such as {@code \!}, a shell) between them, so nothing hidden in a dump's data
 * runs when it is restored.
 *
 * <p>For a dump, pg_dump draws KEY at random, so no two dumps are equal; stasis lets it, and
 * {@link #rekeyed} swaps that key as the dump streams for one derived from the store's secret
 * and the component (of the same length, in place): an unchanged database dumps to the same
 * bytes, and no key is ever in a process's arguments or environment.
 *
 * <p>For a restore, {@link #guarded} puts a {@code \restrict} line of its own, with a key drawn
 * for this restore and written nowhere, before the dump, and takes the dump's own pair out
 * (psql refuses a nested {@code \restrict}): whatever the dump is (pg_dump's, one from
 * {@code --stdin}, one the real Dysnomia made without the pair), psql runs no meta-command of it.
 */
final class RestrictKey {
  /** pg_dump writes its {@code \restrict} line after a short comment; it is well within this. */
  private static final int HEAD = 64 << 10;
  /** The closing unrestrict line and the empty line after it end the dump. */
  private static final int TAIL = 4 << 10;
  private static final Pattern RESTRICT = Pattern.compile("(?m)^\\\\restrict ([A-Za-z0-9]{1,256})\\r?$\\n?");
  private static final char[] ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private RestrictKey() {}

  /**
   * pg_dump's output with its random key replaced by {@code derived.apply(length)}, an
   * alphanumeric key of that length; a dump without the pair passes unchanged.
   */
  static InputStream rekeyed(InputStream dump, IntFunction<String> derived) {
    byte[][] swap = new byte[2][];
    return new EdgeEdit(dump, HEAD, head -> {
      Matcher m = RESTRICT.matcher(text(head));
      if (!m.find()) {
        return head;
      }
      swap[0] = bytes(m.group(1));
      swap[1] = bytes(derived.apply(m.group(1).length()));
      return replace(head, swap[0], swap[1]);
    }, TAIL, tail -> swap[0] == null ? tail : replace(tail, swap[0], swap[1]));
  }

  /** The dump behind a {@code \restrict} of a fresh key, without its own pair. */
  static InputStream guarded(InputStream dump) {
    String[] own = new String[1];
    byte[] line = bytes("\\restrict " + fresh() + "\n");
    return new EdgeEdit(dump, HEAD, head -> {
      String text = text(head);
      Matcher m = RESTRICT.matcher(text);
      byte[] rest = head;
      if (m.find()) {
        own[0] = m.group(1);
        rest = concat(Arrays.copyOfRange(head, 0, m.start()), Arrays.copyOfRange(head, m.end(), head.length));
      }
      return concat(line, rest);
    }, TAIL, tail -> own[0] == null ? tail : withoutLastLine(tail, "\\unrestrict " + own[0]));
  }

  /** A key for one restore: 32 alphanumerics from a strong source. */
  private static String fresh() {
    SecureRandom random = new SecureRandom();
    char[] key = new char[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
    }
    return new String(key);
  }

  /** {@code bytes} without the last line that is exactly {@code line} (with its newline). */
  private static byte[] withoutLastLine(byte[] bytes, String line) {
    String text = text(bytes);
    for (int at = text.lastIndexOf(line); at >= 0; at = text.lastIndexOf(line, at - 1)) {
      int after = at + line.length();
      boolean startsLine = at == 0 || text.charAt(at - 1) == '\n';
      boolean endsLine = after == text.length() || text.charAt(after) == '\n' || text.startsWith("\r\n", after);
      if (startsLine && endsLine) {
        int cut = after == text.length() ? after : text.indexOf('\n', after) + 1;
        return concat(Arrays.copyOfRange(bytes, 0, at), Arrays.copyOfRange(bytes, cut, bytes.length));
      }
      if (at == 0) {
        break;
      }
    }
    return bytes;
  }

  /** Every {@code from} in {@code bytes} replaced by {@code to}, of the same length. */
  private static byte[] replace(byte[] bytes, byte[] from, byte[] to) {
    byte[] out = bytes.clone();
    for (int i = 0; i + from.length <= out.length; i++) {
      if (Arrays.equals(out, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, out, i, to.length);
        i += from.length - 1;
      }
    }
    return out;
  }

  /** Bytes as ISO-8859-1 text: one char per byte, so offsets agree. */
  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
