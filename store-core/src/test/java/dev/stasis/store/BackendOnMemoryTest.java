package dev.stasis.store;

class BackendOnMemoryTest extends BackendContract {
  @Override
  protected Backend newBackend() {
    return MemoryBackend.empty();
  }
}
