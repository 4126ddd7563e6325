package dev.stasis.s3;

import dev.stasis.store.Backend;
import dev.stasis.store.GenerationLinks;
import dev.stasis.store.Key;
import dev.stasis.store.Names;
import dev.stasis.store.NotFoundException;
import dev.stasis.store.ObjectInfo;
import dev.stasis.store.ObjectWriter;
import dev.stasis.store.StoreException;
import dev.stasis.store.StoreLayout;
import dev.stasis.store.SupportsCleanup;
import dev.stasis.store.SupportsDirectWrites;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link Backend} on S3: Dysnomia's layout as keys under {@code s3://bucket/prefix}.
 * Objects are written by streaming, as one PUT when small and as a multipart upload when not;
 * a write whose key is known only at the end (an ingest) is uploaded under
 * {@code .stasis/tmp/} and copied into place server-side. Generation links are objects whose
 * keys carry the snapshot name ({@link S3Generations}).
 *
 * <pre>{@code
 * S3Backend backend = S3Backend.open(S3Location.parse("s3://backups/db1"), S3Clients.build(settings), settings);
 * }</pre>
 */
public final class S3Backend implements Backend, SupportsDirectWrites, SupportsCleanup {
  static final String STAGING = StoreLayout.TMP.path() + "/";

  private final S3Location location;
  private final S3Client client;
  private final S3Settings settings;
  private final S3Generations generations;
  private final ExecutorService parts;

  private S3Backend(S3Location location, S3Client client, S3Settings settings) {
    this.location = location;
    this.client = client;
    this.settings = settings;
    this.generations = new S3Generations(this);
    this.parts = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "s3 parts");
      t.setDaemon(true);
      return t;
    });
  }

  /** A backend on {@code location} with a client built from {@code settings}; the bucket must exist. */
  public static S3Backend open(S3Location location, S3Settings settings) {
    return new S3Backend(location, S3Clients.build(settings), settings);
  }

  /** A backend on {@code location}; the bucket must exist. The backend owns {@code client}. */
  public static S3Backend open(S3Location location, S3Client client, S3Settings settings) {
    return new S3Backend(location, client, settings);
  }

  S3Client client() {
    return client;
  }

  S3Settings settings() {
    return settings;
  }

  S3Location s3() {
    return location;
  }

  ExecutorService parts() {
    return parts;
  }

  String key(Key key) {
    return location.key(key.path());
  }

  @Override
  public Optional<ObjectInfo> stat(Key key) throws IOException {
    try {
      HeadObjectResponse head = client.headObject(b -> b.bucket(location.bucket()).key(key(key)));
      return Optional.of(new ObjectInfo(key, head.contentLength()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw failed(e, "stat", key);
    } catch (SdkException e) {
      throw failed(e, "stat", key);
    }
  }

  /**
   * Opens an object. A key that is not there is looked for once more before it counts as
   * missing: a listing may show a key before every replica of a (not strongly consistent)
   * S3-compatible service serves it. A connection lost in the body is resumed ({@link S3Download}).
   */
  @Override
  public InputStream open(Key key) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return new S3Download(this, key, client.getObject(b -> b.bucket(location.bucket()).key(key(key))));
      } catch (NoSuchKeyException e) {
        if (attempt >= 1) {
          throw new NotFoundException("no object %s in %s", key, location);
        }
      } catch (SdkException e) {
        throw failed(e, "read", key);
      }
    }
  }

  @Override
  public ObjectWriter create() {
    return S3Writer.staged(this);
  }

  /**
   * A writer that uploads straight to {@code key}, which its commit must name: what a mirror
   * uses, knowing the key before the bytes. An upload to that key left by an interrupted run is
   * resumed: parts already there with the same SHA-256 are not sent again.
   */
  @Override
  public ObjectWriter create(Key key) {
    return S3Writer.direct(this, key);
  }

  @Override
  public void delete(Key key) throws IOException {
    try {
      client.deleteObject(b -> b.bucket(location.bucket()).key(key(key)));
    } catch (NoSuchKeyException e) {
      // gone already: fine
    } catch (SdkException e) {
      throw failed(e, "delete", key);
    }
  }

  /**
   * Committed objects under {@code prefix}, in key order; staging uploads are not objects of the
   * store. Keys no store would hold (control characters, empty or dot segments: written by
   * something else) are skipped and counted in the log, never printed.
   */
  @Override
  public void list(Key prefix, Consumer<ObjectInfo> sink) throws IOException {
    String from = location.key(prefix.path());
    int foreign = 0;
    try {
      for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(from)).contents()) {
        String path = location.path(o.key());
        Optional<Key> key = storeKey(path);
        if (path != null && key.isEmpty()) {
          foreign++;
        } else if (key.isPresent() && key.get().startsWith(prefix) && !path.startsWith(STAGING)
            && !path.startsWith(S3Generations.AREA)) {
          sink.accept(new ObjectInfo(key.get(), o.size()));
        }
      }
    } catch (SdkException e) {
      throw failed(e, "list", prefix);
    }
    skipped(foreign, location(prefix));
  }

  /** The store key of an object path, if it is one a store could hold. */
  private static Optional<Key> storeKey(String path) {
    if (path == null || Names.hasControlCharacters(path)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Key(path));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Tells the log that {@code n} keys under {@code where} were left out, without their names. */
  void skipped(int n, String where) {
    if (n > 0) {
      settings.log().accept("skipped " + n + " key(s) under " + where + " that no store writes (control"
          + " characters or empty segments in the name; not shown)");
    }
  }

  @Override
  public GenerationLinks generations() {
    return generations;
  }

  @Override
  public String location(Key key) {
    return "s3://" + location.bucket() + "/" + key(key);
  }

  /**
   * Whether nothing at all is stored under this store's prefix (or the bucket, for none): no
   * store there to read from.
   */
  public boolean isEmpty() throws IOException {
    String prefix = location.prefix().isEmpty() ? "" : location.prefix() + "/";
    try {
      return client.listObjectsV2(b -> b.bucket(location.bucket()).prefix(prefix).maxKeys(1)).contents().isEmpty();
    } catch (SdkException e) {
      throw failed(e, "list", Key.ROOT);
    }
  }

  /**
   * Aborts this store's multipart uploads and deletes its staging objects started before
   * {@code olderThan} ago: what killed writers leave. Returns how many. A server that cannot
   * list multipart uploads (s3rver: 501 NotImplemented) has none to abort, as far as stasis can
   * know: that is told to the log, and the staging objects are still cleaned.
   */
  @Override
  public int cleanup(Duration olderThan) throws IOException {
    Instant before = Instant.now().minus(olderThan);
    int n = 0;
    try {
      n += abortUploads(before);
      for (S3Object o : client.listObjectsV2Paginator(
          b -> b.bucket(location.bucket()).prefix(location.key(STAGING))).contents()) {
        if (o.lastModified().isBefore(before)) {
          client.deleteObject(b -> b.bucket(location.bucket()).key(o.key()));
          n++;
        }
      }
    } catch (SdkException e) {
      throw failed(e, "clean up", Key.ROOT);
    }
    return n;
  }

  private int abortUploads(Instant before) {
    int n = 0;
    try {
      for (MultipartUpload u : client.listMultipartUploadsPaginator(
          b -> b.bucket(location.bucket()).prefix(location.key(""))).uploads()) {
        if (location.path(u.key()) != null && u.initiated().isBefore(before)) {
          client.abortMultipartUpload(b -> b.bucket(location.bucket()).key(u.key()).uploadId(u.uploadId()));
          n++;
        }
      }
    } catch (S3Exception e) {
      if (e.statusCode() != 501 && e.statusCode() != 405) {
        throw e;
      }
      settings.log().accept("warning: the S3 server at " + S3Failures.endpoint(settings) + " cannot list multipart"
          + " uploads (" + S3Failures.reason(e) + "): abandoned uploads, if it keeps any, are not aborted");
    }
    return n;
  }

  /** An SDK failure as an I/O error naming the operation and the object, never a secret; a missing bucket is not found. */
  IOException failed(SdkException e, String what, Key key) {
    S3Failures.requireBucket(e, location, settings);
    return new IOException("cannot " + what + " " + location(key) + ": " + S3Failures.reason(e), e);
  }

  StoreException failedWrite(SdkException e, String key) {
    S3Failures.requireBucket(e, location, settings);
    return new StoreException(e, "cannot write s3://%s/%s: %s", location.bucket(), key, S3Failures.reason(e));
  }

  @Override
  public void close() {
    parts.shutdownNow();
    client.close();
  }
}
