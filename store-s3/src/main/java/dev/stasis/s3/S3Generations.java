package dev.stasis.s3;

import dev.stasis.store.ComponentRef;
import dev.stasis.store.Generation;
import dev.stasis.store.GenerationLinks;
import dev.stasis.store.Names;
import dev.stasis.store.Scope;
import dev.stasis.store.SnapshotName;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoreLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Generations on S3. Generation N of a component is two objects: the claim
 * {@code generations/<c>/<comp>/<N>}, created with {@code If-None-Match: *} so only one writer
 * gets a number, holding the snapshot name; and {@code generations/<c>/<comp>/<N>.<name>},
 * whose key carries the name so one listing answers {@code --query-all}. A claim left without
 * its named key (a writer killed between the two PUTs) is read once to learn its name.
 */
final class S3Generations implements GenerationLinks {
  static final String AREA = "generations/";

  private final S3Backend backend;
  private final java.util.concurrent.ConcurrentMap<ComponentRef, Object> claims =
      new java.util.concurrent.ConcurrentHashMap<>();

  S3Generations(S3Backend backend) {
    this.backend = backend;
  }

  private Object claimLock(ComponentRef ref) {
    return claims.computeIfAbsent(ref, r -> new Object());
  }

  private String base(ComponentRef ref) {
    return AREA + ref.container() + "/" + ref.component() + "/";
  }

  @Override
  public void list(Scope scope, Consumer<Generation> sink) throws IOException {
    String prefix = backend.s3().key(scope.container().map(c -> AREA + c + "/").orElse(AREA));
    Map<String, SnapshotName> named = new HashMap<>();
    Set<String> claims = new HashSet<>();
    int foreign = 0;
    try {
      for (S3Object o : backend.client().listObjectsV2Paginator(b -> b.bucket(backend.s3().bucket()).prefix(prefix))
          .contents()) {
        String path = backend.s3().path(o.key());
        if (path != null && Names.hasControlCharacters(path)) {
          foreign++;
          continue;
        }
        String[] parts = path == null ? new String[0] : path.substring(AREA.length()).split("/", -1);
        if (parts.length != 3) {
          continue;
        }
        int dot = parts[2].indexOf('.');
        String number = dot < 0 ? parts[2] : parts[2].substring(0, dot);
        if (!number.matches("[1-9][0-9]{0,17}")) {
          continue;
        }
        String id = parts[0] + "/" + parts[1] + "/" + number;
        if (dot < 0) {
          claims.add(id);
        } else {
          name(parts[2].substring(dot + 1)).ifPresent(n -> named.put(id, n));
        }
      }
      for (String id : claims) {
        if (!named.containsKey(id)) {
          readClaim(id).ifPresent(n -> named.put(id, n));
        }
      }
    } catch (SdkException e) {
      throw backend.failed(e, "list", StoreLayout.GENERATIONS);
    }
    backend.skipped(foreign, backend.location(StoreLayout.GENERATIONS));
    named.forEach((id, name) -> {
      String[] p = id.split("/");
      try {
        ComponentRef ref = new ComponentRef(p[0], p[1]);
        if (scope.matches(ref)) {
          sink.accept(new Generation(ref, Long.parseLong(p[2]), name));
        }
      } catch (IllegalArgumentException e) {
        // not a name stasis would make: not a generation of ours
      }
    });
  }

  private static Optional<SnapshotName> name(String s) {
    try {
      return Optional.of(new SnapshotName(s));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private Optional<SnapshotName> readClaim(String id) {
    return readClaimBody(id).flatMap(body -> name(body.strip()));
  }

  /** The claim's body as text; empty when it was deleted meanwhile. */
  private Optional<String> readClaimBody(String id) {
    try {
      byte[] body = backend.client().getObjectAsBytes(b -> b.bucket(backend.s3().bucket())
          .key(backend.s3().key(AREA + id))).asByteArray();
      return Optional.of(new String(body, StandardCharsets.UTF_8));
    } catch (NoSuchKeyException e) {
      return Optional.empty();  // deleted while we listed
    }
  }

  /**
   * Whether the claim just written reads back as ours. Another snapshot name there is another
   * writer's claim (a server whose conditional writes are not atomic): the number is lost. Anything
   * else is the server storing other bytes than it was sent, which no retry mends: an error.
   */
  private boolean claimIsOurs(Generation g, String claim) {
    String id = base(g.component()).substring(AREA.length()) + g.number();
    Optional<String> body = readClaimBody(id);
    if (body.isEmpty() || body.get().equals(g.snapshot().value())) {
      return body.isPresent();
    }
    if (name(body.get()).isPresent()) {
      return false;
    }
    throw new StoreException("the S3 server at %s stored other bytes than were sent for s3://%s/%s: %d bytes"
        + " came back for the %d-byte snapshot name %s (does it store aws-chunked request framing, as s3rver"
        + " does?); stasis cannot keep generations there", endpoint(), backend.s3().bucket(), claim,
        body.get().getBytes(StandardCharsets.UTF_8).length, g.snapshot().value().length(), g.snapshot());
  }

  private String endpoint() {
    return S3Failures.endpoint(backend.settings());
  }

  /**
   * Claims the number with a conditional PUT, then reads the claim back: S3 makes conditional
   * writes atomic, but some S3-compatible servers (S3Mock) check and write in two steps, and the
   * read back catches most racing writers there. Not all: a writer whose check passed before our
   * write may still overwrite the claim after we read it back. So the named key is a flag too:
   * written, then the number's named keys listed; a writer that sees another's withdraws (deletes
   * its named key and the claim) and returns false. Of two writers the later to write its flag
   * sees the earlier's, so at most one keeps the number; on such a server both may withdraw, and
   * the caller tries again. On S3 only one writer gets past the conditional PUT. Claims of one
   * component are also ordered within this process, which closes the race between threads.
   */
  @Override
  public boolean create(Generation g) throws IOException {
    String claim = backend.s3().key(base(g.component()) + g.number());
    synchronized (claimLock(g.component())) {
      try {
        backend.client().putObject(b -> b.bucket(backend.s3().bucket()).key(claim).ifNoneMatch("*"),
            RequestBody.fromString(g.snapshot().value()));
      } catch (S3Exception e) {
        if (e.statusCode() == 412 || e.statusCode() == 409) {
          return false;  // taken (409: a concurrent conditional write, which S3 asks to retry; we take another number)
        }
        throw backend.failedWrite(e, claim);
      } catch (SdkException e) {
        throw backend.failedWrite(e, claim);
      }
      try {
        if (!claimIsOurs(g, claim)) {
          return false;
        }
      } catch (SdkException e) {
        throw backend.failedWrite(e, claim);
      }
    }
    String named = backend.s3().key(base(g.component()) + g.number() + "." + g.snapshot().value());
    try {
      backend.client().putObject(b -> b.bucket(backend.s3().bucket()).key(named), RequestBody.empty());
      String flags = backend.s3().key(base(g.component()) + g.number() + ".");
      boolean contended = backend.client().listObjectsV2Paginator(b -> b.bucket(backend.s3().bucket()).prefix(flags))
          .contents().stream().anyMatch(o -> !o.key().equals(named));
      if (contended) {
        backend.client().deleteObject(b -> b.bucket(backend.s3().bucket()).key(named));
        backend.client().deleteObject(b -> b.bucket(backend.s3().bucket()).key(claim));
        return false;
      }
    } catch (SdkException e) {
      throw backend.failedWrite(e, named);
    }
    return true;
  }

  @Override
  public void delete(Generation g) throws IOException {
    String base = base(g.component()) + g.number();
    try {
      backend.client().deleteObject(b -> b.bucket(backend.s3().bucket())
          .key(backend.s3().key(base + "." + g.snapshot().value())));
      backend.client().deleteObject(b -> b.bucket(backend.s3().bucket()).key(backend.s3().key(base)));
    } catch (SdkException e) {
      throw backend.failed(e, "delete", StoreLayout.components(StoreLayout.GENERATIONS, g.component())
          .resolve(Long.toString(g.number())));
    }
  }
}
