package dev.stasis.store;

import java.util.Arrays;
import java.util.List;

/**
 * The location of an object inside a store: a relative path of {@code /}-separated segments,
 * laid out as Dysnomia lays out its state directory ({@link StoreLayout}). The empty key is
 * the store's root.
 */
public record Key(String path) {
  public static final Key ROOT = new Key("");

  public Key {
    if (!path.isEmpty()) {
      for (String segment : path.split("/", -1)) {
        checkSegment(segment);
      }
    }
  }

  public static Key of(String... segments) {
    return new Key(String.join("/", segments));
  }

  private static void checkSegment(String segment) {
    if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("bad key segment: " + Names.printable(segment));
    }
  }

  public Key resolve(String segment) {
    checkSegment(segment);
    if (segment.indexOf('/') >= 0) {
      throw new IllegalArgumentException("bad key segment: " + Names.printable(segment));
    }
    return path.isEmpty() ? new Key(segment) : new Key(path + "/" + segment);
  }

  public List<String> segments() {
    return path.isEmpty() ? List.of() : Arrays.asList(path.split("/"));
  }

  /** The last segment. */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  public Key parent() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? ROOT : new Key(path.substring(0, slash));
  }

  /** Whether this key is {@code prefix} or lies under it. */
  public boolean startsWith(Key prefix) {
    return prefix.path.isEmpty() || path.equals(prefix.path) || path.startsWith(prefix.path + "/");
  }

  /** This key relative to {@code prefix}, which it must start with. */
  public String relativeTo(Key prefix) {
    if (!startsWith(prefix) || path.equals(prefix.path)) {
      throw new IllegalArgumentException(path + " is not under " + prefix.path);
    }
    return prefix.path.isEmpty() ? path : path.substring(prefix.path.length() + 1);
  }

  @Override
  public String toString() {
    return path;
  }
}
