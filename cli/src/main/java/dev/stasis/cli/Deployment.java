package dev.stasis.cli;

import dev.stasis.store.Compression;
import dev.stasis.store.Generation;
import dev.stasis.store.Ingest;
import dev.stasis.store.IngestResult;
import dev.stasis.store.IntegrityException;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotReader;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;

/**
 * Dysnomia's operations on a module stasis drives: the module creates, dumps, restores and
 * drops state; this class keeps the markers, stores dumps (the module's failure means nothing
 * is stored) and verifies what it restores before the module may swap it in.
 */
final class Deployment {
  static final String OPERATIONS = "activate, deactivate, snapshot, restore, collect-garbage, lock, unlock, shell";

  private final Context ctx;
  private final Store store;
  private final Markers markers;

  Deployment(Context ctx, Store store, java.nio.file.Path root) {
    this.ctx = ctx;
    this.store = store;
    this.markers = new Markers(root);
  }

  /**
   * Runs one of Dysnomia's operations (but {@code shell}).
   *
   * @param snapshot what restore restores; empty for the newest generation
   */
  void run(String operation, Module module, Target t, Optional<SnapshotRef> snapshot, Compression compression)
      throws IOException {
    switch (operation) {
      case "activate" -> {
        module.activate(t);
        markers.markActive(t.ref());
      }
      case "deactivate" -> {
        module.deactivate(t);
        markers.markGarbage(t.ref());
      }
      case "snapshot" -> snapshot(module, t, compression, false);
      case "restore" -> restore(module, t, snapshot);
      case "collect-garbage" -> {
        if (markers.isGarbage(t.ref())) {
          module.drop(t);
          markers.unmarkGarbage(t.ref());
        } else {
          ctx.err().println("stasis: " + t.ref() + " is not marked as garbage (deactivate it first); nothing collected");
        }
      }
      case "lock" -> module.lock(t);
      case "unlock" -> module.unlock(t);
      default -> throw new UsageException("unknown operation '%s' (%s)", operation, OPERATIONS);
    }
  }

  /** Stores the module's dump as a new snapshot; a failing dumper stores nothing. */
  IngestResult snapshot(Module module, Target t, Compression compression, boolean progress) throws IOException {
    Map<String, String> attributes = module.attributes(t);
    try (Ingest ingest = store.ingest(t.ref(), module.dumpName(), compression, "module " + t.ref(), attributes)) {
      Progress p = new Progress(ingest.output(), ctx.err(), progress);
      module.dump(t, p);
      p.flush();
      p.finish();
      return ingest.commit();
    }
  }

  /**
   * Restores a snapshot (the newest generation's by default) through the module: verified as it
   * streams, prepared beside the live state, swapped in only when verified.
   *
   * @return false when there is nothing to restore
   */
  boolean restore(Module module, Target t, Optional<SnapshotRef> which) throws IOException {
    Optional<SnapshotRef> chosen = which.isPresent() ? which : store.latest(t.ref()).map(Generation::snapshotRef);
    if (chosen.isEmpty()) {
      ctx.err().println("stasis: " + t.ref() + " has no snapshot to restore; nothing done");
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
    ctx.err().println("stasis: restored " + ref);
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
