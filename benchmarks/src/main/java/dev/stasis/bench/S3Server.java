package dev.stasis.bench;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * S3Mock over plain HTTP, with one bucket, for whole-process comparisons. Once it serves, it
 * prints its endpoint on 127.0.0.1 as the only line on stdout; it stops when stdin ends or the
 * process is terminated. S3Mock accepts any credentials. Its HTTP connector takes no address, so
 * it listens on every interface.
 *
 * <pre>
 * java -cp 'benchmarks/target/benchmarks.jar:benchmarks/target/lib/*' dev.stasis.bench.S3Server --port 0 --bucket NAME
 * http://127.0.0.1:41234
 * </pre>
 */
public final class S3Server {
  private S3Server() {}

  public static void main(String[] args) throws IOException {
    int port = 0;
    String bucket = null;
    try {
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 == args.length) {
          throw new IllegalArgumentException(args[i] + " needs a value");
        }
        String value = args[i + 1];
        switch (args[i]) {
          case "--port" -> port = Integer.parseInt(value);
          case "--bucket" -> bucket = value;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (bucket == null) {
        throw new IllegalArgumentException("no bucket");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("S3Server: " + e.getMessage() + "; usage: S3Server [--port N] --bucket NAME");
      System.exit(2);
    }
    // Spring Boot logs to stdout, where the caller reads the endpoint: send the logs to stderr.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    S3MockExtension server = S3MockExtension.builder().silent().withSecureConnection(false).withHttpPort(port)
        .withInitialBuckets(bucket).build();
    server.start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    stdout.println("http://127.0.0.1:" + server.getHttpPort());
    stdout.flush();
    System.in.transferTo(OutputStream.nullOutputStream());
    System.exit(0);  // runs the hook; the server's threads would keep the JVM alive
  }
}
