package dev.stasis.store;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Map;
import org.apache.commons.codec.binary.Hex;

/**
 * One snapshot being ingested: logical bytes written to {@link #output()} are hashed into the
 * id, compressed, hashed into Dysnomia's checksum and written to staging, in one pass with
 * bounded memory. {@link #commit()} publishes the snapshot and links a generation; closing
 * without commit discards the staging.
 *
 * <pre>{@code
 * try (Ingest ingest = store.ingest(component, "dump.sql", Compression.ZSTD, "mysqldump", Map.of())) {
 *   ingest.transferFrom(dumper.getInputStream());
 *   if (dumper.waitFor() != 0) throw new StoreException("dumper failed");  // no commit: nothing stored
 *   ingest.commit();
 * }
 * }</pre>
 */
public final class Ingest implements Closeable {
  private static final int BUFFER = 1 << 18;

  private final Store store;
  private final ComponentRef component;
  private final String file;
  private final Compression compression;
  private final String source;
  private final Map<String, String> attributes;
  private final ObjectWriter staged;
  private final MessageDigest idDigest = DysnomiaChecksum.sha256();
  private final MessageDigest checksumDigest;
  private final Counter logical;
  private final Counter stored;
  private final OutputStream compressor;
  private final OutputStream output;
  private boolean done;

  Ingest(Store store, ComponentRef component, String file, Compression compression, int level,
      String source, Map<String, String> attributes, ObjectWriter staged) throws IOException {
    this.store = store;
    this.component = component;
    this.file = file;
    this.compression = compression;
    this.source = source;
    this.attributes = attributes;
    this.staged = staged;
    this.checksumDigest = DysnomiaChecksum.startOneFile(file);
    try {
      this.stored = new Counter(new BufferedOutputStream(staged.output(), BUFFER), checksumDigest);
      this.compressor = compression.compress(stored, level);
      this.logical = new Counter(compressor, idDigest);
      this.output = new BufferedOutputStream(logical, BUFFER);
    } catch (IOException | RuntimeException e) {
      staged.close();
      throw e;
    }
  }

  /** Where the logical bytes go. Closing it does not commit. */
  public OutputStream output() {
    return new FilterOutputStream(output) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }

  /** Copies {@code in} to its end into this ingest; returns the byte count. */
  public long transferFrom(InputStream in) throws IOException {
    return Store.copy(in, output);
  }

  /** Logical bytes received so far (after buffering), for progress reports. */
  public long logicalBytes() {
    return logical.count;
  }

  /** Where the staging is, for diagnostics. */
  public String describeStaging() {
    return staged.describe();
  }

  /**
   * Ends the stream and publishes the snapshot: call only once the source ended and whatever
   * produced it succeeded.
   *
   * @throws StoreException if the stream was empty (a dumper that printed nothing failed)
   */
  public IngestResult commit() throws IOException {
    if (done) {
      throw new IllegalStateException("ingest already committed or closed");
    }
    done = true;
    try {
      output.flush();
      compressor.close();
      if (logical.count == 0) {
        throw new StoreException("the dump of %s is empty; refusing to store an empty snapshot", component);
      }
      SnapshotId id = new SnapshotId(Hex.encodeHexString(idDigest.digest()));
      String checksum = DysnomiaChecksum.format(checksumDigest.digest());
      SnapshotMeta meta = new SnapshotMeta(file, compression, logical.count, stored.count,
          Instant.now(), source, attributes);
      return store.publish(staged, component.snapshot(id.name()), file, checksum, meta,
          logical.count, stored.count);
    } finally {
      staged.close();
    }
  }

  /** Discards the staging unless committed. Idempotent. */
  @Override
  public void close() {
    done = true;
    staged.close();
  }

  /** Counts and digests what passes through, without buffering. */
  private static final class Counter extends FilterOutputStream {
    private final MessageDigest digest;
    long count;

    Counter(OutputStream out, MessageDigest digest) {
      super(out);
      this.digest = digest;
    }

    @Override
    public void write(int b) throws IOException {
      digest.update((byte) b);
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      digest.update(b, off, len);
      out.write(b, off, len);
      count += len;
    }
  }
}
