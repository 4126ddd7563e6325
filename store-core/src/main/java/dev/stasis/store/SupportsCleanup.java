package dev.stasis.store;

import java.io.IOException;
import java.time.Duration;

/**
 * A {@link Backend} that can be left with debris a killed writer cannot clean up itself, and
 * finds it: on S3, multipart uploads never completed or aborted, and staging objects never
 * copied into place. (A filesystem backend sweeps its staging whenever a store is opened, by
 * OS locks, and needs none of this.)
 */
public interface SupportsCleanup {
  /**
   * Removes what writers left more than {@code olderThan} ago; younger debris may belong to a
   * writer still running, or be what a resumed upload will reuse.
   *
   * @return how many uploads and objects were removed
   */
  int cleanup(Duration olderThan) throws IOException;
}
