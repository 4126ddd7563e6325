package dev.stasis.modules.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.store.ComponentRef;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Container properties read through {@link Target}: a port is a port, or a usage error naming where. */
class TargetTest {
  private static Target with(Map<String, String> properties) {
    Host host = new Host(System.out, System.err, Map.of(), Path.of("/"), Path.of("/tmp"), "stasis", false);
    return new Target(new ComponentRef("db", "shop"), Path.of("/srv/shop"), properties, host);
  }

  @Test
  void aPortIsReadOrFallsBackWhenMissingOrEmpty() {
    assertEquals(3307, with(Map.of("p", "3307")).port("p", 1));
    assertEquals(1, with(Map.of("p", "1")).port("p", 5432));
    assertEquals(65535, with(Map.of("p", "65535")).port("p", 5432));
    assertEquals(5432, with(Map.of()).port("p", 5432));
    assertEquals(5432, with(Map.of("p", "")).port("p", 5432));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "65536", "70000", " 3306", "3306 ", "-1", "+80", "3e3", "99999999999"})
  void anythingElseIsAUsageErrorNamingTheContainerAndKey(String value) {
    UsageException e = assertThrows(UsageException.class, () -> with(Map.of("p", value)).port("p", 5432));
    assertTrue(e.getMessage().contains("container db") && e.getMessage().contains("p='" + value + "'"),
        e.getMessage());
  }
}
