package dev.stasis.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a mirror leaves at its destination, per component, under {@code .stasis/mirror/}: the
 * destination's generation it linked last, and which source generation that was. Snapshot names
 * cannot say it (in an A, B, A history, A is two generations), so the next mirror goes on from
 * this pair ({@link MirrorHistory}). Written with the engine's commit protocol after each
 * generation, so a reader sees the old record or the new one; a record that no longer fits
 * either history (a crash between the link and the record, a destination written by something
 * else, another source) is only a starting point or is ignored, never trusted blindly.
 *
 * @param source the source store's location, as its backend names it
 * @param sourceGeneration the source generation the destination's generation came from
 * @param generation the destination's generation number
 * @param snapshot the snapshot both generations point at
 */
record MirrorRecord(String source, long sourceGeneration, long generation, SnapshotName snapshot) {

  /** The record for {@code component} at {@code store}, if there is a well-formed one. */
  static Optional<MirrorRecord> read(Store store, ComponentRef component) throws IOException {
    return store.readSmall(StoreLayout.mirrorRecord(component)).flatMap(MirrorRecord::parse);
  }

  /** Replaces the record for {@code component} at {@code store}, atomically. */
  void write(Store store, ComponentRef component) throws IOException {
    store.writeSmall(StoreLayout.mirrorRecord(component), toBytes());
  }

  byte[] toBytes() {
    return ("source=" + source + "\nsource-generation=" + sourceGeneration + "\ngeneration=" + generation
        + "\nsnapshot=" + snapshot.value() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Reads what {@link #toBytes()} wrote; empty for anything else, which a mirror then does without. */
  static Optional<MirrorRecord> parse(byte[] bytes) {
    Map<String, String> fields = new HashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    if (!fields.containsKey("source")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new MirrorRecord(fields.get("source"), Long.parseLong(fields.get("source-generation")),
          Long.parseLong(fields.get("generation")), new SnapshotName(fields.get("snapshot"))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
