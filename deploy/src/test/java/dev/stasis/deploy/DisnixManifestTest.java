package dev.stasis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest Disnix writes (version 2), read for its stateful services and targets. */
class DisnixManifestTest {
  private static final String SHOP_PKG = "/nix/store/0c8mfjzq7vawl1mrgkdpdrdyvh7fzmmb-shop";
  private static final String WWW_PKG = "/nix/store/h6d2nl0dj0b7k1q5yqrx4pr2g1f8wqhb-www";
  private static final String API_PKG = "/nix/store/vs1hqlg6mrr4c2jl2y9a7n0w5z3dkxfp-api";

  @TempDir
  Path tmp;

  /** A manifest as {@code disnix-manifest} writes it: three services, two of them stateful, on two targets. */
  private static final String MANIFEST = """
      <?xml version="1.0"?>
      <manifest version="2">
        <profiles>
          <profile name="db1">/nix/store/6j0jz6xdbbq1hfsy1v0xkqdm5yqf3x1c-db1</profile>
          <profile name="web">/nix/store/z8w9ijq6mmb0l2zhhqa4x1m9i3d7rvm2-web</profile>
        </profiles>
        <services>
          <service name="0c8mfjzq7vawl1mrgkdpdrdyvh7fzmmb-shop">
            <name>shop</name>
            <pkg>%SHOP%</pkg>
            <dependsOn/>
            <connectsTo/>
            <type>postgresql-database</type>
          </service>
          <service name="h6d2nl0dj0b7k1q5yqrx4pr2g1f8wqhb-www">
            <name>www</name>
            <pkg>%WWW%</pkg>
            <dependsOn/>
            <connectsTo/>
            <type>directory</type>
          </service>
          <service name="vs1hqlg6mrr4c2jl2y9a7n0w5z3dkxfp-api">
            <name>api</name>
            <pkg>%API%</pkg>
            <dependsOn/>
            <connectsTo/>
            <type>process</type>
          </service>
        </services>
        <infrastructure>
          <target name="db1">
            <properties type="attrs">
              <property name="hostname" type="string">db1.example.org</property>
              <property name="stasisCommand" type="string">/opt/stasis/bin/stasis</property>
              <property name="stasisSshOptions" type="list">
                <elem type="string">-i</elem>
                <elem type="string">/root/.ssh/deploy</elem>
              </property>
            </properties>
            <containers>
              <container name="postgresql-production" type="attrs">
                <property name="postgresqlPort" type="int">5433</property>
                <property name="postgresqlUsername" type="string">postgres</property>
                <property name="sslEnabled" type="bool">true</property>
                <property name="readOnly" type="bool">false</property>
                <property name="extensions" type="list">
                  <elem type="string">pgcrypto</elem>
                  <elem type="string">hstore</elem>
                </property>
              </container>
              <container name="process" type="attrs"/>
            </containers>
            <system>x86_64-linux</system>
            <numOfCores>4</numOfCores>
            <clientInterface>disnix-ssh-client</clientInterface>
            <targetProperty>hostname</targetProperty>
          </target>
          <target name="web">
            <properties type="attrs">
              <property name="hostname" type="string">web.example.org</property>
              <property name="stasisAddress" type="string">ssh://deploy@10.0.0.8:2222</property>
              <property name="stasisStateDir" type="string">/srv/state</property>
            </properties>
            <containers>
              <container name="directory" type="attrs">
                <property name="directoryRoot" type="string">/srv/www</property>
              </container>
            </containers>
            <system>x86_64-linux</system>
            <numOfCores>1</numOfCores>
            <clientInterface>disnix-ssh-client</clientInterface>
            <targetProperty>hostname</targetProperty>
          </target>
        </infrastructure>
        <serviceMappings>
          <mapping>
            <service>0c8mfjzq7vawl1mrgkdpdrdyvh7fzmmb-shop</service>
            <container>postgresql-production</container>
            <target>db1</target>
          </mapping>
          <mapping>
            <service>h6d2nl0dj0b7k1q5yqrx4pr2g1f8wqhb-www</service>
            <container>directory</container>
            <target>web</target>
          </mapping>
          <mapping>
            <service>vs1hqlg6mrr4c2jl2y9a7n0w5z3dkxfp-api</service>
            <container>process</container>
            <target>db1</target>
          </mapping>
        </serviceMappings>
        <snapshotMappings>
          <mapping>
            <component>shop</component>
            <container>postgresql-production</container>
            <service>0c8mfjzq7vawl1mrgkdpdrdyvh7fzmmb-shop</service>
            <target>db1</target>
          </mapping>
          <mapping>
            <component>www</component>
            <container>directory</container>
            <service>h6d2nl0dj0b7k1q5yqrx4pr2g1f8wqhb-www</service>
            <target>web</target>
          </mapping>
        </snapshotMappings>
      </manifest>
      """.replace("%SHOP%", SHOP_PKG).replace("%WWW%", WWW_PKG).replace("%API%", API_PKG);

  private Manifest read(String xml) throws IOException {
    Path file = tmp.resolve("manifest.xml");
    Files.writeString(file, xml);
    return Manifest.read(file);
  }

  private String refused(String xml) {
    UsageException e = assertThrows(UsageException.class, () -> read(xml));
    assertTrue(e.getMessage().contains(tmp.resolve("manifest.xml").toString()), "names the file: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void theStatefulServicesAreTheSnapshotMappings() throws Exception {
    Manifest m = read(MANIFEST);
    assertEquals(List.of("shop", "www"), List.copyOf(m.services().keySet()), "api has no snapshot mapping");
    assertEquals(new Service("shop", "db1", "postgresql-production", SHOP_PKG, null), m.services().get("shop"),
        "the component is the package, as Disnix gives it to Dysnomia");
    assertEquals(new Service("www", "web", "directory", WWW_PKG, null), m.services().get("www"));
    assertEquals(new ComponentRef("postgresql-production", "shop"),
        ServiceState.of(m, m.services().get("shop")).ref(), "named in the stores without the Nix hash");
    assertEquals(Optional.empty(), m.coordinator());
  }

  @Test
  void containersHaveTheirPropertiesAsDisnixPassesThemAndTheTypeOfTheirService() throws Exception {
    Manifest m = read(MANIFEST);
    ContainerSpec pg = m.container(m.services().get("shop"));
    assertEquals("postgresql-production", pg.name());
    assertEquals("postgresql-database", pg.type(), "the type is the service's, not the container's name");
    assertEquals(Map.of("postgresqlPort", "5433", "postgresqlUsername", "postgres", "sslEnabled", "1",
        "readOnly", "", "extensions", "pgcrypto hstore"), pg.properties());
    assertNull(pg.file());
    ContainerSpec dir = m.container(m.services().get("www"));
    assertEquals("directory", dir.type());
    assertEquals(Map.of("directoryRoot", "/srv/www"), dir.properties());
  }

  @Test
  void targetsAreReachedByTheirStasisPropertiesElseBySshToTheirTargetProperty() throws Exception {
    Manifest m = read(MANIFEST);
    TargetSpec db1 = m.targets().get("db1");
    assertEquals(new Address(null, "db1.example.org", 0), db1.address(), "ssh:// its hostname");
    assertEquals("/var/state/dysnomia", db1.stateDir());
    assertEquals("/opt/stasis/bin/stasis", db1.stasis());
    assertEquals(List.of("-i", "/root/.ssh/deploy"), db1.sshOptions());

    TargetSpec web = m.targets().get("web");
    assertEquals(new Address("deploy", "10.0.0.8", 2222), web.address(), "stasisAddress wins over the hostname");
    assertEquals("/srv/state", web.stateDir());
    assertEquals("stasis", web.stasis());
    assertEquals(List.of(), web.sshOptions());

    Manifest other = read(MANIFEST.replace("<targetProperty>hostname</targetProperty>\n    </target>\n    <target name=\"web\">",
        "<targetProperty>sshTarget</targetProperty>\n    </target>\n    <target name=\"web\">")
        .replace("<property name=\"hostname\" type=\"string\">db1.example.org</property>",
            "<property name=\"hostname\" type=\"string\">db1.example.org</property>\n"
            + "<property name=\"sshTarget\" type=\"string\">admin@10.0.0.7</property>"));
    assertEquals(new Address("admin", "10.0.0.7", 0), other.targets().get("db1").address(),
        "the target property Disnix uses to reach the target");
  }

  @Test
  void aLocalTargetIsNamedSo() throws Exception {
    Manifest m = read(MANIFEST.replace("ssh://deploy@10.0.0.8:2222", "local"));
    assertTrue(m.targets().get("web").address().isLocal());
  }

  @Test
  void redundantInstancesOfAServiceAreNamedByTarget() throws Exception {
    String twice = MANIFEST.replace("</snapshotMappings>", """
          <mapping>
            <component>www</component>
            <container>directory</container>
            <service>h6d2nl0dj0b7k1q5yqrx4pr2g1f8wqhb-www</service>
            <target>db1</target>
          </mapping>
        </snapshotMappings>""");
    Manifest m = read(twice);
    assertEquals(List.of("shop", "www@web", "www@db1"), List.copyOf(m.services().keySet()));
    assertEquals("directory", m.container(m.services().get("www@db1")).type(),
        "db1 had no container 'directory'; it has one of the service's type");
  }

  @Test
  void aVersion1ManifestIsRefusedWithTheWayOut() {
    for (String version : List.of("<manifest>", "<manifest version=\"1\">")) {
      String m = refused(MANIFEST.replace("<manifest version=\"2\">", version));
      assertTrue(m.contains("version 2") && m.contains("disnix-convert"), m);
    }
  }

  @Test
  void aMappingOfAMissingServiceIsRefused() {
    String m = refused(MANIFEST.replace("<service>h6d2nl0dj0b7k1q5yqrx4pr2g1f8wqhb-www</service>\n      <target>web",
        "<service>00000000000000000000000000000000-gone</service>\n      <target>web"));
    assertTrue(m.contains("refers to service 00000000000000000000000000000000-gone, which is not among the services"),
        m);
  }

  @Test
  void aMappingToATargetNotInTheInfrastructureIsRefused() {
    String m = refused(MANIFEST.replace("<target>web</target>\n    </mapping>\n  </snapshotMappings>",
        "<target>web2</target>\n    </mapping>\n  </snapshotMappings>"));
    assertTrue(m.contains("service www") && m.contains("'web2'"), m);
  }

  @Test
  void aBadHostNameIsRefusedAsAnAddress() {
    String m = refused(MANIFEST.replace(">db1.example.org<", ">-oProxyCommand=touch /tmp/x<"));
    assertTrue(m.contains("target db1"), m);
  }

  @Test
  void aDoctypeIsRefusedSoNoEntityIsExpanded() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "db-secret.example.org");
    String external = MANIFEST.replace("<manifest version=\"2\">", "<!DOCTYPE manifest [<!ENTITY h SYSTEM \""
        + secret.toUri() + "\">]>\n<manifest version=\"2\">").replace(">db1.example.org<", ">&h;<");
    String m = refused(external);
    assertTrue(m.contains("DOCTYPE"), m);
    assertFalse(m.contains("db-secret"), m);

    String internal = MANIFEST.replace("<manifest version=\"2\">", "<!DOCTYPE manifest [<!ENTITY h \"evil.example.org\">"
        + "]>\n<manifest version=\"2\">").replace(">db1.example.org<", ">&h;<");
    String i = refused(internal);
    assertTrue(i.contains("DOCTYPE"), i);
  }

  @Test
  void notXmlIsRefused() {
    String m = refused("<manifest version=\"2\"><services>");
    assertTrue(m.contains("cannot read it as Disnix's manifest XML"), m);
  }

  // ---- end to end

  /** A manifest of two local targets with directory containers, each with its state directory under the test's. */
  private String localManifest(Fleet fleet) {
    String xml = MANIFEST
        .replace("<property name=\"hostname\" type=\"string\">db1.example.org</property>",
            "<property name=\"hostname\" type=\"string\">db1.example.org</property>\n"
            + "<property name=\"stasisAddress\" type=\"string\">local</property>\n"
            + "<property name=\"stasisStateDir\" type=\"string\">" + fleet.store("t1") + "</property>")
        .replace("ssh://deploy@10.0.0.8:2222", "local")
        .replace("<property name=\"stasisStateDir\" type=\"string\">/srv/state</property>",
            "<property name=\"stasisStateDir\" type=\"string\">" + fleet.store("t2") + "</property>")
        .replace("/srv/www", fleet.root.resolve("data-t2").toString())
        .replace("<container name=\"postgresql-production\" type=\"attrs\">",
            "<container name=\"directory\" type=\"attrs\">\n<property name=\"directoryRoot\" type=\"string\">"
            + fleet.root.resolve("data-t1") + "</property>\n</container>\n"
            + "<container name=\"postgresql-production\" type=\"attrs\">")
        .replace("<type>postgresql-database</type>", "<type>directory</type>")
        .replace("<container>postgresql-production</container>", "<container>directory</container>")
        .replace("<target name=\"db1\">", "<target name=\"t1\">").replace("<target>db1</target>", "<target>t1</target>")
        .replace("<target name=\"web\">", "<target name=\"t2\">").replace("<target>web</target>", "<target>t2</target>");
    assertFalse(xml.contains(">db1<") || xml.contains(">web<") || xml.contains("ssh://"), xml);
    return xml;
  }

  @Test
  void aDisnixManifestDrivesASnapshotToTheCoordinator() throws Exception {
    Fleet fleet = new Fleet(tmp.resolve("fleet"));
    Files.createDirectories(fleet.root);
    Path manifest = Files.writeString(fleet.root.resolve("manifest.xml"), localManifest(fleet));
    Trees.sample(fleet.state("t1", "shop"));
    Trees.file(fleet.state("t2", "www"), "index.html", "<h1>www</h1>\n");

    List<Outcome> done = fleet.run(manifest, (c, m) -> c.snapshot(m.select(List.of())));
    assertEquals(List.of("shop", "www"), done.stream().map(Outcome::subject).toList(), done.toString());
    assertEquals(List.of("done", "done"), done.stream().map(Outcome::status).toList(), done.toString());
    try (Store coordinator = Fleet.open(fleet.coordinatorDir); Store t1 = Fleet.open(fleet.store("t1"));
        Store t2 = Fleet.open(fleet.store("t2"))) {
      ComponentRef shop = new ComponentRef("directory", "shop");
      ComponentRef www = new ComponentRef("directory", "www");
      SnapshotRef shopSnapshot = coordinator.latest(shop).orElseThrow().snapshotRef();
      assertEquals(done.get(0).snapshot(), shopSnapshot.toString());
      assertEquals(done.get(1).snapshot(), coordinator.latest(www).orElseThrow().snapshotRef().toString());
      assertEquals(2, coordinator.generations(Scope.all()).size());
      assertEquals(shopSnapshot, t1.latest(shop).orElseThrow().snapshotRef(), "taken on t1, in t1's store");
      assertTrue(t2.latest(shop).isEmpty(), "not on t2");
      assertTrue(t2.latest(www).isPresent());
    }

    // and it comes back: the snapshot is of the component's state
    var before = Trees.describe(fleet.state("t1", "shop"));
    Files.writeString(fleet.state("t1", "shop").resolve("index.html"), "changed\n");
    List<Outcome> restored = fleet.run(manifest, (c, m) -> c.restore(m.select(List.of("shop")), Optional.empty(),
        true));
    assertEquals(List.of("done"), restored.stream().map(Outcome::status).toList(), restored.toString());
    assertEquals(before, Trees.describe(fleet.state("t1", "shop")));
  }
}
