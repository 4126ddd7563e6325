package dev.stasis.store;

import java.io.IOException;

/**
 * A {@link Backend} that can write an object straight to a key known before the first byte,
 * instead of staging it and moving it into place at commit. On S3 there is no rename: a staged
 * object is copied server-side, which doubles the work for a large snapshot, and only a write to
 * its final key can resume an interrupted upload. A mirror knows every key up front, so it
 * writes this way where the destination offers it; an ingest learns its name only at the end
 * and keeps staging.
 */
public interface SupportsDirectWrites {
  /**
   * Starts an object at {@code key}. The writer keeps {@link ObjectWriter}'s promises: nothing
   * is visible until {@link ObjectWriter#commit(Key)} (whose key must be {@code key}), and
   * closing without a commit leaves nothing readable behind. An implementation may keep what an
   * interrupted writer of the same key already sent and skip sending it again.
   */
  ObjectWriter create(Key key) throws IOException;
}
