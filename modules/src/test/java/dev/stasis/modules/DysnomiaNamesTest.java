package dev.stasis.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DysnomiaNamesTest {
  @Test
  void baseNamesAsBasenamePrintsThem() {
    assertEquals("testdb", DysnomiaNames.nameOf("testdb", Map.of()));
    assertEquals("testdb", DysnomiaNames.nameOf("/etc/dysnomia/components/pgc/testdb/", Map.of()));
    assertEquals("/", DysnomiaNames.baseName("/"));
  }

  @Test
  void nixStoreHashPrefixIsDropped() {
    String path = "/nix/store/0123456789abcdefghijklmnopqrstuv-testdb";
    assertEquals("testdb", DysnomiaNames.nameOf(path, Map.of()));
    assertEquals("0123456789abcdefghijklmnopqrstuv-testdb", DysnomiaNames.nameOf(path, Map.of("NIX_STORE_DIR", "/gnu/store")));
    assertEquals("testdb", DysnomiaNames.nameOf("/gnu/store/0123456789abcdefghijklmnopqrstuv-testdb",
        Map.of("NIX_STORE_DIR", "/gnu/store")));
  }

  @Test
  void stateDirComesFromTheEnvironmentFirst() {
    assertEquals(Path.of("/srv/state"), DysnomiaNames.stateDir(Map.of("DYSNOMIA_STATEDIR", "/srv/state")));
  }
}
