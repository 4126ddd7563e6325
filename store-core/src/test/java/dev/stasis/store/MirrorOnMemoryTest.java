package dev.stasis.store;

/** The mirror between two stores in memory: the engine's side of it, without a backend's own ways. */
class MirrorOnMemoryTest extends MirrorContract {
  @Override
  protected Store newStore() {
    return withProcessLocks(MemoryBackend.empty());
  }
}
