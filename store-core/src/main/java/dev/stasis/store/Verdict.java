package dev.stasis.store;

import java.util.List;

/**
 * The state of one snapshot in a store, as far as its bytes and checksum go.
 *
 * @param files the snapshot's objects, in listing order
 * @param expected the checksum record, or null when there is none
 * @param computed the checksum of the bytes, or null when not computed
 */
record Verdict(Kind kind, List<ObjectInfo> files, String expected, String computed) {
  enum Kind {
    /** Nothing at all: no files, no checksum. */
    ABSENT,
    /** Files and a checksum that matches them. */
    OK,
    /** A checksum record but no files. */
    NO_FILES,
    /** Files but no checksum record. */
    NO_CHECKSUM,
    /** A checksum record that is not {@code sha256:<64 hex>}. */
    MALFORMED_CHECKSUM,
    /** Files whose checksum differs from the record. */
    MISMATCH
  }
}
