package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code mysql-database} container's {@code mysqlPort}: a bad one is the user's mistake (exit
 * 2, naming the container and the key) found before any client runs; a good one reaches the
 * client as {@code --port}. The clients are stand-ins on the PATH that write down their
 * arguments, so no server is needed.
 */
class MysqlPortTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path calls;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    MysqlShop.component(host, "mdb", "shop");
    calls = tmp.resolve("calls");
    host.standIns(calls, "mariadb", "mariadb-dump");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "70000", " 3306", "3306 ", "-1", "+80", "99999999999"})
  void aPortThatIsNoPortIsAUsageErrorBeforeAnyClientRuns(String port) throws IOException {
    host.container("mdb", "type=mysql-database", "mysqlPort='" + port + "'");
    for (String operation : new String[] {"activate", "snapshot", "lock", "unlock"}) {
      CliRun r = host.dysnomia("-o", operation, "-C", "mdb", "-c", "shop");
      assertEquals(2, r.code(), operation + ": " + r);
      assertTrue(r.stderr().contains("container mdb") && r.stderr().contains("mysqlPort='" + port + "'"),
          r.stderr());
    }
    assertTrue(Files.notExists(calls), () -> "a client ran: " + read(calls));
  }

  @Test
  void aPortReachesTheClientOverTcp() throws IOException {
    host.container("mdb", "type=mysql-database", "mysqlPort=3307");
    CliRun r = host.dysnomia("-o", "activate", "-C", "mdb", "-c", "shop");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.stderr().contains("no server here"), r.stderr());
    assertTrue(read(calls).contains(" --protocol=TCP --port=3307 "), read(calls));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
