package dev.stasis.bench;

import dev.stasis.store.Compression;

/** A compression and its level, from a benchmark parameter: {@code none}, {@code zstd}, {@code zstd-1}, {@code xz}. */
record Codec(Compression compression, int level) {
  /** The compression's word, then {@code -level} unless its default level is meant. */
  static Codec parse(String param) {
    String[] parts = param.split("-", 2);
    Compression compression = Compression.parse(parts[0]);
    int level = parts.length == 1 ? compression.defaultLevel() : Integer.parseInt(parts[1]);
    return new Codec(compression, level);
  }
}
