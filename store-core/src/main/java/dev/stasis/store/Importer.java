package dev.stasis.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * Imports a one-file snapshot under a given name, verified: see
 * {@link Store#importSnapshot(SnapshotRef, String, Source, String)}.
 */
public final class Importer {
  /** Opens the bytes of the file being imported; may be called more than once. */
  @FunctionalInterface
  public interface Source {
    InputStream open() throws IOException;
  }

  private final Store store;
  private final SnapshotRef snapshot;
  private final String file;
  private final Source source;
  private final String from;

  Importer(Store store, SnapshotRef snapshot, String file, Source source, String from) {
    this.store = store;
    this.snapshot = snapshot;
    this.file = file;
    this.source = source;
    this.from = from;
  }

  IngestResult run() throws IOException {
    if (Compression.ofFileName(file) == Compression.CHUNKED) {
      throw new StoreException("%s is a chunked snapshot's index, which is nothing without its store's chunks; bring"
          + " chunked snapshots with stasis mirror, or import a plain copy (stasis export-dysnomia)", file);
    }
    if (store.exists(snapshot)) {
      try {
        return store.linkExisting(snapshot, -1, -1);
      } catch (IntegrityException damaged) {
        // the copy in the store is damaged: import replaces it below
      }
    }
    try (ObjectWriter staged = store.backend().create()) {
      MessageDigest checksum = DysnomiaChecksum.startOneFile(file);
      MessageDigest fileDigest = DysnomiaChecksum.sha256();
      long size;
      try (InputStream in = source.open(); OutputStream out = staged.output()) {
        size = copyDigesting(in, out, checksum, fileDigest);
      }
      String fileHex = HexFormat.of().formatHex(fileDigest.digest());
      long logicalSize = -1;
      if (snapshot.name().isSha256() && !snapshot.name().value().equals(fileHex)) {
        logicalSize = verifyLogical(fileHex);
      }
      Compression compression = Compression.ofFileName(file);
      SnapshotMeta meta = new SnapshotMeta(file, compression, logicalSize, size, Instant.now(),
          "import " + from, Map.of());
      return store.publish(staged, snapshot, file, DysnomiaChecksum.format(checksum.digest()), meta,
          logicalSize, size);
    }
  }

  /**
   * Reads the source again, decompressed, and requires the name to be the SHA-256 of the
   * logical bytes; the same pass re-hashes the stored bytes so a source that changed between
   * the two reads is caught too.
   */
  private long verifyLogical(String fileHex) throws IOException {
    MessageDigest again = DysnomiaChecksum.sha256();
    MessageDigest logical = DysnomiaChecksum.sha256();
    long size = 0;
    try (InputStream raw = source.open();
        InputStream digesting = new java.security.DigestInputStream(raw, again);
        InputStream in = Compression.ofFileName(file).decompress(digesting)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        logical.update(buffer, 0, n);
        size += n;
      }
      digesting.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new IntegrityException("cannot import %s as %s: its name is neither the SHA-256 of the file nor"
          + " of its content, and the content cannot be decompressed (%s)", from, snapshot, e.getMessage());
    }
    if (!HexFormat.of().formatHex(again.digest()).equals(fileHex)) {
      throw new IntegrityException("cannot import %s: it changed while being read", from);
    }
    String logicalHex = HexFormat.of().formatHex(logical.digest());
    if (!logicalHex.equals(snapshot.name().value())) {
      throw new IntegrityException("cannot import %s as %s: the file hashes to %s and its content to %s;"
          + " a SHA-256 name must be one of them", from, snapshot, fileHex, logicalHex);
    }
    return size;
  }

  private static long copyDigesting(InputStream in, OutputStream out, MessageDigest a, MessageDigest b)
      throws IOException {
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      a.update(buffer, 0, n);
      b.update(buffer, 0, n);
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }
}
