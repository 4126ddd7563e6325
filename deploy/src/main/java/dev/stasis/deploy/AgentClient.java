package dev.stasis.deploy;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Generation;
import dev.stasis.store.IngestResult;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A machine reached through a stasis agent ({@link AgentServer}) at the other end of a channel:
 * in production ssh's stdin and stdout ({@link Ssh}). Requests go one at a time; a snapshot's
 * bytes stream over the same channel in either direction.
 */
public final class AgentClient implements Machine {
  private final String name;
  private final Wire wire;
  private final AutoCloseable channel;

  /**
   * @param channel closed with this client (the ssh process); closing {@code out} first ends the agent
   */
  public AgentClient(String name, InputStream in, OutputStream out, AutoCloseable channel) throws IOException {
    this.name = name;
    this.wire = new Wire(in, out);
    this.channel = channel;
    ObjectNode hello = request("hello");
    int version = call(hello).path("version").asInt(-1);
    if (version != Wire.VERSION) {
      throw new StoreException("target %s runs a stasis agent of protocol version %d; this stasis speaks %d:"
          + " install the same stasis there", name, version, Wire.VERSION);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Taken snapshot(ServiceState service) throws IOException {
    ObjectNode r = request("snapshot");
    r.set("service", Wire.JSON.valueToTree(service));
    JsonNode a = call(r);
    return new Taken(SnapshotRef.parse(a.get("snapshot").asString()), a.get("generation").asLong(),
        a.get("new").asBoolean());
  }

  @Override
  public Optional<SnapshotRef> latest(ComponentRef component) throws IOException {
    ObjectNode r = request("latest");
    r.set("component", component(component));
    JsonNode s = call(r).get("snapshot");
    return s == null ? Optional.empty() : Optional.of(SnapshotRef.parse(s.asString()));
  }

  @Override
  public boolean has(SnapshotRef snapshot) throws IOException {
    return call(request("has").put("snapshot", snapshot.toString())).get("has").asBoolean();
  }

  @Override
  public StoredFile stored(SnapshotRef snapshot) throws IOException {
    return Wire.stored(call(request("stored").put("snapshot", snapshot.toString())).get("file"));
  }

  @Override
  public void send(StoredFile file, OutputStream out) throws IOException {
    ObjectNode r = request("send");
    r.set("file", Wire.stored(file));
    wire.sendMessage(r);
    InputStream body = wire.bodyInput();
    IOException failed = null;
    try {
      body.transferTo(out);
    } catch (IOException e) {
      failed = e;
      Wire.drain(body);
    } catch (StoreException aborted) {
      // the agent says why in its answer
    }
    answer();
    if (failed != null) {
      throw failed;
    }
  }

  @Override
  public IngestResult receive(StoredFile file, InputStream bytes) throws IOException {
    ObjectNode r = request("receive");
    r.set("file", Wire.stored(file));
    wire.sendMessage(r);
    Wire.Body body = wire.body();
    try {
      bytes.transferTo(body);
    } catch (IOException | RuntimeException e) {
      body.abort(String.valueOf(e.getMessage()));
      answer();  // the agent's refusal; ours is the cause
      throw e;
    }
    body.end();
    return linked(answer());
  }

  @Override
  public IngestResult link(SnapshotRef snapshot) throws IOException {
    return linked(call(request("link").put("snapshot", snapshot.toString())));
  }

  @Override
  public void restore(ServiceState service, SnapshotRef snapshot) throws IOException {
    ObjectNode r = request("restore").put("snapshot", snapshot.toString());
    r.set("service", Wire.JSON.valueToTree(service));
    call(r);
  }

  @Override
  public void operate(ServiceState service, String operation) throws IOException {
    ObjectNode r = request("operate").put("operation", operation);
    r.set("service", Wire.JSON.valueToTree(service));
    call(r);
  }

  @Override
  public Collected gc(ComponentRef component, int keep) throws IOException {
    ObjectNode r = request("gc").put("keep", keep);
    if (component != null) {
      r.set("component", component(component));
    }
    JsonNode a = call(r);
    return new Collected(a.get("generations").asInt(), a.get("snapshots").asInt());
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  private static ObjectNode request(String op) {
    return Wire.object().put("op", op);
  }

  private JsonNode call(ObjectNode request) throws IOException {
    try {
      wire.sendMessage(request);
    } catch (IOException gone) {
      throw lost(gone);
    }
    return answer();
  }

  /** The answer to the request just sent; a failure there is thrown as the agent's exception. */
  private JsonNode answer() throws IOException {
    JsonNode a;
    try {
      a = wire.readMessage();
    } catch (IOException gone) {
      // EOF when the agent ended; "Stream closed" when the channel's process (ssh) died first
      throw lost(gone);
    }
    if (!a.path("ok").asBoolean(false)) {
      throw Wire.rethrown(a, "on target " + name);
    }
    return a;
  }

  private StoreException lost(IOException e) {
    return new StoreException(e, "lost the connection to the stasis agent on target %s (see its messages above)",
        name);
  }

  private static ObjectNode component(ComponentRef c) {
    return Wire.object().put("container", c.container()).put("component", c.component());
  }

  private static IngestResult linked(JsonNode a) {
    SnapshotRef s = SnapshotRef.parse(a.get("snapshot").asString());
    return new IngestResult(new Generation(s.component(), a.get("generation").asLong(), s.name()),
        a.get("new").asBoolean(), false, -1, -1);
  }
}
