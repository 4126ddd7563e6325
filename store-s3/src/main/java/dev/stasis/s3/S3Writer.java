package dev.stasis.s3;

import dev.stasis.store.Key;
import dev.stasis.store.ObjectWriter;
import dev.stasis.store.StoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * An object streamed to S3 with bounded memory. Bytes fill a part buffer; a small object goes
 * up in one PUT at commit, a large one as a multipart upload whose parts (each with its SHA-256
 * for the server to check) are sent in parallel while the next fills, at most a few in flight.
 * Each PUT and part counts only once the server's answer proves it stored those bytes
 * ({@link UploadProof}); one that disproves it is sent again.
 * Part sizes grow (doubling every 1,000 parts) so a stream of unknown length stays within
 * S3's 10,000 parts. The upload completes only in {@link #commit(Key)}; closing without commit
 * aborts it, so nothing half-written is ever an object.
 */
final class S3Writer implements ObjectWriter {
  private static final int IN_FLIGHT = 3;
  private static final long MAX_PART = 5L * 1024 * 1024 * 1024;

  private final S3Backend backend;
  private final String target;
  private final Key direct;
  private final Semaphore slots = new Semaphore(IN_FLIGHT);
  private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
  private final List<Future<CompletedPart>> sent = new ArrayList<>();
  private final Map<Integer, Part> resumable = new HashMap<>();
  private final OutputStream output = new Output();
  private byte[] buffer;
  private int filled;
  private int partNumber;
  private String uploadId;
  private long size;
  private boolean closed;
  /** Whether a part's answer proved nothing (no MD5 ETag, no echoed SHA-256): then the object's checksum is read back. */
  private volatile boolean unproven;

  private S3Writer(S3Backend backend, String target, Key direct) {
    this.backend = backend;
    this.target = target;
    this.direct = direct;
    this.buffer = new byte[64 * 1024];  // most objects are small: grow to a part only when needed
  }

  /** Uploads under {@code .stasis/tmp/} and copies to the key given at commit. */
  static S3Writer staged(S3Backend backend) {
    return new S3Writer(backend, backend.s3().key(S3Backend.STAGING + UUID.randomUUID()), null);
  }

  /** Uploads straight to {@code key}, resuming an upload an interrupted writer left there. */
  static S3Writer direct(S3Backend backend, Key key) {
    S3Writer w = new S3Writer(backend, backend.key(key), key);
    w.findResumable();
    return w;
  }

  private int partSize(int n) {
    return partSize(backend.settings().partSize(), n);
  }

  /**
   * Part {@code n}'s size: the first size, doubled after every 1,000 parts (capped where a Java
   * array ends), so 10,000 parts of 8 MiB first hold over 8 TB: more than S3's 5 TB objects.
   */
  static int partSize(int first, int n) {
    long size = (long) first << Math.min(10, (n - 1) / 1000);
    return (int) Math.min(Math.min(size, MAX_PART), Integer.MAX_VALUE - 8);
  }

  /**
   * A part buffer of {@code size} bytes: one an uploaded part gave back, or a new one. Buffers go
   * round between filling and uploading (RequestBody reads them in place; fromBytes would copy),
   * so a long upload allocates no garbage per part and the heap stays small.
   */
  private byte[] spareBuffer(int size) {
    byte[] b = spare.poll();
    return b != null && b.length == size ? b : new byte[size];
  }

  /** Waits until every part sent so far is uploaded: a test's stand-in for a writer killed after them. */
  void awaitSentParts() throws IOException {
    for (Future<CompletedPart> f : sent) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      } catch (ExecutionException e) {
        throw new IOException(e.getCause());
      }
    }
  }

  @Override
  public OutputStream output() {
    return output;
  }

  @Override
  public String describe() {
    return "s3://" + backend.s3().bucket() + "/" + target;
  }

  private void findResumable() {
    try {
      for (MultipartUpload u : backend.client().listMultipartUploadsPaginator(
          b -> b.bucket(backend.s3().bucket()).prefix(target)).uploads()) {
        if (u.key().equals(target)) {
          uploadId = u.uploadId();
          for (Part p : backend.client().listPartsPaginator(
              b -> b.bucket(backend.s3().bucket()).key(target).uploadId(u.uploadId())).parts()) {
            resumable.put(p.partNumber(), p);
          }
          return;
        }
      }
    } catch (SdkException e) {
      uploadId = null;  // nothing to resume from: upload afresh
      resumable.clear();
    }
  }

  private void sendPart() throws IOException {
    if (uploadId == null) {
      CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
          .bucket(backend.s3().bucket()).key(target).checksumAlgorithm(ChecksumAlgorithm.SHA256);
      backend.settings().sse().ifPresent(create::serverSideEncryption);
      backend.settings().kmsKeyId().ifPresent(create::ssekmsKeyId);
      try {
        uploadId = backend.client().createMultipartUpload(create.build()).uploadId();
      } catch (SdkException e) {
        throw backend.failedWrite(e, target);
      }
    }
    int number = ++partNumber;
    byte[] data = buffer;
    int length = filled;
    buffer = spareBuffer(partSize(number + 1));
    filled = 0;
    UploadProof proof = UploadProof.of(data, length);
    Part done = resumable.get(number);
    if (done != null && done.size() == length && resumes(done, proof)) {
      spare.offer(data);
      sent.add(java.util.concurrent.CompletableFuture.completedFuture(
          CompletedPart.builder().partNumber(number).eTag(done.eTag()).checksumSHA256(proof.sha256()).build()));
      return;
    }
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while uploading " + describe());
    }
    String upload = uploadId;
    sent.add(backend.parts().submit(() -> {
      try {
        return uploadPart(upload, number, data, length, proof);
      } finally {
        spare.offer(data);
        slots.release();
      }
    }));
  }

  /**
   * Whether a part an interrupted upload left is the one we would send: the same SHA-256, or where
   * the server lists no checksums (moto), an ETag that is the MD5 of our bytes.
   */
  private boolean resumes(Part done, UploadProof proof) {
    return done.checksumSHA256() != null ? done.checksumSHA256().equals(proof.sha256())
        : proof.judge(done.eTag(), null, etagIsMd5(null, null)) == UploadProof.Verdict.PROVEN;
  }

  /**
   * Whether an answer's ETag is the MD5 of the bytes: for an object the answer says is not
   * encrypted, or encrypted with SSE-S3 by AWS itself (other servers' encrypted ETags are not,
   * and SSE-KMS or SSE-C ones never). Null arguments: what this writer asked for.
   */
  private boolean etagIsMd5(String sse, String customerKey) {
    String encryption = sse != null ? sse : backend.settings().sse().orElse(null);
    boolean aws = backend.settings().endpoint().isEmpty();
    return customerKey == null && (encryption == null || encryption.equals("AES256") && aws);
  }

  /**
   * Uploads one part until the server's answer proves it stored these bytes ({@link UploadProof}):
   * a server that checks no checksum stores what a bad hop delivers, and only its ETag tells.
   */
  private CompletedPart uploadPart(String upload, int number, byte[] data, int length, UploadProof proof) {
    for (int attempt = 1; ; attempt++) {
      UploadPartResponse r = backend.client().uploadPart(b -> b.bucket(backend.s3().bucket()).key(target)
          .uploadId(upload).partNumber(number).contentLength((long) length).checksumSHA256(proof.sha256()),
          RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
              "application/octet-stream"));
      UploadProof.Verdict verdict = proof.judge(r.eTag(), r.checksumSHA256(),
          etagIsMd5(r.serverSideEncryptionAsString(), r.sseCustomerAlgorithm()));
      if (verdict != UploadProof.Verdict.MISMATCH) {
        unproven |= verdict == UploadProof.Verdict.UNPROVEN;
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumSHA256(proof.sha256()).build();
      }
      storedOtherBytes("UploadPart", "part " + number + " of " + describe(), proof.disproof(r.eTag(),
          r.checksumSHA256()), attempt);
    }
  }

  /** Tells the log a request is sent again, or fails once {@code attempt} was the last. */
  private void storedOtherBytes(String operation, String what, String why, int attempt) {
    if (attempt >= backend.settings().maxAttempts()) {
      throw new StoreException("the S3 server stored other bytes than were sent for %s on each of %d attempts"
          + " (%s): a hop between corrupts them, and the server does not check; nothing was published", what,
          attempt, why);
    }
    backend.settings().log().accept("S3 " + operation + " " + what + ": the server stored other bytes than were"
        + " sent (" + why + "); sending again (attempt=" + (attempt + 1) + ")");
  }

  /**
   * Reads back the checksum of what {@code key} holds, for an upload whose answers proved nothing
   * (an ETag that is no MD5 and no echoed SHA-256): it must be {@code expected}.
   */
  private void verifyStored(String key, String expected) {
    String stored = backend.client().headObject(b -> b.bucket(backend.s3().bucket()).key(key)
        .checksumMode(ChecksumMode.ENABLED)).checksumSHA256();
    if (!expected.equals(stored)) {
      backend.client().deleteObject(b -> b.bucket(backend.s3().bucket()).key(key));
      throw new StoreException(stored == null
          ? "the S3 server at %s proves neither by ETag nor by checksum what it stored for s3://%s/%s; stasis"
              + " counts nothing it cannot verify (is the object encrypted with a customer key?)"
          : "the S3 server at %s stored other bytes than were sent for s3://%s/%s (checksum %s, sent %s)",
          backend.settings().endpoint().map(Object::toString).orElse("AWS"), backend.s3().bucket(), key, stored,
          expected);
    }
  }

  @Override
  public void commit(Key key) throws IOException {
    if (closed) {
      throw new IllegalStateException("writer already committed or closed: " + describe());
    }
    if (direct != null && !direct.equals(key)) {
      throw new IllegalStateException("this writer uploads to " + direct + ", not " + key);
    }
    String finalKey = backend.key(key);
    try {
      if (uploadId == null) {
        put(finalKey);
      } else {
        if (filled > 0 || partNumber == 0) {
          sendPart();
        }
        complete(finalKey);
        if (!finalKey.equals(target)) {
          S3Copy.copy(backend, target, finalKey, size);
          backend.client().deleteObject(b -> b.bucket(backend.s3().bucket()).key(target));
        }
      }
      closed = true;
    } catch (SdkException e) {
      throw backend.failedWrite(e, finalKey);
    } finally {
      close();
    }
  }

  /**
   * One PUT, sent again until the answer proves the server stored these bytes; a key that still
   * holds other bytes after the last attempt is deleted, so nothing unproven stays published.
   */
  private void put(String key) {
    UploadProof proof = UploadProof.of(buffer, filled);
    PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(backend.s3().bucket()).key(key)
        .contentLength((long) filled).checksumSHA256(proof.sha256());
    backend.settings().sse().ifPresent(put::serverSideEncryption);
    backend.settings().kmsKeyId().ifPresent(put::ssekmsKeyId);
    for (int attempt = 1; ; attempt++) {
      PutObjectResponse r = backend.client().putObject(put.build(), RequestBody.fromBytes(
          java.util.Arrays.copyOf(buffer, filled)));
      UploadProof.Verdict verdict = proof.judge(r.eTag(), r.checksumSHA256(),
          etagIsMd5(r.serverSideEncryptionAsString(), r.sseCustomerAlgorithm()));
      if (verdict == UploadProof.Verdict.UNPROVEN) {
        verifyStored(key, proof.sha256());
      }
      if (verdict != UploadProof.Verdict.MISMATCH) {
        return;
      }
      try {
        storedOtherBytes("PutObject", "s3://" + backend.s3().bucket() + "/" + key, proof.disproof(r.eTag(),
            r.checksumSHA256()), attempt);
      } catch (StoreException e) {
        backend.client().deleteObject(b -> b.bucket(backend.s3().bucket()).key(key));
        throw e;
      }
    }
  }

  /** Completes the upload once every part is up; a failed part fails it, naming {@code key}, the commit's. */
  private void complete(String key) throws IOException {
    List<CompletedPart> parts = new ArrayList<>();
    for (Future<CompletedPart> f : sent) {
      try {
        parts.add(f.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while uploading " + describe());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof SdkException sdk) {
          throw backend.failedWrite(sdk, key);
        }
        if (e.getCause() instanceof StoreException failed) {
          throw failed;
        }
        throw new IOException("uploading s3://" + backend.s3().bucket() + "/" + key + ": " + e.getCause(), e.getCause());
      }
    }
    parts.sort(Comparator.comparingInt(CompletedPart::partNumber));
    String upload = uploadId;
    backend.client().completeMultipartUpload(b -> b.bucket(backend.s3().bucket()).key(target).uploadId(upload)
        .multipartUpload(m -> m.parts(parts)));
    uploadId = null;
    if (unproven) {
      verifyStored(target, UploadProof.composite(parts.stream().map(CompletedPart::checksumSHA256).toList()));
    }
  }

  /** Aborts the upload unless committed; idempotent. */
  @Override
  public void close() {
    if (uploadId != null) {
      for (Future<CompletedPart> f : sent) {
        f.cancel(true);
      }
      String upload = uploadId;
      uploadId = null;
      try {
        backend.client().abortMultipartUpload(b -> b.bucket(backend.s3().bucket()).key(target).uploadId(upload));
      } catch (SdkException e) {
        backend.settings().log().accept("could not abort the upload to " + describe()
            + " (stasis gc aborts it once older than --abandoned-after): " + S3Failures.reason(e));
      }
    }
    closed = true;
    buffer = new byte[0];
  }

  /** Fills the part buffer; a full buffer becomes a part. */
  private final class Output extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("writer closed: " + describe());
      }
      while (len > 0) {
        if (filled == buffer.length) {
          int part = partSize(partNumber + 1);
          if (buffer.length < part) {
            buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(part, 2L * buffer.length));
          } else {
            sendPart();
          }
        }
        int n = Math.min(len, buffer.length - filled);
        System.arraycopy(b, off, buffer, filled, n);
        filled += n;
        size += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public void close() {
      // closing the stream only ends the caller's writing: commit or abort decides
    }
  }
}
