package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the real Dysnomia 0.10.2's modules do when they restore, reproduced step by step (its
 * modules are bash scripts built with Nix; they cannot run here): the newest generation by
 * {@code ls | sort -n | tail -1}, the snapshot directory its link names, and the module's
 * commands, with its users and its pipes. Their weak spots are the point: the PostgreSQL module
 * drops the database first, then reads the snapshot as {@code postgresqlUsername} through a
 * pipe whose first command may fail unnoticed ({@code su -c "xzcat … | psql"}, no pipefail), so
 * a snapshot that user cannot read, or that has no {@code .xz} file, restores an empty database
 * with exit 0.
 */
final class RealDysnomia {
  private RealDysnomia() {}

  /** The snapshot directory {@code determineLastSnapshot} names, or null when there is no generation. */
  static Path lastSnapshot(Path stateDir, String container, String component) throws IOException {
    Path gens = stateDir.resolve("generations").resolve(container).resolve(component);
    if (!Files.isDirectory(gens)) {
      return null;
    }
    long newest = -1;
    try (DirectoryStream<Path> s = Files.newDirectoryStream(gens)) {
      for (Path g : s) {
        newest = Math.max(newest, Long.parseLong(g.getFileName().toString()));
      }
    }
    if (newest < 0) {
      return null;
    }
    Path link = Files.readSymbolicLink(gens.resolve(Long.toString(newest)));
    return stateDir.resolve("snapshots").resolve(container).resolve(component).resolve(link.getFileName());
  }

  /**
   * The {@code restore} of {@code postgresql-database}: as {@code postgres}, {@code dropdb},
   * {@code createdb -O postgres}, then {@code xzcat SNAPSHOT/dump.pgsql.xz | psql --file - DB}.
   * Returns the module's exit status (its last command's).
   */
  static int postgresqlRestore(Path stateDir, String container, String db, PgServer pg) throws IOException {
    Path snapshot = lastSnapshot(stateDir, container, db);
    if (snapshot == null) {
      return 0;
    }
    String server = "-h " + pg.socketDir() + " -p " + PgServer.PORT;
    run("dropdb " + server + " " + db);
    run("createdb " + server + " -O postgres " + db);
    return run("xzcat " + snapshot.resolve("dump.pgsql.xz") + " | psql -X -q " + server + " --file - " + db);
  }

  /** {@code su postgres -s /bin/sh -c SCRIPT}, from a directory that user may enter. */
  private static int run(String script) throws IOException {
    List<String> command = new ArrayList<>(PgServer.asServerUser(List.of("/bin/sh", "-c", script)));
    Process p = PgServer.builder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      assertTrue(p.waitFor(PgServer.GUARD_SECONDS, TimeUnit.SECONDS), script + " did not end");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (!said.isBlank()) {
      System.err.println("real dysnomia: " + script + ": " + said.strip());
    }
    return p.exitValue();
  }
}
