package dev.stasis.modules;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.modules.spi.UsageException;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.DumpSink;
import dev.stasis.store.DysnomiaChecksum;
import dev.stasis.store.Generation;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Dysnomia's operations on a module stasis drives, over a store: the module creates, dumps,
 * restores and drops state; this class keeps the markers, stores dumps (the module's failure
 * means nothing is stored) and verifies what it restores before the module may swap it in.
 *
 * <pre>{@code
 * Deployment d = new Deployment(host, store);
 * IngestResult r = d.snapshot(module, target, Compression.ZSTD, bytes -> {});
 * d.restore(module, target, Optional.empty());
 * }</pre>
 */
public final class Deployment {
  public static final String OPERATIONS = "activate, deactivate, snapshot, restore, collect-garbage, lock, unlock,"
      + " shell";

  private final Host host;
  private final Store store;
  private final Markers markers;

  /** Operations on {@code store}, whose markers live in the host's state directory. */
  public Deployment(Host host, Store store) {
    this.host = host;
    this.store = store;
    this.markers = new Markers(host.stateDir());
  }

  /**
   * Runs one of Dysnomia's operations (but {@code shell}).
   *
   * @param snapshot what restore restores; empty for the newest generation
   */
  public void run(String operation, Module module, Target t, Optional<SnapshotRef> snapshot, Compression compression)
      throws IOException {
    module.check(t);
    switch (operation) {
      case "activate" -> {
        module.activate(t);
        markers.markActive(t.ref());
      }
      case "deactivate" -> {
        module.deactivate(t);
        markers.markGarbage(t.ref());
      }
      case "snapshot" -> snapshot(module, t, compression, bytes -> { });
      case "restore" -> restore(module, t, snapshot);
      case "collect-garbage" -> {
        if (markers.isGarbage(t.ref())) {
          module.drop(t);
          markers.unmarkGarbage(t.ref());
        } else {
          host.say(t.ref() + " is not marked as garbage (deactivate it first); nothing collected");
        }
      }
      case "lock" -> module.lock(t);
      case "unlock" -> module.unlock(t);
      default -> throw new UsageException("unknown operation '%s' (%s)", operation, OPERATIONS);
    }
  }

  /**
   * Stores the module's dump as a new snapshot; a failing dumper stores nothing.
   *
   * @param progress told the logical bytes stored so far, every mebibyte
   */
  public IngestResult snapshot(Module module, Target t, Compression compression, LongConsumer progress)
      throws IOException {
    return snapshot(module, t, compression, progress, null);
  }

  /**
   * As {@link #snapshot(Module, Target, Compression, LongConsumer)}, handing every logical byte
   * also to {@code tee} as it goes into the store, and ending {@code tee} when the dump has ended
   * (or failed), before the snapshot is committed. {@code tee} is a bystander: when writing it
   * fails, it is dropped and the snapshot goes on. Null: no second stream (nothing in the way of
   * the dump).
   */
  public IngestResult snapshot(Module module, Target t, Compression compression, LongConsumer progress,
      OutputStream tee) throws IOException {
    module.check(t);
    Map<String, String> attributes = module.attributes(t);
    try (Ingest ingest = store.ingest(t.ref(), module.dumpName(), compression, "module " + t.ref(), attributes)) {
      host.detail("staging " + ingest.describeStaging());
      if (tee == null) {
        module.dump(t, ingest.onProgress(progress));
      } else {
        TeeSink sink = new TeeSink(ingest.onProgress(progress), tee);
        try {
          module.dump(t, sink);
        } finally {
          sink.end();
        }
      }
      return ingest.commit();
    }
  }

  /**
   * A restore prepared beside the live state from a logical stream that is not (yet) a snapshot
   * of this store: a migration's restore, fed while the snapshot is taken elsewhere. Commit it
   * only if {@link Prepared#sha256()} is the id of the snapshot the stream became.
   *
   * @param restore the module's prepared restore
   * @param sha256 the SHA-256 of every byte read, hex
   */
  public record Prepared(Module.Restore restore, String sha256) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      restore.close();
    }
  }

  /** Reads {@code logical} to its end into a restore of {@code t} prepared beside the live state. */
  public Prepared prepare(Module module, Target t, InputStream logical) throws IOException {
    module.check(t);
    MessageDigest digest = DysnomiaChecksum.sha256();
    DigestInputStream hashed = new DigestInputStream(logical, digest);
    Module.Restore restore = module.restore(t, hashed);
    try {
      hashed.transferTo(OutputStream.nullOutputStream());  // a module may stop before the end
    } catch (IOException | RuntimeException e) {
      restore.close();
      throw e;
    }
    return new Prepared(restore, HexFormat.of().formatHex(digest.digest()));
  }

  /**
   * Stores a snapshot of {@code d} through its module, compressed as {@code option} says, else as
   * its container's {@code compression=} property, else zstd.
   */
  public IngestResult snapshot(Deployed d, String option, LongConsumer progress) throws IOException {
    return snapshot(d.driven(host.program() + " snapshot"), d.target(), d.compression(option, Compression.ZSTD),
        progress);
  }

  /**
   * Stores what {@code /bin/sh -c command} writes on stdout, only if it exits 0; its stderr goes
   * to the host's. The command line is not recorded (it may hold a secret).
   */
  public IngestResult ingestCommand(ComponentRef component, String file, Compression compression, String command,
      LongConsumer progress) throws IOException {
    try (ChildProcess p = ChildProcess.dumper(List.of("/bin/sh", "-c", command), null, host.cwd(), host.err(),
        "command '" + command + "'")) {
      return ingest(component, file, compression, "command", p::dumpTo, progress);
    }
  }

  /** A dump that is not a module's: stdin, a command's output. */
  @FunctionalInterface
  public interface Source {
    /**
     * Puts the whole dump into {@code sink}; throws if whatever made it failed (then nothing
     * is stored).
     */
    void dumpTo(DumpSink sink) throws IOException;
  }

  /**
   * Stores what {@code source} puts into the ingest as a new snapshot of {@code component};
   * a stream is read straight into the ingest's buffers ({@link DumpSink#transferFrom}), as
   * every dumper's output is.
   *
   * @param what what the source is, for the metadata ({@code stdin}, {@code command}): never a
   *     command line, which may hold a secret
   */
  public IngestResult ingest(ComponentRef component, String file, Compression compression, String what,
      Source source, LongConsumer progress) throws IOException {
    try (Ingest ingest = store.ingest(component, file, compression, what, Map.of())) {
      return ingest(ingest, source, progress);
    }
  }

  /** As {@link #ingest(ComponentRef, String, Compression, String, Source, LongConsumer)}, compressing at {@code level}. */
  public IngestResult ingest(ComponentRef component, String file, Compression compression, int level, String what,
      Source source, LongConsumer progress) throws IOException {
    try (Ingest ingest = store.ingest(component, file, compression, level, what, Map.of())) {
      return ingest(ingest, source, progress);
    }
  }

  private IngestResult ingest(Ingest ingest, Source source, LongConsumer progress) throws IOException {
    host.detail("staging " + ingest.describeStaging());
    source.dumpTo(ingest.onProgress(progress));
    return ingest.commit();
  }

  /**
   * Restores a snapshot (the newest generation's by default) through the module: verified as it
   * streams, prepared beside the live state, swapped in only when verified.
   *
   * @return false when there is nothing to restore
   */
  public boolean restore(Module module, Target t, Optional<SnapshotRef> which) throws IOException {
    module.check(t);
    Optional<SnapshotRef> chosen = which.isPresent() ? which : store.latest(t.ref()).map(Generation::snapshotRef);
    if (chosen.isEmpty()) {
      host.say(t.ref() + " has no snapshot to restore; nothing done");
      return false;
    }
    SnapshotRef ref = chosen.get();
    try (SnapshotReader reader = store.read(ref)) {
      String logical = reader.compression().logicalName(reader.file());
      if (!logical.equals(module.dumpName())) {
        throw new NotFoundException("snapshot %s holds %s, not the %s this module restores", ref, reader.file(),
            module.dumpName());
      }
      try (Module.Restore restore = prepare(module, t, reader)) {
        if (!reader.verified()) {
          throw new IntegrityException("snapshot %s was not read to its end; not restoring it", ref);
        }
        restore.commit();
      }
    }
    host.say("restored " + ref);
    return true;
  }

  /**
   * Lets the module restore; when it fails on the bytes (a broken tar, SQL that does not parse),
   * reads the rest first so that damage is reported as damage, not as the module's error.
   */
  private static Module.Restore prepare(Module module, Target t, SnapshotReader reader) throws IOException {
    try {
      return module.restore(t, reader.logical());
    } catch (IOException | RuntimeException e) {
      if (!(e instanceof IntegrityException)) {
        reader.logical().transferTo(OutputStream.nullOutputStream());
      }
      throw e;
    }
  }
}
