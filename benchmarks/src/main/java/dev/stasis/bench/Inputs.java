package dev.stasis.bench;

import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;

/**
 * Benchmark inputs, generated in memory from a fixed seed, so every run ingests the same bytes.
 *
 * <ul>
 *   <li>{@code sql}: a pg_dump in plain format, {@code COPY ... FROM stdin;} blocks of orders
 *       (ids, names, e-mails, timestamps, amounts); about 5:1 with zstd.
 *   <li>{@code mixed}: a dump of text, numbers, JSON documents and bytea ({@code \\x} and the hex
 *       of random bytes, or NULL); about 3.2:1 with zstd, 4.2:1 with xz.
 *   <li>{@code random}: random bytes; incompressible.
 * </ul>
 */
final class Inputs {
  private static final long SEED = 20_240_601L;
  private static final int ROWS_PER_TABLE = 50_000;
  private static final String PREAMBLE = """
      --
      -- PostgreSQL database dump
      --

      SET statement_timeout = 0;
      SET client_encoding = 'UTF8';
      SET standard_conforming_strings = on;

      """;
  private static final String[] FIRST = {"Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo",
      "Ida", "Jonas", "Karla", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Simon", "Tara", "Viktor"};
  private static final String[] LAST = {"Schmidt", "Meyer", "Weber", "Wagner", "Becker", "Hoffmann", "Koch",
      "Richter", "Klein", "Wolf", "Neumann", "Braun", "Zimmermann", "Hartmann", "Lange", "Krause"};
  private static final String[] STATUS = {"new", "paid", "shipped", "delivered", "returned"};

  private Inputs() {}

  /** {@code size} bytes of the input {@code kind}: {@code sql}, {@code mixed} or {@code random}. */
  static byte[] generate(String kind, int size) {
    Random random = new Random(SEED);
    return switch (kind) {
      case "sql" -> sql(size, random);
      case "mixed" -> mixed(size, random);
      case "random" -> {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        yield bytes;
      }
      default -> throw new IllegalArgumentException("unknown input '" + kind + "' (sql, mixed or random)");
    };
  }

  private static byte[] sql(int size, Random random) {
    Text out = new Text(size);
    out.append(PREAMBLE);
    long id = 0;
    long time = 1_700_000_000L;
    for (int table = 1; !out.full(); table++) {
      out.append("COPY public.orders_" + table + " (id, customer, email, created_at, amount, status) FROM stdin;\n");
      for (int row = 0; row < ROWS_PER_TABLE && !out.full(); row++) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        time += random.nextInt(120);
        out.append(++id + "\t" + first + " " + last + "\t" + first.toLowerCase(Locale.ROOT) + "." + last.toLowerCase(Locale.ROOT)
            + "@example.com\t" + timestamp(time) + "\t" + random.nextInt(100_000) / 100.0 + "\t"
            + STATUS[random.nextInt(STATUS.length)] + "\n");
      }
      out.append("\\.\n\n");
    }
    return out.bytes;
  }

  private static byte[] mixed(int size, Random random) {
    String[] words = new String[512];
    for (int i = 0; i < words.length; i++) {
      words[i] = letters(random, 2 + random.nextInt(8));
    }
    Text out = new Text(size);
    out.append(PREAMBLE);
    long id = 0;
    for (int table = 1; !out.full(); table++) {
      out.append("COPY public.documents_" + table + " (id, owner, created_at, title, body, payload, attachment)"
          + " FROM stdin;\n");
      for (int row = 0; row < ROWS_PER_TABLE && !out.full(); row++) {
        out.append(++id + "\t" + random.nextInt(1_000_000) + "\t"
            + timestamp(1_600_000_000L + random.nextInt(200_000_000)) + "\t"
            + sentence(random, words, 3 + random.nextInt(6)) + "\t"
            + sentence(random, words, 10 + random.nextInt(50)) + "\t"
            + "{\"score\": " + random.nextInt(1000) / 1000.0 + ", \"count\": " + random.nextInt(10_000)
            + ", \"tags\": [\"" + words[random.nextInt(64)] + "\", \"" + words[random.nextInt(64)]
            + "\"], \"active\": " + random.nextBoolean() + "}\t"
            + (random.nextInt(4) == 0 ? "\\\\x" + hex(random, 16 + random.nextInt(64)) : "\\N") + "\n");
      }
      out.append("\\.\n\n");
    }
    return out.bytes;
  }

  /** A timestamp as pg_dump prints {@code timestamptz} in UTC. */
  private static String timestamp(long epochSecond) {
    int second = (int) (epochSecond % 86_400);
    return LocalDate.ofEpochDay(epochSecond / 86_400) + " " + twoDigits(second / 3600) + ":"
        + twoDigits(second / 60 % 60) + ":" + twoDigits(second % 60) + "+00";
  }

  private static String twoDigits(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }

  /** Words drawn with a skew, as in real text: a few are common, most are rare. */
  private static String sentence(Random random, String[] words, int count) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < count; i++) {
      double r = random.nextDouble();
      s.append(i == 0 ? "" : " ").append(words[(int) (words.length * r * r * r * r)]);
    }
    return s.toString();
  }

  private static String letters(Random random, int count) {
    StringBuilder s = new StringBuilder(count);
    for (int i = 0; i < count; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }

  private static String hex(Random random, int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A fixed-size buffer of ASCII text; what does not fit is cut off. */
  private static final class Text {
    final byte[] bytes;
    int length;

    Text(int size) {
      bytes = new byte[size];
    }

    boolean full() {
      return length == bytes.length;
    }

    void append(String s) {
      int n = Math.min(s.length(), bytes.length - length);
      for (int i = 0; i < n; i++) {
        bytes[length++] = (byte) s.charAt(i);
      }
    }
  }
}
