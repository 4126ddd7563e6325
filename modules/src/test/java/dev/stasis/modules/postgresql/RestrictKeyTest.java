package dev.stasis.modules.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The key swap on the way into the store and the guard on the way out, at every read size and dump size. */
class RestrictKeyTest {
  private static final String KEY = "2v1v3abKfryx6N4J05lkIbd5EVQ2lteUU8xq1ld4qcKAvcac60Y0ma0luQUfF5l";

  /** pg_dump's layout: a comment, the restrict line, the body, the unrestrict line and an empty line. */
  private static String dump(int bodyLines) {
    return "--\n-- PostgreSQL database dump\n--\n\n\\restrict " + KEY + "\n\n"
        + "INSERT INTO t VALUES (42, 'a row of the body');\n".repeat(bodyLines)
        + "--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict " + KEY + "\n\n";
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 1400, 1500, 50_000})
  void theKeyIsSwappedAtBothEndsAndNothingElseChanges(int bodyLines) throws IOException {
    String derived = "d".repeat(KEY.length());
    for (int readSize : new int[] {1, 7, 4096, 4097, 1 << 20}) {
      String out = read(RestrictKey.rekeyed(in(dump(bodyLines)), n -> "d".repeat(n)), readSize);
      assertEquals(dump(bodyLines).replace(KEY, derived), out, "read size " + readSize);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1500, 50_000})
  void aDumpWithoutThePairPassesUnchanged(int bodyLines) throws IOException {
    String plain = "SELECT 1;\n".repeat(bodyLines + 1);
    assertEquals(plain, read(RestrictKey.rekeyed(in(plain), n -> "x".repeat(n)), 4096));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1500, 50_000})
  void theGuardPutsItsOwnRestrictFirstAndTakesTheDumpsPairOut(int bodyLines) throws IOException {
    String out = read(RestrictKey.guarded(in(dump(bodyLines))), 4096);
    assertTrue(out.matches("\\\\restrict [A-Za-z0-9]{32}\n[\\s\\S]*"), out.substring(0, 50));
    String body = out.substring(out.indexOf('\n') + 1);
    assertEquals(dump(bodyLines).replace("\\restrict " + KEY + "\n", "").replace("\\unrestrict " + KEY + "\n", ""),
        body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"SELECT 1;\n", "\\! id\nSELECT 1;\n", ""})
  void theGuardRestrictsADumpWithoutThePairToo(String dump) throws IOException {
    String out = read(RestrictKey.guarded(in(dump)), 4096);
    assertTrue(out.startsWith("\\restrict "), out);
    assertEquals(dump, out.substring(out.indexOf('\n') + 1));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 50_000})
  void anUnrestrictPlantedInTheBodyStays(int bodyLines) throws IOException {
    // psql then meets it under the guard's key: "wrong key", and the restore stops
    String planted = dump(bodyLines).replace("--\n-- PostgreSQL database dump complete",
        "\\unrestrict " + KEY + "\n\\! id\n--\n-- PostgreSQL database dump complete");
    String out = read(RestrictKey.guarded(in(planted)), 4096);
    assertTrue(out.contains("\\unrestrict " + KEY + "\n\\! id\n"), out.substring(Math.max(0, out.length() - 300)));
  }

  private static InputStream in(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(InputStream in, int readSize) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[readSize];
    for (int n; (n = in.read(buffer, 0, readSize)) >= 0; ) {
      out.write(buffer, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
