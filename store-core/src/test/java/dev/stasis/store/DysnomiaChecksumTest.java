package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DysnomiaChecksumTest {
  @Test
  void oneFileHeaderIsWhatFindPrintsThenAnEmptyLine() {
    assertEquals(".\n./dump.pgsql.xz\n\n", text(DysnomiaChecksum.header(List.of("dump.pgsql.xz"))));
  }

  @Test
  void nestedFilesNameTheirDirectoriesFirstAsFindWalks() {
    String header = text(DysnomiaChecksum.header(List.of("db/a.bson", "db/b.json", "top", "x/y/z")));
    assertEquals(".\n./db\n./db/a.bson\n./db/b.json\n./top\n./x\n./x/y\n./x/y/z\n\n", header);
  }

  @Test
  void emptyFileChecksumMatchesSha256sumOfTheSerialization() {
    // printf '.\n./f\n\n' | sha256sum
    var digest = DysnomiaChecksum.startOneFile("f");
    assertEquals("sha256:" + org.apache.commons.codec.digest.DigestUtils.sha256Hex(".\n./f\n\n"),
        DysnomiaChecksum.format(digest.digest()));
  }

  @Test
  void wellFormedRecordsOnly() {
    assertTrue(DysnomiaChecksum.isWellFormed("sha256:" + "a".repeat(64)));
    assertFalse(DysnomiaChecksum.isWellFormed("sha256:" + "a".repeat(64) + "\n"));
    assertFalse(DysnomiaChecksum.isWellFormed("md5:" + "a".repeat(64)));
    assertFalse(DysnomiaChecksum.isWellFormed("sha256:" + "A".repeat(64)));
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
