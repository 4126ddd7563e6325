package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code postgresql-database} container's {@code postgresqlPort}: a bad one is the user's
 * mistake (exit 2, naming the container and the key) found before psql or pg_dump runs. The
 * tools are stand-ins on the PATH that write down that they ran, so no server is needed.
 */
class PostgresPortTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path calls;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    host.component("pgc", "shop");
    calls = tmp.resolve("calls");
    host.standIns(calls, "psql", "pg_dump", "pg_dumpall");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "70000", " 5432", "-1"})
  void aPortThatIsNoPortIsAUsageErrorBeforeAnyToolRuns(String port) throws IOException {
    host.container("pgc", "type=postgresql-database", "postgresqlUsername=" + System.getProperty("user.name"),
        "postgresqlPort='" + port + "'");
    for (String operation : new String[] {"activate", "deactivate", "snapshot", "restore", "lock", "unlock",
        "collect-garbage"}) {
      CliRun r = host.dysnomia("-o", operation, "-C", "pgc", "-c", "shop");
      assertEquals(2, r.code(), operation + ": " + r);
      assertTrue(r.stderr().contains("container pgc") && r.stderr().contains("postgresqlPort='" + port + "'"),
          r.stderr());
    }
    CliRun globals = host.stasis("snapshot", "-C", "pgc", "--globals");
    assertEquals(2, globals.code(), globals.toString());
    assertTrue(Files.notExists(calls), () -> "a tool ran: " + calls);
  }
}
