package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dysnomia}'s refusals: what Dysnomia calls an error is a usage error (exit 2) with
 * Dysnomia's message, a container file stasis will not evaluate names its line, and a type no
 * module implements is "not found" (exit 4) naming every directory searched. None of them
 * touches the state or the store.
 */
class DysnomiaUsageTest {
  @TempDir
  Path tmp;
  DysnomiaHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
    host.directoryContainer("files");
    host.component("files", "webapp");
  }

  /** Runs dysnomia, expects {@code code} and {@code message} on stderr, and that nothing was created. */
  private CliRun refused(int code, String message, String... args) {
    CliRun r = host.dysnomia(args);
    assertEquals(code, r.code(), r.toString());
    assertTrue(r.stderr().contains(message), r.stderr());
    assertEquals("", r.out());
    assertTrue(Files.notExists(host.srv), "state created by a refused command");
    assertTrue(Files.notExists(host.store.resolve("activated")), "marker written by a refused command");
    return r;
  }

  @Test
  void noOperation() {
    refused(2, "ERROR: No operation specified!", "-C", "files", "-c", "webapp");
  }

  @Test
  void noContainerAndNoEnvironment() {
    refused(2, "No container file or environment specified!", "-o", "activate", "-c", "webapp");
  }

  @Test
  void noComponent() {
    refused(2, "ERROR: No component is specified!", "-o", "activate", "-C", "files");
  }

  @Test
  void anUnknownOperation() {
    refused(2, "unknown operation 'frobnicate'", "-o", "frobnicate", "-C", "files", "-c", "webapp");
  }

  @Test
  void environmentWithoutType() {
    refused(2, "--environment needs --type", "-o", "activate", "--environment", "-c", "webapp");
  }

  @Test
  void aGenerationOutsideRestore() {
    refused(2, "--generation goes with --operation restore", "-o", "activate", "-C", "files", "-c", "webapp",
        "--generation", "1");
  }

  @Test
  void anUnknownOption() {
    refused(2, "--frobnicate", "-o", "activate", "-C", "files", "-c", "webapp", "--frobnicate");
  }

  @Test
  void longOptionsMayBeAbbreviatedAsGetoptAllowsButNotAmbiguously() {
    // "--co" could be --component, --container or --command
    refused(2, "--co", "--oper", "activate", "--co", "files", "--comp", "webapp");
    host.ok("--oper", "activate", "--cont", "files", "--comp", "webapp");
    assertTrue(Files.isDirectory(host.srv.resolve("webapp")));
  }

  @Test
  void aContainerFileWithACommandSubstitutionNamesTheLine() throws IOException {
    Path evil = host.container("evil", "# set up by hand", "type=directory", "",
        "directoryRoot=$(rm -rf " + host.srv + ")");
    CliRun r = refused(2, evil + ", line 4: a command substitution", "-o", "activate", "-C", "evil", "-c", "webapp");
    assertTrue(r.stderr().contains("directoryRoot=$(rm -rf "), r.stderr());
  }

  @Test
  void aContainerFileWithAVariableNamesTheLine() throws IOException {
    Path file = host.container("home", "type=directory", "directoryRoot=\"$HOME/state\"");
    refused(2, file + ", line 2: a variable expansion", "-o", "activate", "-C", "home", "-c", "webapp");
  }

  @Test
  void aContainerFileWithoutType() throws IOException {
    Path file = host.container("untyped", "# no type here", "directoryRoot=" + host.srv);
    refused(2, "No type specified in the container configuration " + file, "-o", "activate", "-C", "untyped",
        "-c", "webapp");
  }

  @Test
  void aDirectoryContainerWithoutItsRoot() throws IOException {
    host.container("rootless", "type=directory");
    host.component("rootless", "webapp");
    refused(2, "container rootless has no directoryRoot= property", "-o", "activate", "-C", "rootless", "-c", "webapp");
  }

  @Test
  void anUnknownTypeIsNotFoundNamingEveryPathSearched() throws IOException {
    Path dysnomiaModules = Files.createDirectories(tmp.resolve("dysnomia-modules"));
    Path moreModules = Files.createDirectories(tmp.resolve("more-modules"));
    Path streamingModules = Files.createDirectories(tmp.resolve("stasis-modules"));
    // a file of that name that is not executable is no module
    DysnomiaHost.write(streamingModules.resolve("postgresql-cluster"), "#!/bin/sh", "exit 0");
    host.env("DYSNOMIA_MODULES_PATH", dysnomiaModules + ":" + moreModules);
    host.env("STASIS_MODULES_PATH", streamingModules.toString());
    host.container("pg", "type=postgresql-cluster");
    host.component("pg", "webapp");

    CliRun r = refused(4, "Module: postgresql-cluster cannot be found!", "-o", "activate", "-C", "pg", "-c", "webapp");
    assertTrue(r.stderr().contains("$DYSNOMIA_MODULES_PATH (" + dysnomiaModules + ":" + moreModules + ")"),
        r.stderr());
    assertTrue(r.stderr().contains("$STASIS_MODULES_PATH (" + streamingModules + ")"), r.stderr());
  }

  @Test
  void anUnknownTypeWithNoSearchPathsSaysSo() throws IOException {
    host.container("pg", "type=postgresql-cluster");
    host.component("pg", "webapp");
    CliRun r = refused(4, "Module: postgresql-cluster cannot be found!", "-o", "activate", "-C", "pg", "-c", "webapp");
    assertTrue(r.stderr().contains("$DYSNOMIA_MODULES_PATH ((empty))"), r.stderr());
    assertTrue(r.stderr().contains("$STASIS_MODULES_PATH ((empty))"), r.stderr());
  }
}
