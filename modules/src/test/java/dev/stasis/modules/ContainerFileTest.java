package dev.stasis.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.spi.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContainerFileTest {
  @TempDir
  Path dir;

  private ContainerFile read(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines));
    return ContainerFile.read(file, Map.of());
  }

  @Test
  void readsAssignmentsAsDysnomiaWritesThem() throws IOException {
    ContainerFile c = read("postgresql-database",
        "# written by Disnix",
        "",
        "type=postgresql-database",
        "postgresqlUsername=postgres",
        "  postgresqlPort=5432  ",
        "postgresqlRuntimeDir=\"/run/postgresql\"",
        "description='a $literal `value` with spaces'",
        "empty=",
        "postgresqlPort=5433");
    assertEquals("postgresql-database", c.name());
    assertEquals("postgresql-database", c.type());
    assertEquals(Map.of("postgresqlUsername", "postgres", "postgresqlPort", "5433",
        "postgresqlRuntimeDir", "/run/postgresql", "description", "a $literal `value` with spaces",
        "empty", ""), c.properties());
  }

  @Test
  void nameIsTheBaseNameWithoutTheNixStoreHash() throws IOException {
    Path nix = dir.resolve("nix/store");
    Files.createDirectories(nix);
    Path file = nix.resolve("0123456789abcdefghijklmnopqrstuv-mysql-production");
    Files.writeString(file, "type=mysql-database\n");
    ContainerFile c = ContainerFile.read(file, Map.of("NIX_STORE_DIR", nix.toString()));
    assertEquals("mysql-production", c.name());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "dir=$(rm -rf /)", "dir=`id`", "dir=\"$(id)\"", "dir=$HOME/x", "dir=\"${HOME}\"", "dir=~/x",
      "dir=a b", "dir=a;b", "dir=*.sql", "dir=(a b)", "dir=a|b", "dir=\"a\\\"b\"", "dir='it's'",
      "not an assignment", "export dir=x", "1dir=x"})
  void refusesWhatAShellWouldEvaluateNamingTheLine(String line) {
    UsageException e = assertThrows(UsageException.class, () -> read("c", "type=directory", "# ok", line));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    assertTrue(e.getMessage().contains(line), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"dir='unterminated", "dir=\"unterminated", "dir='mixed\"", "dir=\"mixed'"})
  void refusesUnbalancedQuotes(String line) {
    UsageException e = assertThrows(UsageException.class, () -> read("c", "type=directory", line));
    assertTrue(e.getMessage().contains("line 2: "), e.getMessage());
  }

  @Test
  void stripsOneLevelOfQuotesOnly() throws IOException {
    // as a shell would: the inner quotes are part of the value
    ContainerFile c = read("c", "type=directory", "a=\"'x'\"", "b='\"y\"'");
    assertEquals(Map.of("a", "'x'", "b", "\"y\""), c.properties());
  }

  @ParameterizedTest
  @ValueSource(strings = {"type=", "type=''", "type=\"\""})
  void anEmptyTypeIsAMissingType(String line) {
    UsageException e = assertThrows(UsageException.class, () -> read("c", line, "directoryRoot=/srv"));
    assertTrue(e.getMessage().startsWith("No type specified in the container configuration"), e.getMessage());
  }

  @Test
  void aMissingTypeIsAClearError() {
    UsageException e = assertThrows(UsageException.class, () -> read("c", "directoryRoot=/srv"));
    assertTrue(e.getMessage().startsWith("No type specified in the container configuration"), e.getMessage());
  }
}
