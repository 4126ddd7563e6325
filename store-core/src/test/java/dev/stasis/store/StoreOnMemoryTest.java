package dev.stasis.store;

class StoreOnMemoryTest extends StoreContract {
  @Override
  protected Backend newBackend() {
    return MemoryBackend.empty();
  }

  @Override
  protected StoreLocks locksFor(Backend backend) {
    return ProcessLocks.forStore(backend.location(Key.ROOT));
  }
}
