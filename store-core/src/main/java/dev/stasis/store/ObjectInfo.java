package dev.stasis.store;

/** A committed object: its key and size in bytes. */
public record ObjectInfo(Key key, long size) {}
