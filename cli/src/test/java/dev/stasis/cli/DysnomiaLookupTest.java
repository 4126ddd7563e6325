package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.modules.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dysnomia's rules for finding containers and components and naming them: a path (starting
 * with {@code /} or {@code ./}) is used as it is, any other argument is looked up on the
 * colon-separated search paths where the first directory that has it wins, and under the Nix
 * store the hash prefix is dropped from the names. Each lookup is observed by where
 * {@code activate} creates the state and which marker it writes.
 */
class DysnomiaLookupTest {
  private static final String HASH = "0123456789abcdfghijklmnpqrsvwxyz";

  @TempDir
  Path tmp;
  DysnomiaHost host;

  @BeforeEach
  void setUp() throws IOException {
    host = new DysnomiaHost(tmp);
  }

  /** A directory container whose state goes to {@code root}. */
  private static Path container(Path file, Path root) throws IOException {
    return DysnomiaHost.write(file, "type=directory", "directoryRoot=" + root);
  }

  @Test
  void theFirstDirectoryOnEachSearchPathThatHasTheNameWins() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path first = tmp.resolve("first");
    Path second = tmp.resolve("second");
    container(first.resolve("containers/files"), tmp.resolve("srv-first"));
    container(second.resolve("containers/files"), tmp.resolve("srv-second"));
    Trees.file(first.resolve("components/files/webapp"), "from.txt", "first");
    Trees.file(second.resolve("components/files/webapp"), "from.txt", "second");
    // a missing directory on a path is skipped, as an empty one is
    String missing = tmp.resolve("missing").toString();
    host.env("DYSNOMIA_CONTAINERS_PATH", String.join(":", missing, empty.toString(),
        first.resolve("containers").toString(), second.resolve("containers").toString()));
    host.env("DYSNOMIA_COMPONENTS_PATH", String.join(":", missing, empty.toString(),
        first.resolve("components").toString(), second.resolve("components").toString()));

    host.ok("-o", "activate", "-C", "files", "-c", "webapp");
    assertEquals("first", Files.readString(tmp.resolve("srv-first/webapp/from.txt")));
    assertTrue(Files.notExists(tmp.resolve("srv-second")));
    assertTrue(Files.isRegularFile(host.marker("activated", "files", "webapp")));
  }

  @Test
  void aPathIsUsedAsItIsAndANameIsNeverTakenForAPath() throws IOException {
    // ./local exists in the working directory (the store's parent), but not on the search path
    container(tmp.resolve("local"), host.srv);
    Trees.file(tmp.resolve("site"), "index.html", "site");

    CliRun byName = host.dysnomia("-o", "activate", "-C", "local", "-c", tmp.resolve("site").toString());
    assertEquals(4, byName.code(), byName.toString());

    host.ok("-o", "activate", "-C", "./local", "-c", "./site");
    assertEquals("site", Files.readString(host.srv.resolve("site/index.html")));
    assertTrue(Files.isRegularFile(host.marker("activated", "local", "site")));

    // an absolute path, elsewhere than both search paths
    Path elsewhere = container(tmp.resolve("etc/elsewhere"), host.srv);
    host.ok("-o", "deactivate", "-C", elsewhere.toString(), "-c", tmp.resolve("site").toString());
    assertTrue(Files.isRegularFile(host.marker("garbage", "elsewhere", "site")));
  }

  @Test
  void underTheNixStoreTheHashPrefixIsDroppedFromBothNames() throws IOException {
    Path nixStore = Files.createDirectories(tmp.resolve("nix/store"));
    host.env("NIX_STORE_DIR", nixStore.toString());
    Path containerFile = container(nixStore.resolve(HASH + "-files-production"), host.srv);
    Path component = Trees.file(nixStore.resolve(HASH + "-webapp"), "index.html", "from the store").getParent();

    host.ok("-o", "activate", "-C", containerFile.toString(), "-c", component.toString());
    assertEquals("from the store", Files.readString(host.srv.resolve("webapp/index.html")));
    assertTrue(Files.isRegularFile(host.marker("activated", "files-production", "webapp")));
    host.ok("-o", "snapshot", "-C", containerFile.toString(), "-c", component.toString());
    List<String> all = host.all();
    assertEquals(1, all.size(), all.toString());
    assertTrue(all.get(0).startsWith("files-production/webapp/"), all.get(0));
  }

  @Test
  void aSymlinkedComponentIsNamedAfterWhatItPointsAtAsReadlinkFResolvesIt() throws IOException {
    // Disnix hands Dysnomia links into the Nix store; Dysnomia names the component after the target.
    Path nixStore = Files.createDirectories(tmp.resolve("nix/store"));
    host.env("NIX_STORE_DIR", nixStore.toString());
    host.directoryContainer("files");
    Path target = Trees.file(nixStore.resolve(HASH + "-webapp"), "index.html", "linked").getParent();
    Path link = Files.createSymbolicLink(tmp.resolve("current-webapp"), target);

    host.ok("-o", "activate", "-C", "files", "-c", link.toString());
    assertEquals("linked", Files.readString(host.srv.resolve("webapp/index.html")));
    assertTrue(Files.isRegularFile(host.marker("activated", "files", "webapp")));
  }

  @Test
  void outsideTheNixStoreAHashLikePrefixIsPartOfTheName() throws IOException {
    host.env("NIX_STORE_DIR", tmp.resolve("nix/store").toString());
    Path containerFile = container(tmp.resolve("etc/" + HASH + "-files"), host.srv);
    Path component = Files.createDirectories(tmp.resolve("opt/" + HASH + "-webapp"));

    host.ok("-o", "activate", "-C", containerFile.toString(), "-c", component.toString());
    assertTrue(Files.isDirectory(host.srv.resolve(HASH + "-webapp")));
    assertTrue(Files.isRegularFile(host.marker("activated", HASH + "-files", HASH + "-webapp")));
  }

  @Test
  void aMissingContainerIsNotFoundNamingEveryDirectorySearched() throws IOException {
    Path other = Files.createDirectories(tmp.resolve("more-containers"));
    host.env("DYSNOMIA_CONTAINERS_PATH", host.containers + ":" + other);
    host.component("files", "webapp");

    CliRun r = host.dysnomia("-o", "activate", "-C", "files", "-c", "webapp");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.stderr().contains("No container configuration found for: files"), r.stderr());
    assertTrue(r.stderr().contains(host.containers + ":" + other), r.stderr());

    CliRun byPath = host.dysnomia("-o", "activate", "-C", tmp.resolve("no/such/file").toString(), "-c", "webapp");
    assertEquals(4, byPath.code(), byPath.toString());
    assertTrue(byPath.stderr().contains(tmp.resolve("no/such/file").toString()), byPath.stderr());
    assertTrue(Files.notExists(host.store.resolve("activated")));
  }

  @Test
  void aMissingComponentIsNotFoundNamingEveryDirectorySearched() throws IOException {
    host.directoryContainer("files");
    Path other = Files.createDirectories(tmp.resolve("more-components"));
    host.env("DYSNOMIA_COMPONENTS_PATH", host.components + ":" + other);
    // the component exists, but for another container: lookup is by <dir>/<container>/<name>
    host.component("databases", "webapp");

    CliRun r = host.dysnomia("-o", "activate", "-C", "files", "-c", "webapp");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.stderr().contains("No component configuration found for: webapp"), r.stderr());
    assertTrue(r.stderr().contains(host.components + ":" + other), r.stderr());
    assertTrue(Files.notExists(host.srv));
    assertTrue(Files.notExists(host.store.resolve("activated")));
  }
}
