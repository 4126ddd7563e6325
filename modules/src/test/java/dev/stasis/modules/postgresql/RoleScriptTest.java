package dev.stasis.modules.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stasis.store.StoreException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleScriptTest {
  private static final String DUMP = """
      --
      -- PostgreSQL database cluster dump
      --

      \\restrict abc123

      SET default_transaction_read_only = off;

      --
      -- Roles
      --

      CREATE ROLE app;
      ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a:b';
      CREATE ROLE QOdd QQNameQQQ;
      ALTER ROLE QOdd QQNameQQQ WITH NOLOGIN;
      CREATE ROLE postgres;
      ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS PASSWORD 'old';
      COMMENT ON ROLE app IS 'first line;
      CREATE ROLE evil SUPERUSER;
      last line';

      --
      -- Role memberships
      --

      GRANT app TO QOdd QQNameQQQ GRANTED BY postgres;
      GRANT pg_read_all_data TO postgres GRANTED BY postgres;

      \\unrestrict abc123
      """.replace('Q', '"');

  @Test
  void onlyTheRolesTheServerLacksAreCreatedWithTheirMemberships() {
    List<String> script = RoleScript.missing(DUMP, Set.of("postgres", "pg_read_all_data"));
    assertEquals(List.of(
        "CREATE ROLE app;",
        "ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a:b';",
        "CREATE ROLE QOdd QQNameQQQ;".replace('Q', '"'),
        "ALTER ROLE QOdd QQNameQQQ WITH NOLOGIN;".replace('Q', '"'),
        "GRANT app TO QOdd QQNameQQQ GRANTED BY postgres;".replace('Q', '"')), script);
  }

  @Test
  void aRoleTheServerHasKeepsItsAttributes() {
    List<String> script = RoleScript.missing(DUMP, Set.of("postgres", "app", "Odd \"Name\""));
    assertEquals(List.of(), script, "nothing for roles there; the comment's text is no statement");
  }

  @Test
  void aBackslashInTheMiddleOfALineIsRefused() {
    assertThrows(StoreException.class, () -> RoleScript.missing("CREATE ROLE x; \\! id\n", Set.of()));
  }
}
