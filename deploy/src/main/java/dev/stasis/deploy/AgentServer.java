package dev.stasis.deploy;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoredFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The far end of {@link AgentClient}: what {@code stasis deploy agent} runs on a target, reading
 * requests on stdin and answering on stdout until the coordinator closes the channel. Every
 * request is carried out by an {@link Agent} on the target's own store; nothing in a request is
 * run as code (a container's properties are data, its type picks one of stasis's modules).
 *
 * <p>A service locked through the channel and not unlocked through it is unlocked when the
 * channel ends: a coordinator whose connection dropped (or that was killed) cannot, and a
 * locked database takes no writes until someone does.
 */
public final class AgentServer {
  private final Agent agent;
  private final Wire wire;
  private final PrintStream err;
  private final Set<ServiceState> locked = new LinkedHashSet<>();

  /** @param err told of an unlock that failed when the channel ended (no one else is listening then) */
  public AgentServer(Agent agent, InputStream in, OutputStream out, PrintStream err) {
    this.agent = agent;
    this.wire = new Wire(in, out);
    this.err = err;
  }

  /** Answers requests until the channel closes, then unlocks what the coordinator left locked. */
  public void serve() throws IOException {
    try {
      while (true) {
        JsonNode request;
        try {
          request = wire.readMessage();
        } catch (EOFException closed) {
          return;
        }
        ObjectNode answer;
        try {
          answer = handle(request);
        } catch (IOException | RuntimeException e) {
          answer = Wire.failure(e);
        }
        wire.sendMessage(answer);
      }
    } finally {
      releaseLocks();
    }
  }

  private void releaseLocks() {
    for (ServiceState s : locked) {
      try {
        agent.operate(s, "unlock");
        err.println("stasis: the channel ended with " + s.service() + " locked; unlocked it");
      } catch (IOException | RuntimeException e) {
        err.println("stasis: the channel ended with " + s.service() + " locked, and unlocking it failed: "
            + e.getMessage());
      }
    }
    locked.clear();
  }

  private void operate(ServiceState s, String operation) throws IOException {
    agent.operate(s, operation);
    if (operation.equals("lock")) {
      locked.add(s);
    } else if (operation.equals("unlock")) {
      locked.remove(s);
    }
  }

  private ObjectNode handle(JsonNode r) throws IOException {
    ObjectNode answer = Wire.object();
    answer.put("ok", true);
    String op = r.path("op").asString("");
    switch (op) {
      case "hello" -> answer.put("version", Wire.VERSION);
      case "snapshot" -> {
        Machine.Taken taken = agent.snapshot(service(r));
        answer.put("snapshot", taken.snapshot().toString());
        answer.put("generation", taken.generation());
        answer.put("new", taken.newGeneration());
      }
      case "latest" -> agent.latest(component(r)).ifPresent(s -> answer.put("snapshot", s.toString()));
      case "has" -> answer.put("has", agent.has(snapshot(r)));
      case "stored" -> answer.set("file", Wire.stored(agent.stored(snapshot(r))));
      case "send" -> send(Wire.stored(r.get("file")));
      case "receive" -> linked(answer, receive(r.get("file")));
      case "link" -> linked(answer, agent.link(snapshot(r)));
      case "restore" -> agent.restore(service(r), snapshot(r));
      case "operate" -> operate(service(r), r.path("operation").asString(""));
      case "gc" -> {
        JsonNode c = r.get("component");
        Machine.Collected collected = agent.gc(c == null ? null : component(r), r.path("keep").asInt(1));
        answer.put("generations", collected.generations());
        answer.put("snapshots", collected.snapshots());
      }
      default -> throw new StoreException("agent protocol: unknown request '%s'", op);
    }
    return answer;
  }

  /** Sends the stored bytes as a body; a failure half-way aborts the body, then the answer says why. */
  private void send(StoredFile file) throws IOException {
    Wire.Body body = wire.body();
    try {
      agent.send(file, body);
    } catch (IOException | RuntimeException e) {
      body.abort(String.valueOf(e.getMessage()));
      throw e;
    }
    body.end();
  }

  /** Publishes the snapshot whose bytes follow; they are read to their end even when the request is refused. */
  private IngestResult receive(JsonNode file) throws IOException {
    InputStream body = wire.bodyInput();
    try {
      return agent.receive(Wire.stored(file), body);
    } finally {
      Wire.drain(body);
    }
  }

  private static void linked(ObjectNode answer, IngestResult r) {
    answer.put("snapshot", r.snapshot().toString());
    answer.put("generation", r.generation().number());
    answer.put("new", r.newGeneration());
  }

  private static ServiceState service(JsonNode r) {
    return Wire.JSON.treeToValue(r.get("service"), ServiceState.class);
  }

  private static SnapshotRef snapshot(JsonNode r) {
    return SnapshotRef.parse(r.get("snapshot").asString());
  }

  private static ComponentRef component(JsonNode r) {
    JsonNode c = r.get("component");
    return new ComponentRef(c.get("container").asString(), c.get("component").asString());
  }
}
