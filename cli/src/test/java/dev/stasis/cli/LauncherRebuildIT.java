package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.cli.Launchers.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * When {@code bin/launch} rebuilds the jar: when a main source is newer than it, and not when
 * only a test source is (tests are not in the jar; rebuilding for them made every command wait
 * for Maven, and a test that did not compile broke every command). Runs a copy of the launchers
 * in a scratch "repository" holding the packaged jar, so the real one is never touched; that
 * copy has no pom, so a rebuild it attempts fails, which is how the test sees it.
 */
class LauncherRebuildIT {
  private static final Instant BUILT = Instant.parse("2025-01-01T00:00:00Z");

  @TempDir
  Path repo;

  private Launchers bin;

  @BeforeEach
  void setUp() throws Exception {
    Files.createDirectories(repo.resolve("bin"));
    for (String launcher : new String[] {"launch", "stasis"}) {
      Files.copy(Launchers.REPO.resolve("bin").resolve(launcher), repo.resolve("bin").resolve(launcher),
          StandardCopyOption.COPY_ATTRIBUTES);
    }
    Path jar = Files.createDirectories(repo.resolve("cli/target")).resolve("stasis.jar");
    Files.copy(Launchers.REPO.resolve("cli/target/stasis.jar"), jar);
    Files.setLastModifiedTime(jar, FileTime.from(BUILT));
    bin = new Launchers(repo.resolve("store"));
  }

  @Test
  void aNewerTestSourceDoesNotRebuild() throws Exception {
    // Newer than the jar, and not even valid Java: as a test being edited is.
    source("cli/src/test/java/dev/stasis/cli/EditedTest.java", "class EditedTest {");

    Result r = bin.run(scratch("--version")).ok();
    assertEquals("stasis 0.1.0", r.out().strip());
    assertFalse(r.stderr().contains("building"), r.stderr());
  }

  /** Every module the jar holds counts (deploy came later, and was missed at first). */
  @ParameterizedTest
  @ValueSource(strings = {"store-core/src/main/java/dev/stasis/store", "store-fs/src/main/java/dev/stasis/fs",
      "store-s3/src/main/java/dev/stasis/s3", "modules/src/main/java/dev/stasis/modules",
      "deploy/src/main/java/dev/stasis/deploy", "cli/src/main/java/dev/stasis/cli"})
  void aNewerMainSourceRebuilds(String dir) throws Exception {
    source(dir + "/Edited.java", "class Edited {}");

    Result r = bin.run(scratch("--version")).exits(1);
    assertTrue(r.stderr().startsWith("stasis: building (first run, or the sources changed) ..."), r.stderr());
    assertTrue(r.stderr().strip().endsWith("stasis: the build failed; see above"), r.stderr());
    assertFalse(r.stderr().contains("\u001b"), "terminal escape codes in the build's output: " + r.stderr());
  }

  private List<String> scratch(String... args) {
    List<String> command = new ArrayList<>();
    command.add(repo.resolve("bin/stasis").toString());
    command.addAll(List.of(args));
    return command;
  }

  private void source(String path, String text) throws Exception {
    Path file = repo.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    Files.setLastModifiedTime(file, FileTime.from(BUILT.plusSeconds(60)));
  }
}
