package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The deployment file in TOML: the documented format, and a usage error naming file and place for anything else. */
class TomlManifestTest {
  @TempDir
  Path tmp;

  /** The example of {@link TomlManifest}'s javadoc, with a second target reached over ssh. */
  private static final String DOCUMENTED = """
      coordinator = "/var/state/stasis-coordinator"

      [targets.db1]
      address = "local"
      statedir = "/srv/state/db1"
      [targets.db1.containers.postgresql-database]
      postgresqlPort = 5432
      postgresqlUsername = "postgres"
      readOnly = true
      ratio = 1.5
      [targets.db1.containers.files]
      container-file = "/etc/dysnomia/containers/files"

      [targets.web]
      address = "ssh://deploy@web.example.org:2222"
      stasis = "/opt/stasis/bin/stasis"
      ssh-options = ["-i", "/root/.ssh/deploy"]
      [targets.web.containers.directory]
      type = "directory"
      directoryRoot = "/srv/www"

      [services.shop]
      target = "db1"
      container = "postgresql-database"
      component = "/srv/components/shop"
      as = "shop_live"

      [services.www]
      target = "web"
      container = "directory"
      """;

  private Manifest read(String toml) throws IOException {
    Path file = tmp.resolve("deployment.toml");
    Files.writeString(file, toml);
    return Manifest.read(file);
  }

  /** The usage error reading {@code toml}, after checking it names the file. */
  private String refused(String toml) {
    UsageException e = assertThrows(UsageException.class, () -> read(toml));
    assertTrue(e.getMessage().contains(tmp.resolve("deployment.toml").toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void theDocumentedFormatParses() throws Exception {
    Manifest m = read(DOCUMENTED);
    assertEquals(Optional.of("/var/state/stasis-coordinator"), m.coordinator());
    assertEquals(List.of("db1", "web"), m.targets().keySet().stream().sorted().toList());

    TargetSpec db1 = m.targets().get("db1");
    assertEquals(Address.LOCAL, db1.address());
    assertEquals("/srv/state/db1", db1.stateDir());
    assertEquals("stasis", db1.stasis(), "the default command");
    assertEquals(List.of(), db1.sshOptions());
    ContainerSpec pg = db1.containers().get("postgresql-database");
    assertEquals("postgresql-database", pg.type(), "without a type, the container's name");
    assertEquals(Map.of("postgresqlPort", "5432", "postgresqlUsername", "postgres", "readOnly", "true", "ratio", "1.5"),
        pg.properties(), "numbers and booleans become strings, as in a container file");
    assertNull(pg.file());
    ContainerSpec files = db1.containers().get("files");
    assertEquals("/etc/dysnomia/containers/files", files.file());
    assertEquals(Map.of(), files.properties());

    TargetSpec web = m.targets().get("web");
    assertEquals(new Address("deploy", "web.example.org", 2222), web.address());
    assertEquals("/var/state/dysnomia", web.stateDir(), "Dysnomia's state directory by default");
    assertEquals("/opt/stasis/bin/stasis", web.stasis());
    assertEquals(List.of("-i", "/root/.ssh/deploy"), web.sshOptions());
    assertEquals("directory", web.containers().get("directory").type());
    assertEquals("/srv/www", web.containers().get("directory").properties().get("directoryRoot"));

    assertEquals(List.of("shop", "www"), List.copyOf(m.services().keySet()), "in the file's order");
    assertEquals(new Service("shop", "db1", "postgresql-database", "/srv/components/shop", "shop_live"),
        m.services().get("shop"));
    assertEquals(new Service("www", "web", "directory", "www", null), m.services().get("www"),
        "the component is the service's name by default; no 'as'");
    assertEquals(pg, m.container(m.services().get("shop")));
  }

  @Test
  void aTargetIsLocalByDefaultAndTheCoordinatorIsOptional() throws Exception {
    Manifest m = read("[targets.t]\n[targets.t.containers.directory]\ndirectoryRoot = \"/d\"\n");
    assertEquals(Address.LOCAL, m.targets().get("t").address());
    assertEquals(Optional.empty(), m.coordinator());
    assertEquals(Map.of(), m.services());
  }

  @Test
  void unknownKeysAreRefusedWhereTheyAre() {
    String top = refused("cordinator = \"/x\"\n" + DOCUMENTED);
    assertTrue(top.contains("the file has an unknown key 'cordinator'"), top);

    String target = refused(DOCUMENTED.replace("statedir = ", "state-dir = "));
    assertTrue(target.contains("target db1 has an unknown key 'state-dir'"), target);

    String service = refused(DOCUMENTED.replace("as = ", "name = "));
    assertTrue(service.contains("service shop has an unknown key 'name'"), service);
    assertTrue(service.contains("known: as, component, container, target"), "lists what is known: " + service);
  }

  @Test
  void aServiceOnAnUnknownTargetOrContainerIsRefused() {
    String target = refused(DOCUMENTED.replace("target = \"db1\"", "target = \"db9\""));
    assertTrue(target.contains("service shop") && target.contains("'db9'") && target.contains("not among the targets"),
        target);

    String container = refused(DOCUMENTED.replace("container = \"postgresql-database\"", "container = \"mysql\""));
    assertTrue(container.contains("service shop") && container.contains("'mysql'")
        && container.contains("target db1 does not have"), container);
  }

  @Test
  void aServiceNeedsATargetAndAContainer() {
    String noTarget = refused(DOCUMENTED.replace("target = \"db1\"\n", ""));
    assertTrue(noTarget.contains("service shop needs a target and a container"), noTarget);
    String noContainer = refused(DOCUMENTED.replace("container = \"directory\"\n", ""));
    assertTrue(noContainer.contains("service www needs a target and a container"), noContainer);
    String empty = refused(DOCUMENTED.replace("target = \"db1\"", "target = \"\""));
    assertTrue(empty.contains("service shop: target must be a non-empty string"), empty);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://web.example.org", "ssh://", "ssh://deploy@", "ssh://-oProxyCommand=x",
      "ssh://-oProxyCommand=touch%20x@web", "ssh://web/srv", "LOCAL", ""})
  void aBadAddressIsRefusedNamingTheTarget(String address) {
    String m = refused(DOCUMENTED.replace("ssh://deploy@web.example.org:2222", address));
    assertTrue(m.contains("target web"), m);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"a/b\"", "\"a\\nb\"", "\"a\\u001b[31mb\"", "\"a\\u009bb\"", "\"..\"", "\".hidden\""})
  void namesThatCannotBePathSegmentsAreRefused(String quoted) {
    String target = refused(DOCUMENTED.replace("[targets.web]", "[targets." + quoted + "]")
        .replace("[targets.web.", "[targets." + quoted + "."));
    assertTrue(target.contains("target "), target);
    assertFalse(Names.hasControlCharacters(target), "control characters are escaped: " + target);

    String service = refused(DOCUMENTED.replace("[services.www]", "[services." + quoted + "]"));
    assertTrue(service.contains("service "), service);

    String container = refused(DOCUMENTED.replace("[targets.web.containers.directory]",
        "[targets.web.containers." + quoted + "]"));
    assertTrue(container.contains("target web container "), container);

    String as = refused(DOCUMENTED.replace("as = \"shop_live\"", "as = " + quoted));
    assertTrue(as.contains("service shop as"), as);
  }

  @Test
  void whatTheFileSaysIsPrintedWithoutItsControlCharacters() {
    // a message is read on a terminal: a raw ESC would drive it, a raw newline forge a line
    for (String m : List.of(refused("\"a\\u001b[2Jb\" = 1\n" + DOCUMENTED),
        refused(DOCUMENTED.replace("target = \"db1\"", "target = \"db\\r1\"")),
        refused(DOCUMENTED.replace("ssh://deploy@web.example.org:2222", "ssh://web\\n.example.org")))) {
      assertFalse(Names.hasControlCharacters(m), m);
      assertTrue(m.contains("\\x1b") || m.contains("\\x0d") || m.contains("\\x0a"), "escaped: " + m);
    }
  }

  @Test
  void aContainerFileAndPropertiesTogetherAreRefused() {
    String m = refused(DOCUMENTED.replace("container-file = \"/etc/dysnomia/containers/files\"",
        "container-file = \"/etc/dysnomia/containers/files\"\ndirectoryRoot = \"/srv/files\""));
    assertTrue(m.contains("target db1 container files has both a container-file and properties"), m);
  }

  @Test
  void valuesOfTheWrongShapeAreRefused() {
    String list = refused(DOCUMENTED.replace("postgresqlPort = 5432", "postgresqlPort = [5432]"));
    assertTrue(list.contains("target db1 container postgresql-database: property postgresqlPort"), list);
    String options = refused(DOCUMENTED.replace("ssh-options = [\"-i\", \"/root/.ssh/deploy\"]",
        "ssh-options = \"-i /root/.ssh/deploy\""));
    assertTrue(options.contains("target web: ssh-options must be a list of strings"), options);
    String notATable = refused(DOCUMENTED.replace("[services.www]\ntarget = \"web\"\ncontainer = \"directory\"\n", "")
        + "\n[services]\nwww = \"web\"\n");
    assertTrue(notATable.contains("service www must be a table"), notATable);
  }

  @Test
  void aFileWithoutTargetsIsRefused() {
    String m = refused("coordinator = \"/x\"\n");
    assertTrue(m.contains("has no [targets.NAME] table"), m);
  }

  @Test
  void invalidTomlIsRefusedAsNeitherFormat() {
    String m = refused("[targets.db1\naddress = \"local\"\n");
    assertTrue(m.contains("is not a deployment file: neither Disnix's XML nor valid TOML"), m);
  }

  // ---- Address.parse

  @Test
  void addressesParseAndPrintBack() {
    assertEquals(Address.LOCAL, Address.parse("local", "t"));
    assertTrue(Address.LOCAL.isLocal());
    assertEquals("local", Address.LOCAL.toString());

    Address plain = Address.parse("ssh://db1", "t");
    assertEquals(new Address(null, "db1", 0), plain);
    assertFalse(plain.isLocal());
    assertEquals("db1", plain.destination());
    assertEquals("ssh://db1", plain.toString());

    Address full = Address.parse("ssh://deploy@10.0.0.7:2222", "t");
    assertEquals(new Address("deploy", "10.0.0.7", 2222), full);
    assertEquals("deploy@10.0.0.7", full.destination());
    assertEquals("ssh://deploy@10.0.0.7:2222", full.toString());

    assertEquals(new Address(null, "db1", 0), Address.parse("ssh://db1/", "t"), "a trailing slash is no path");
    assertEquals(new Address(null, "db1", 0), Address.parse("ssh://db1:", "t"), "an empty port is ssh's default");
    assertEquals(new Address(null, "db1", 65535), Address.parse("ssh://db1:65535", "t"));
  }

  @Test
  void anIpv6AddressIsGivenToSshWithoutItsBrackets() {
    // ssh takes "[::1]" for a host name to resolve; in a URI the brackets are required
    Address a = Address.parse("ssh://deploy@[::1]:2222", "t");
    assertEquals(new Address("deploy", "::1", 2222), a);
    assertEquals("deploy@::1", a.destination());
    assertEquals("ssh://deploy@[::1]:2222", a.toString());
    assertEquals(a, Address.parse(a.toString(), "t"), "printed back, it parses to the same address");
    assertEquals("fe80::1", Address.parse("ssh://[fe80::1]", "t").destination());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local ", "Local", "db1", "db1:22", "user@db1", "sftp://db1", "ssh:db1", "ssh:///db1",
      "ssh://db1/path", "ssh://db1?x=1", "ssh://db1#f", "ssh://user:secret@db1", "ssh://@db1", "ssh://-l@db1",
      "ssh://-oProxyCommand=x", "ssh://db 1", "ssh://db1:port", "ssh://db1:0", "ssh://db1:65536", "ssh://db1:99999", "ssh://[::1"})
  void addressesThatAreNotLocalOrAnSshHostAreRefused(String text) {
    UsageException e = assertThrows(UsageException.class, () -> Address.parse(text, "deploy.toml: target db1"));
    assertTrue(e.getMessage().startsWith("deploy.toml: target db1: address '" + text + "'"), e.getMessage());
  }
}
