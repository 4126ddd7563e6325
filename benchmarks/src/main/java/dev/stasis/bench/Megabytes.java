package dev.stasis.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Logical megabytes (10^6 bytes) a benchmark went through. JMH reports the counter per second
 * of measured time (and resets it each iteration), as the secondary result {@code :megabytes}
 * in "ops/s": read it as MB/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Megabytes {
  /** The counter; public, as JMH reads it. */
  public double megabytes;

  void add(long bytes) {
    megabytes += bytes / 1e6;
  }
}
