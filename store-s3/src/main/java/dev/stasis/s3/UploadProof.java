package dev.stasis.s3;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * What a server's answer proves about the bytes it stored for one PUT or part. Sending the
 * SHA-256 is not enough: many S3-compatible servers (moto, s3rver) never check it. But a server
 * computes an object's or part's ETag from the bytes it stored, and for an unencrypted object
 * (or AWS's SSE-S3) that ETag is their MD5; where it is not (SSE-KMS, SSE-C, other servers'
 * encryption), AWS and MinIO check the SHA-256 and echo it. So the answer
 * proves the bytes when its ETag is their MD5 or its echoed SHA-256 is theirs, disproves them
 * when either differs, and proves nothing when it has neither (then the stored object's
 * checksum is read back, {@link #composite}).
 *
 * @param sha256 the base64 SHA-256 of the bytes sent, as {@code x-amz-checksum-sha256} carries it
 * @param md5 the hex MD5 of the bytes sent, as a plain ETag shows it
 */
record UploadProof(String sha256, String md5) {
  /** What an answer says about the bytes. */
  enum Verdict { PROVEN, MISMATCH, UNPROVEN }

  /** The digests of {@code length} bytes of {@code data}. */
  static UploadProof of(byte[] data, int length) {
    MessageDigest sha = digest("SHA-256");
    MessageDigest md5 = digest("MD5");
    sha.update(data, 0, length);
    md5.update(data, 0, length);
    return new UploadProof(Base64.getEncoder().encodeToString(sha.digest()), HexFormat.of().formatHex(md5.digest()));
  }

  /**
   * Judges a server's answer.
   *
   * @param etag the ETag it gave, quoted or not; null when none
   * @param echoedSha256 the SHA-256 it echoed; null when none
   * @param etagIsMd5 whether the ETag of such an object is the MD5 of its bytes
   *     ({@link S3Writer}: the answer says it is not encrypted, or SSE-S3 on AWS itself)
   */
  Verdict judge(String etag, String echoedSha256, boolean etagIsMd5) {
    if (echoedSha256 != null && !echoedSha256.equals(sha256)) {
      return Verdict.MISMATCH;
    }
    String plain = etag == null ? "" : etag.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
    if (etagIsMd5 && plain.matches("[0-9a-f]{32}")) {
      return plain.equals(md5) ? Verdict.PROVEN : Verdict.MISMATCH;
    }
    return echoedSha256 != null ? Verdict.PROVEN : Verdict.UNPROVEN;
  }

  /** Why an answer was refused, for messages: what came back against what was sent. */
  String disproof(String etag, String echoedSha256) {
    return echoedSha256 != null && !echoedSha256.equals(sha256)
        ? "SHA-256 " + echoedSha256 + " came back for " + sha256
        : "ETag " + etag + " came back for MD5 " + md5;
  }

  /**
   * The checksum S3 gives a multipart object uploaded with per-part SHA-256s: the SHA-256 of the
   * parts' digests, then {@code -N}, as HeadObject with checksum mode shows it.
   */
  static String composite(List<String> partSha256s) {
    MessageDigest sha = digest("SHA-256");
    for (String part : partSha256s) {
      sha.update(Base64.getDecoder().decode(part));
    }
    return Base64.getEncoder().encodeToString(sha.digest()) + "-" + partSha256s.size();
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
