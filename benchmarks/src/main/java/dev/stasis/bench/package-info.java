/**
 * JMH benchmarks of the store engine: ingest, re-ingest, generation queries and gc planning on
 * the filesystem backend, and the SHA-256 ceiling.
 */
package dev.stasis.bench;
