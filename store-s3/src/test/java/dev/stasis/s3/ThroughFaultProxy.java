package dev.stasis.s3;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of the fault tests: a fresh store on S3Mock reached through a {@link FaultProxy},
 * written in minimum-size parts, its retries and resumptions told to {@link #log}.
 */
abstract class ThroughFaultProxy {
  static final int PART = S3Settings.MIN_PART;

  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  FaultProxy proxy;
  S3Location location;
  S3Backend backend;

  @BeforeEach
  void open() throws IOException {
    proxy = FaultProxy.start(S3MockServer.endpoint());
    location = S3MockServer.freshLocation();
    backend = backend(8);
  }

  @AfterEach
  void close() throws IOException {
    backend.close();
    proxy.close();
  }

  /** A backend on this test's store through the proxy, trying each request {@code attempts} times. */
  S3Backend backend(int attempts) {
    return S3Backend.open(location, S3MockServer.settings().withEndpoint(proxy.endpoint()).withPartSize(PART)
        .withMaxAttempts(attempts).withLog(log::add));
  }
}
