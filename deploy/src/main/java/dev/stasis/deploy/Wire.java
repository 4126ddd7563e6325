package dev.stasis.deploy;

import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.LockedException;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotMeta;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoredFile;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agent protocol's framing, over an ssh channel's stdin and stdout: a stream of frames, each
 * a type byte and a length-prefixed payload. A request or answer is one JSON message frame; a
 * snapshot's bytes follow as data frames up to an end frame, or an abort frame when the sender
 * failed half-way (the receiver then publishes nothing). One request is answered before the
 * next is read.
 */
final class Wire {
  static final int VERSION = 1;
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final byte MESSAGE = 'J';
  private static final byte DATA = 'D';
  private static final byte END = 'E';
  private static final byte ABORT = 'A';
  private static final int CHUNK = 1 << 20;

  private final DataInputStream in;
  private final DataOutputStream out;

  Wire(InputStream in, OutputStream out) {
    this.in = new DataInputStream(new java.io.BufferedInputStream(in, CHUNK + 16));
    this.out = new DataOutputStream(new java.io.BufferedOutputStream(out, CHUNK + 16));
  }

  void sendMessage(JsonNode message) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(message);
    out.writeByte(MESSAGE);
    out.writeInt(bytes.length);
    out.write(bytes);
    out.flush();
  }

  /** The next message; EOF when the other side closed the channel between messages. */
  JsonNode readMessage() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the channel was closed");
    }
    if (type != MESSAGE) {
      throw new StoreException("agent protocol: expected a message, got frame type %d", type);
    }
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return JSON.readTree(bytes);
  }

  /** An output stream whose bytes go as data frames; {@link Body#end()} or {@link Body#abort(String)} finish it. */
  Body body() {
    return new Body();
  }

  /** Reads data frames up to the end frame as one stream; an abort frame is an error with the sender's reason. */
  InputStream bodyInput() {
    return new InputStream() {
      private int left;
      private boolean ended;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        while (left == 0) {
          if (ended) {
            return -1;
          }
          int type = in.readByte();
          switch (type) {
            case DATA -> left = in.readInt();
            case END -> {
              ended = true;
              return -1;
            }
            case ABORT -> {
              byte[] reason = new byte[in.readInt()];
              in.readFully(reason);
              ended = true;
              throw new StoreException("the sender stopped: %s", new String(reason, StandardCharsets.UTF_8));
            }
            default -> throw new StoreException("agent protocol: unexpected frame type %d in a body", type);
          }
        }
        int n = in.read(b, off, Math.min(len, left));
        if (n < 0) {
          throw new EOFException("the channel was closed in the middle of a snapshot");
        }
        left -= n;
        return n;
      }
    };
  }

  /** Reads what is left of a body that the reader stopped reading, so the next message can be read. */
  static void drain(InputStream body) {
    try {
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException | StoreException e) {
      // the body ended either way
    }
  }

  final class Body extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, CHUNK);
        out.writeByte(DATA);
        out.writeInt(n);
        out.write(b, off, n);
        off += n;
        len -= n;
      }
    }

    void end() throws IOException {
      out.writeByte(END);
      out.flush();
    }

    void abort(String reason) throws IOException {
      byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
      out.writeByte(ABORT);
      out.writeInt(bytes.length);
      out.write(bytes);
      out.flush();
    }

    @Override
    public void close() {
      // end() or abort() finish a body; the channel stays open
    }
  }

  // ---- values

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static ObjectNode stored(StoredFile f) {
    ObjectNode n = object();
    n.put("snapshot", f.snapshot().toString());
    n.put("file", f.file());
    n.put("size", f.size());
    n.put("checksum", f.checksum());
    if (f.meta() != null) {
      n.put("meta", Base64.getEncoder().encodeToString(f.meta().toBytes()));
    }
    return n;
  }

  static StoredFile stored(JsonNode n) {
    JsonNode meta = n.get("meta");
    return new StoredFile(SnapshotRef.parse(n.get("snapshot").asString()), n.get("file").asString(),
        n.get("size").asLong(), n.get("checksum").asString(),
        meta == null ? null : SnapshotMeta.parse(Base64.getDecoder().decode(meta.asString())));
  }

  /** An answer saying what went wrong, by the kind that sets the exit code. */
  static ObjectNode failure(Exception e) {
    String kind = e instanceof IntegrityException ? "integrity"
        : e instanceof NotFoundException ? "not-found"
        : e instanceof LockedException ? "locked"
        : e instanceof UsageException || e instanceof IllegalArgumentException ? "usage"
        : "failed";
    ObjectNode n = object();
    n.put("ok", false);
    n.put("kind", kind);
    n.put("message", String.valueOf(e.getMessage()));
    return n;
  }

  /** The exception an answer of {@link #failure} stands for, its message prefixed by {@code where}. */
  static RuntimeException rethrown(JsonNode answer, String where) {
    String message = where + ": " + answer.path("message").asString("");
    return switch (answer.path("kind").asString("")) {
      case "integrity" -> new IntegrityException("%s", message);
      case "not-found" -> new NotFoundException("%s", message);
      case "locked" -> new LockedException("%s", message);
      case "usage" -> new UsageException("%s", message);
      default -> new StoreException("%s", message);
    };
  }
}
