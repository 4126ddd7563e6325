package dev.stasis.s3;

import static dev.stasis.s3.S3RetryTest.random;
import static dev.stasis.s3.S3RetryTest.read;
import static dev.stasis.s3.S3RetryTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stasis.s3.FaultProxy.Fault;
import dev.stasis.s3.FaultProxy.Request;
import dev.stasis.store.ComponentRef;
import dev.stasis.store.Compression;
import dev.stasis.store.Ingest;
import dev.stasis.store.Key;
import dev.stasis.store.ObjectInfo;
import dev.stasis.store.ProcessLocks;
import dev.stasis.store.Scope;
import dev.stasis.store.Store;
import dev.stasis.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Servers that keep other bytes than a request meant: s3rver stores an {@code aws-chunked} body
 * with its framing, and any store may hold keys no stasis wrote. Bodies go plain, a generation
 * claim that reads back as neither ours nor another writer's is an error naming the server, and
 * keys with control characters are left out of listings and never printed.
 */
class FaultFramingTest extends ThroughFaultProxy {
  private static final ComponentRef COMP = new ComponentRef("pgc", "db");

  private Store store() {
    return Store.open(backend, ProcessLocks.forStore(backend.location(Key.ROOT)), Duration.ofSeconds(10));
  }

  @Test
  void bodiesAreSentPlainNotInAwsChunkedFraming() throws IOException {
    byte[] small = random(1000);
    byte[] large = random(2 * PART + 7);
    write(backend, Key.of("snapshots", "c", "x", "n", "small"), small);
    write(backend, Key.of("snapshots", "c", "x", "n", "large"), large);
    List<Request> bodies = proxy.requests().stream().filter(r -> r.method().equals("PUT") && r.bodyLength() > 0)
        .toList();
    assertEquals(4, bodies.size(), "one PUT and three parts (a copy has no body)");
    for (Request r : bodies) {
      assertFalse(r.header("content-encoding").orElse("").contains("aws-chunked"), r.path());
      assertFalse(r.header("x-amz-content-sha256").orElse("").startsWith("STREAMING"), r.path());
    }
    assertArrayEquals(large, read(backend, Key.of("snapshots", "c", "x", "n", "large")));
  }

  @Test
  void aGenerationClaimStoredWithOtherBytesIsAnErrorNamingTheServer() throws IOException {
    Predicate<Request> claims = FaultProxy.putObject().and(r -> r.header("If-None-Match").isPresent());
    proxy.inject(Fault.STORE_FRAMED, 100, claims);
    try (Store store = store()) {
      StoreException e = assertThrows(StoreException.class, () -> {
        try (Ingest ingest = store.ingest(COMP, "dump.sql", Compression.NONE, "test", Map.of())) {
          ingest.transferFrom(new ByteArrayInputStream("state\n".getBytes(StandardCharsets.UTF_8)));
          ingest.commit();
        }
      });
      assertTrue(e.getMessage().contains(proxy.endpoint().toString()) && e.getMessage().contains("aws-chunked"),
          e.getMessage());
      assertEquals(1, proxy.count(claims), "no second number tried: the server keeps no claim as sent");
    }
  }

  @Test
  void keysWithControlCharactersAreLeftOutOfListingsAndNeverPrinted() throws IOException {
    String bucket = location.bucket();
    for (String path : List.of("snapshots/pgc/db/bad\r\nname/dump.sql", "checksums/pgc/db/bad\r\nname",
        "generations/pgc/db/1", "generations/pgc/db/1.bad\nname")) {
      String body = path.equals("generations/pgc/db/1") ? "bad\nname" : "x";
      backend.client().putObject(b -> b.bucket(bucket).key(location.key(path)), RequestBody.fromString(body));
    }
    List<ObjectInfo> listed = new ArrayList<>();
    backend.list(Key.of("snapshots"), listed::add);
    backend.list(Key.of("checksums"), listed::add);
    assertEquals(List.of(), listed);
    try (Store store = store()) {
      assertEquals(List.of(), store.generations(Scope.all()));
    }
    List<String> told = log.stream().filter(l -> l.startsWith("skipped ")).toList();
    assertEquals(3, told.size(), log::toString);
    for (String line : told) {
      assertFalse(line.contains("bad") || line.matches("(?s).*[\\x00-\\x1f].*"), line);
    }
  }
}
