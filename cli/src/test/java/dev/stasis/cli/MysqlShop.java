package dev.stasis.cli;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A component for the {@code mysql-database} tests: a small shop with every kind of object a
 * dump must carry (tables with a foreign key, rows, a view over a view, a procedure, a function,
 * a trigger and an event), created by two {@code mysql-databases/*.sql} scripts run in name order.
 */
final class MysqlShop {
  static final String SCHEMA = String.join("\n",
      "CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL, price INT NOT NULL);",
      "CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, item INT NOT NULL, what VARCHAR(20),",
      "  CONSTRAINT audit_item FOREIGN KEY (item) REFERENCES items (id));",
      "CREATE VIEW cheap AS SELECT name, price FROM items WHERE price < 3;",
      "CREATE VIEW cheapest AS SELECT name FROM cheap ORDER BY price LIMIT 1;",
      "DELIMITER //",
      "CREATE TRIGGER items_audit AFTER INSERT ON items FOR EACH ROW",
      "  INSERT INTO audit (item, what) VALUES (NEW.id, 'insert')//",
      "CREATE PROCEDURE total(OUT t INT) BEGIN SELECT SUM(price) INTO t FROM items; END//",
      "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2//",
      "DELIMITER ;",
      "CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DO DELETE FROM audit;");
  static final String DATA = "INSERT INTO items (name, price) VALUES ('apple', 1), ('bread', 2);";

  private MysqlShop() {}

  /** The component {@code components/<container>/<name>} with the two scripts. */
  static Path component(DysnomiaHost host, String container, String name) throws IOException {
    Path component = host.component(container, name);
    DysnomiaHost.write(component.resolve("mysql-databases/01-schema.sql"), SCHEMA);
    DysnomiaHost.write(component.resolve("mysql-databases/02-data.sql"), DATA);
    return component;
  }

  /**
   * What the objects of {@code db} are and do, as one string: tables, rows, the views' rows, the
   * routines' results, the trigger's and event's definitions. Equal strings, equal shops.
   */
  static String describe(MariadbServer server, String db) throws IOException {
    return String.join("\n",
        "tables: " + server.rows(db, "SHOW FULL TABLES"),
        "items: " + server.rows(db, "SELECT * FROM items ORDER BY id"),
        "audit: " + server.rows(db, "SELECT * FROM audit ORDER BY id"),
        "cheap: " + server.rows(db, "SELECT * FROM cheap ORDER BY name"),
        "cheapest: " + server.rows(db, "SELECT * FROM cheapest"),
        "routines: " + server.rows(db, "CALL total(@t); SELECT @t, twice(21)"),
        "triggers: " + server.rows("", "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT"
            + " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '" + db + "'"),
        "events: " + server.rows("", "SELECT EVENT_NAME, EVENT_DEFINITION, STATUS FROM information_schema.EVENTS"
            + " WHERE EVENT_SCHEMA = '" + db + "'"));
  }
}
