package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The options every {@code stasis} command takes ({@code --store}, {@code --lock-wait},
 * {@code --verbose}, the S3 options) go before or after the subcommand, as restic's do.
 */
class CommonOptionsTest {
  @TempDir
  Path tmp;

  @Test
  void theStoreMayBeNamedBeforeOrAfterTheCommand() throws IOException {
    Path www = Trees.sample(tmp.resolve("www"));
    Path other = tmp.resolve("other");
    Path unused = tmp.resolve("default");

    CliRun before = CliRun.stasis(unused, "--store", other.toString(), "snapshot", www.toString());
    assertEquals(0, before.code(), before.toString());
    CliRun after = CliRun.stasis(unused, "list", "--store", other.toString(), "--lock-wait", "0");
    assertEquals(0, after.code(), after.toString());
    assertTrue(after.line().startsWith("directory/www  1  "), after.toString());

    CliRun verboseFirst = CliRun.stasis(unused, "--verbose", "--lock-wait", "5s", "--store", other.toString(),
        "check");
    assertEquals(0, verboseFirst.code(), verboseFirst.toString());
    assertTrue(Files.notExists(unused), "the default store was touched");
  }

  @Test
  void aCommonOptionGivenTwiceIsAUsageError() {
    CliRun twice = CliRun.stasis(tmp.resolve("default"), "--store", tmp.resolve("a").toString(), "list",
        "--store", tmp.resolve("b").toString());
    assertEquals(2, twice.code(), twice.toString());
  }
}
