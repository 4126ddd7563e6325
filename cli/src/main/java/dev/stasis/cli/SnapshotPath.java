package dev.stasis.cli;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.SnapshotRef;
import dev.stasis.store.Store;
import java.io.IOException;

/**
 * A snapshot as {@code dump} and {@code export-dysnomia} name it: {@code container/component/name},
 * or {@code container/component} for the newest generation's. Parsed before the store is opened,
 * so a bad path is a usage error first.
 */
record SnapshotPath(ComponentRef newest, SnapshotRef snapshot) {
  static SnapshotPath parse(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length == 2) {
      return new SnapshotPath(new ComponentRef(parts[0], parts[1]), null);
    }
    return new SnapshotPath(null, SnapshotRef.parse(path));
  }

  /** The snapshot in {@code store}: the one named, or the component's newest generation's. */
  SnapshotRef in(Store store) throws IOException {
    if (snapshot != null) {
      return snapshot;
    }
    return store.latest(newest).orElseThrow(() -> new NotFoundException("%s has no generations", newest))
        .snapshotRef();
  }
}
