/**
 * JMH benchmarks of the store engine (ingest, re-ingest, generation queries and gc planning on
 * the filesystem backend, and the SHA-256 ceiling), and {@link dev.stasis.bench.S3Server} for
 * whole-process comparisons. How to run them: {@code benchmarks/README.md}.
 */
package dev.stasis.bench;
