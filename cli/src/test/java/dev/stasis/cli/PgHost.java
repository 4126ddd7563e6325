package dev.stasis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A Dysnomia host (store, container files, components) whose containers are databases on a
 * {@link PgServer}: {@code pgc} connects as the superuser {@code postgres} (peer, as root), and
 * {@code appc} as the role {@code app} with its password. Components are databases named after
 * them, with their {@code postgresql-databases/*.sql} scripts.
 */
final class PgHost {
  /** The superuser's container; components are looked up in {@code components/pgc/}. */
  static final String PGC = "pgc";
  /** The password-authenticated role's container. */
  static final String APPC = "appc";

  final DysnomiaHost host;
  final PgServer pg;

  PgHost(Path tmp, PgServer pg) throws IOException {
    this.pg = pg;
    this.host = new DysnomiaHost(tmp);
    host.container(PGC, lines("postgres"));
    List<String> app = new ArrayList<>(List.of(lines("app")));
    app.add("postgresqlPassword=" + PgServer.PASSWORD);
    host.container(APPC, app.toArray(String[]::new));
  }

  private String[] lines(String user) {
    return new String[] {"# a PostgreSQL server the test started", "type=postgresql-database",
        "postgresqlUsername=" + user, "postgresqlPort=" + PgServer.PORT, "postgresqlRuntimeDir=" + pg.socketDir()};
  }

  /** The container file of {@code container}, as {@code -C} takes a path. */
  Path containerFile(String container) {
    return host.containers.resolve(container);
  }

  /**
   * Creates the component {@code name} of {@code container}; {@code scripts} are pairs of a
   * file name under {@code postgresql-databases/} and its SQL.
   */
  Path component(String container, String name, String... scripts) throws IOException {
    Path dir = host.component(container, name);
    Path sql = Files.createDirectories(dir.resolve("postgresql-databases"));
    for (int i = 0; i < scripts.length; i += 2) {
      Files.writeString(sql.resolve(scripts[i]), scripts[i + 1], StandardCharsets.UTF_8);
    }
    return dir;
  }

  /** A component of {@code pgc} with a table {@code t(id, v)} holding the rows {@code values}. */
  Path table(String name, String... values) throws IOException {
    StringBuilder insert = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      insert.append("INSERT INTO t VALUES (").append(i + 1).append(", '").append(values[i]).append("');\n");
    }
    return component(PGC, name, "01-schema.sql", "CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL);\n",
        "02-rows.sql", insert.toString());
  }

  /** {@code dysnomia -o OPERATION -C pgc -c COMPONENT MORE…}. */
  CliRun dysnomia(String operation, String component, String... more) {
    return on(PGC, operation, component, more);
  }

  /** {@code dysnomia -o OPERATION -C CONTAINER -c COMPONENT MORE…}. */
  CliRun on(String container, String operation, String component, String... more) {
    List<String> args = new ArrayList<>(List.of("-o", operation, "-C", container, "-c", component));
    args.addAll(List.of(more));
    return host.dysnomia(args.toArray(String[]::new));
  }

  /** {@code dysnomia -o OPERATION -C pgc -c COMPONENT}, which must exit 0. */
  CliRun ok(String operation, String component, String... more) {
    CliRun r = dysnomia(operation, component, more);
    assertEquals(0, r.code(), () -> "dysnomia -o " + operation + " -c " + component + ": " + r);
    return r;
  }

  /** The values of {@code t} in {@code db}, by id. */
  List<String> values(String db) throws IOException {
    return pg.rows(db, "SELECT v FROM t ORDER BY id");
  }

  /** What {@code dysnomia-snapshots --query-all} prints. */
  List<String> all() {
    return host.all();
  }

  /** The logical bytes of a snapshot ({@code stasis dump PATH}), as text. */
  String dump(String path) {
    CliRun r = host.stasis("dump", path);
    assertEquals(0, r.code(), r.toString());
    return r.out();
  }

  /** Regular files and links under snapshots/, checksums/, generations/ and .stasis/tmp of the store. */
  List<String> stored() throws IOException {
    List<String> found = new ArrayList<>(Launchers.committed(host.store));
    Path tmp = host.store.resolve(".stasis/tmp");
    if (Files.exists(tmp)) {
      try (Stream<Path> s = Files.walk(tmp)) {
        s.filter(Files::isRegularFile).forEach(p -> found.add(host.store.relativize(p).toString()));
      }
    }
    return found;
  }

  /** The databases stasis builds beside a live one ({@code stasis_<hash>_new}, {@code _restore}, {@code _old}). */
  List<String> sideDatabases() throws IOException {
    return pg.rows("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'stasis\\_%' ORDER BY 1");
  }
}
