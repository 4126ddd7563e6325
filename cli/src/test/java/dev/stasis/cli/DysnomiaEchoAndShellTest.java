package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in {@code echo} type, {@code dysnomia --shell}, and properties taken from the
 * environment with {@code --environment --type}: the ways a container's properties reach the
 * user without any service behind them.
 */
class DysnomiaEchoAndShellTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;
  Path component;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    host.container("echoes", "type=echo", "greeting='hello world'");
    component = host.component("echoes", "svc");
  }

  private String echo(String operation) {
    return host.ok("-o", operation, "-C", "echoes", "-c", "svc").out();
  }

  /** What the echo module prints for one operation: the call, then the container's properties. */
  private String said(String what) {
    return "Echo module: " + what + " " + component + " echoes\n  greeting=hello world\n";
  }

  @Test
  void echoPrintsEveryOperationWithTheContainersProperties() throws IOException {
    assertEquals(said("activate"), echo("activate"));
    assertEquals(said("lock"), echo("lock"));
    assertEquals(said("unlock"), echo("unlock"));
    assertEquals(said("snapshot"), echo("snapshot"));
    // its snapshot is a line naming the component, stored like any dump
    List<String> all = host.all();
    assertEquals(1, all.size(), all.toString());
    byte[] dump = "echo echoes/svc\n".getBytes(StandardCharsets.UTF_8);
    assertEquals("echoes/svc/" + Trees.sha256(dump), all.get(0));
    assertEquals(said("restore (" + dump.length + " bytes)"), echo("restore"));
    assertEquals(said("deactivate"), echo("deactivate"));
    assertEquals(said("collect-garbage"), echo("collect-garbage"));
    assertTrue(Files.notExists(host.marker("garbage", "echoes", "svc")));
  }

  @Test
  void theShellSeesTheContainersPropertiesAsParsed() throws IOException {
    Path srv = tmp.resolve("srv");
    host.container("files",
        "# quotes are stripped once; what is inside single quotes is literal",
        "",
        "type=directory",
        "directoryRoot=\"" + srv + "\"",
        "note='a $literal, # not a comment'",
        "   # an indented comment",
        "plain=one,two");
    Path webapp = host.component("files", "webapp");

    CliRun r = host.ok("--shell", "-C", "files", "-c", "webapp", "--command",
        "echo \"$directoryRoot|$note|$plain|$this_component|$this_container\"");
    assertEquals(srv + "|a $literal, # not a comment|one,two|" + webapp + "|files\n", r.out());
    assertTrue(r.stderr().contains("this_component"), r.stderr());
    // a shell only looks: nothing was activated
    assertTrue(Files.notExists(srv));
  }

  @Test
  void theShellTellsTheModulesHelpAndPassesTheExitStatusOn() {
    CliRun r = host.dysnomia("--shell", "-C", "echoes", "-c", "svc", "--command", "echo \"$greeting\"; exit 7");
    assertEquals(7, r.code(), r.toString());
    assertEquals("hello world\n", r.out());
    assertTrue(r.stderr().contains("This is the echo shell session"), r.stderr());
  }

  @Test
  void environmentTakesThePropertiesFromTheCallersEnvironment() throws IOException {
    Path srv = tmp.resolve("from-env");
    host.env("directoryRoot", srv.toString());
    Path site = Trees.file(tmp.resolve("site"), "index.html", "site").getParent();

    host.ok("-o", "activate", "--environment", "--type", "directory", "-c", site.toString());
    assertEquals("site", Files.readString(srv.resolve("site/index.html")));
    // without a container file, the type names the container, as in Dysnomia
    assertTrue(Files.isRegularFile(host.marker("activated", "directory", "site")));

    host.ok("-o", "snapshot", "-E", "-t", "directory", "-c", site.toString());
    List<String> all = host.all();
    assertEquals(1, all.size(), all.toString());
    assertTrue(all.get(0).startsWith("directory/site/"), all.get(0));
  }
}
