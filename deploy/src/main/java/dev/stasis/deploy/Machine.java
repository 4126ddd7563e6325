package dev.stasis.deploy;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.IngestResult;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.StoredFile;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * What the deployment layer does on one machine, to its store and its services: this machine
 * in-process ({@link Agent}), or another one through a stasis agent over ssh
 * ({@link AgentClient}). The coordinator's store is a machine too.
 */
public interface Machine extends Closeable {
  /** The deployment's name for it, for messages. */
  String name();

  /** Stores a snapshot of the service's state in this machine's store; returns the snapshot, now its newest. */
  Taken snapshot(ServiceState service) throws IOException;

  /** The component's newest snapshot here. */
  Optional<SnapshotRef> latest(ComponentRef component) throws IOException;

  /** Whether the snapshot is here, committed with its checksum record. */
  boolean has(SnapshotRef snapshot) throws IOException;

  /** Describes a snapshot of this store for sending. */
  StoredFile stored(SnapshotRef snapshot) throws IOException;

  /** Writes the stored bytes of {@code file} to {@code out}. */
  void send(StoredFile file, OutputStream out) throws IOException;

  /** Publishes a snapshot arriving on {@code bytes}, verified; linked as the component's newest. */
  IngestResult receive(StoredFile file, InputStream bytes) throws IOException;

  /** Makes a snapshot that is here the component's newest generation (Dysnomia's import of a present snapshot). */
  IngestResult link(SnapshotRef snapshot) throws IOException;

  /** Restores {@code snapshot}, which is in this store, onto the service's live state. */
  void restore(ServiceState service, SnapshotRef snapshot) throws IOException;

  /** Runs one of Dysnomia's operations on the service: lock, unlock, deactivate, collect-garbage. */
  void operate(ServiceState service, String operation) throws IOException;

  /** Keeps the newest {@code keep} generations of {@code component}, or of every component when null. */
  Collected gc(ComponentRef component, int keep) throws IOException;

  /**
   * A snapshot taken.
   *
   * @param snapshot its path in the store
   * @param generation the generation number it has as the component's newest
   * @param newGeneration false when the state was unchanged (the newest already held it)
   */
  record Taken(SnapshotRef snapshot, long generation, boolean newGeneration) {}

  /** What a gc deleted: generation links and snapshots. */
  record Collected(int generations, int snapshots) {}
}
