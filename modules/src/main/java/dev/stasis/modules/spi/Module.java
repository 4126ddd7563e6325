package dev.stasis.modules.spi;

import dev.stasis.store.DumpSink;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What stasis needs to know of one container type. Markers, storing, dedup, verification and
 * generations are not the module's business (the store and {@code dev.stasis.modules.Deployment}
 * do them); a module only creates, dumps, restores and drops its component's state.
 */
public interface Module {
  /** The dump's file name before compression, such as {@code dump.pgsql}; its snapshots hold this file. */
  String dumpName();

  /**
   * Refuses, before anything runs, a container whose properties this module cannot use (a port
   * that is no port): called first by every operation. By default every property is fine.
   *
   * @throws UsageException naming the container and the property
   */
  default void check(Target target) {}

  /** Creates the component's state if it is absent; changes nothing if it exists. */
  void activate(Target target) throws IOException;

  /**
   * Puts the component's dump into {@code sink}: a dumper's stdout through
   * {@link DumpSink#transferFrom}, a writer through {@link DumpSink#output()}.
   *
   * @throws IOException or {@link dev.stasis.store.StoreException} when the dumper failed: then
   *     nothing is stored
   */
  void dump(Target target, DumpSink sink) throws IOException;

  /**
   * Restores {@code dump} beside the live state, reading it to its end; nothing live changes
   * until the result is committed.
   */
  Restore restore(Target target, InputStream dump) throws IOException;

  /** Told that the component is being deactivated; its state stays until collect-garbage. */
  default void deactivate(Target target) throws IOException {}

  /** Deletes the component's state (collect-garbage, after deactivate). */
  void drop(Target target) throws IOException;

  /** Quiesces the component for a transition; by default there is nothing to do. */
  default void lock(Target target) throws IOException {}

  /** Ends {@link #lock(Target)}. */
  default void unlock(Target target) throws IOException {}

  /** Facts to record with a snapshot's metadata, such as dumper and server versions. */
  default Map<String, String> attributes(Target target) throws IOException {
    return Map.of();
  }

  /** The program a {@code dysnomia --shell} session runs, or empty for a bash with the properties. */
  default Optional<List<String>> shellCommand(Target target) throws IOException {
    return Optional.empty();
  }

  /** What a {@code dysnomia --shell} session should tell its user. */
  default String shellHelp(Target target) {
    return "";
  }

  /** A restore prepared beside the live state. */
  interface Restore extends AutoCloseable {
    /** Swaps the restored state in. */
    void commit() throws IOException;

    /** Discards the prepared state unless committed. */
    @Override
    void close() throws IOException;
  }
}
