package dev.stasis.store;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Linking a generation on a backend that loses every claim (as an S3-compatible server that
 * stores other bytes than it is given does): the store tries a few numbers, listing the
 * generations each time, then fails with a message naming the store, instead of trying
 * thousands of times.
 */
class StoreLinkTest {
  @Test
  void aBackendThatLosesEveryClaimFailsTheLinkAfterAFewTries() throws IOException {
    AtomicInteger claims = new AtomicInteger();
    AtomicInteger listings = new AtomicInteger();
    Backend losing = new LosingClaims(MemoryBackend.empty(), claims, listings);
    try (Store store = Store.open(losing, ProcessLocks.forStore("losing " + System.nanoTime()), Duration.ofSeconds(5))) {
      StoreException e = assertThrows(StoreException.class, () -> {
        try (Ingest ingest = store.ingest(new ComponentRef("c", "x"), "dump.sql", Compression.NONE, "test", Map.of())) {
          ingest.transferFrom(new ByteArrayInputStream("state\n".getBytes(StandardCharsets.UTF_8)));
          ingest.commit();
        }
      });
      assertTrue(claims.get() <= 32, "a small bound: " + claims.get() + " claims");
      assertTrue(listings.get() <= claims.get() + 2, "one listing per try: " + listings.get());
      assertTrue(e.getMessage().contains("after " + claims.get() + " tries")
          && e.getMessage().contains(losing.location(StoreLayout.GENERATIONS)), e.getMessage());
    }
  }

  /** A backend whose generation links are never kept: every claim is lost. */
  private record LosingClaims(Backend inner, AtomicInteger claims, AtomicInteger listings) implements Backend {
    @Override
    public Optional<ObjectInfo> stat(Key key) throws IOException {
      return inner.stat(key);
    }

    @Override
    public InputStream open(Key key) throws IOException {
      return inner.open(key);
    }

    @Override
    public ObjectWriter create() throws IOException {
      return inner.create();
    }

    @Override
    public void delete(Key key) throws IOException {
      inner.delete(key);
    }

    @Override
    public void list(Key prefix, Consumer<ObjectInfo> sink) throws IOException {
      inner.list(prefix, sink);
    }

    @Override
    public GenerationLinks generations() {
      return new GenerationLinks() {
        @Override
        public void list(Scope scope, Consumer<Generation> sink) throws IOException {
          listings.incrementAndGet();
          inner.generations().list(scope, sink);
        }

        @Override
        public boolean create(Generation generation) {
          claims.incrementAndGet();
          return false;
        }

        @Override
        public void delete(Generation generation) throws IOException {
          inner.generations().delete(generation);
        }

        @Override
        public void deleteAll(List<Generation> generations) throws IOException {
          inner.generations().deleteAll(generations);
        }
      };
    }

    @Override
    public String location(Key key) {
      return "memory:/" + key;
    }

    @Override
    public void close() throws IOException {
      inner.close();
    }
  }
}
