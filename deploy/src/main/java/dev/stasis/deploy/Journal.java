package dev.stasis.deploy;

import dev.stasis.modules.files.DurableFiles;
import dev.stasis.store.Names;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a coordinator remembers between commands, in {@code .stasis/deploy/} of its state
 * directory, each record written atomically: the last deployment a migrate completed (the
 * "previous" of {@code deploy restore}, as Disnix's coordinator profile is) and, per service, the
 * migration it completed, so a rerun after a failure goes on without restoring again what it
 * already restored (which would throw away what was written there since).
 */
final class Journal {
  private final Path dir;

  Journal(Path stateDir) {
    this.dir = stateDir.resolve(StoreLayout.DEPLOY.path());
  }

  /** A migration done: the service moved from {@code from} to {@code to}, with {@code snapshot}. */
  record Migrated(Service from, Service to, SnapshotRef snapshot, boolean stateDeleted) {}

  Optional<Migrated> migrated(Service from, Service to) throws IOException {
    Path file = dir.resolve("migrated").resolve(Names.requireSafe(to.name(), "service name"));
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode n = Wire.JSON.readTree(Files.readAllBytes(file));
    Migrated m = new Migrated(Wire.JSON.treeToValue(n.get("from"), Service.class),
        Wire.JSON.treeToValue(n.get("to"), Service.class), SnapshotRef.parse(n.get("snapshot").asString()),
        n.path("stateDeleted").asBoolean(false));
    return m.from().sameMapping(from) && m.to().sameMapping(to) ? Optional.of(m) : Optional.empty();
  }

  void record(Migrated m) throws IOException {
    ObjectNode n = Wire.object();
    n.set("from", Wire.JSON.valueToTree(m.from()));
    n.set("to", Wire.JSON.valueToTree(m.to()));
    n.put("snapshot", m.snapshot().toString());
    n.put("stateDeleted", m.stateDeleted());
    Path file = dir.resolve("migrated").resolve(Names.requireSafe(m.to().name(), "service name"));
    Files.createDirectories(file.getParent());
    DurableFiles.writeAtomically(file, Wire.JSON.writeValueAsBytes(n));
  }

  /** The services of the last deployment a migrate completed, if any. */
  Optional<List<Service>> current() throws IOException {
    Path file = dir.resolve("current");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    List<Service> services = new ArrayList<>();
    for (JsonNode s : Wire.JSON.readTree(Files.readAllBytes(file))) {
      services.add(Wire.JSON.treeToValue(s, Service.class));
    }
    return Optional.of(services);
  }

  void current(Manifest m) throws IOException {
    ArrayNode a = Wire.JSON.createArrayNode();
    m.services().values().forEach(s -> a.add(Wire.JSON.valueToTree(s)));
    Files.createDirectories(dir);
    DurableFiles.writeAtomically(dir.resolve("current"), Wire.JSON.writeValueAsBytes(a));
  }
}
