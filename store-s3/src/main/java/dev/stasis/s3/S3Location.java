package dev.stasis.s3;

import java.util.Locale;

/**
 * Where a store lives on S3: {@code s3://bucket/prefix}; the prefix may be empty.
 */
public record S3Location(String bucket, String prefix) {
  public S3Location {
    if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]")) {
      throw new IllegalArgumentException("not an S3 bucket name: '" + bucket + "'");
    }
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    while (prefix.startsWith("/")) {
      prefix = prefix.substring(1);
    }
  }

  /** Whether {@code text} names an S3 store. */
  public static boolean isS3(String text) {
    return text.toLowerCase(Locale.ROOT).startsWith("s3://");
  }

  /**
   * Parses {@code s3://bucket[/prefix]}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static S3Location parse(String url) {
    if (!isS3(url)) {
      throw new IllegalArgumentException("not an s3:// URL: '" + url + "'");
    }
    String rest = url.substring(5);
    int slash = rest.indexOf('/');
    return slash < 0 ? new S3Location(rest, "") : new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The object key of a store path such as {@code snapshots/c/x/n/f}. */
  String key(String path) {
    if (prefix.isEmpty()) {
      return path;
    }
    return path.isEmpty() ? prefix : prefix + "/" + path;
  }

  /** The store path of an object key under the prefix, or null for one outside it. */
  String path(String key) {
    if (prefix.isEmpty()) {
      return key;
    }
    return key.startsWith(prefix + "/") ? key.substring(prefix.length() + 1) : null;
  }

  @Override
  public String toString() {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }
}
