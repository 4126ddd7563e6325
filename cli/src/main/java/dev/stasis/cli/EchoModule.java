package dev.stasis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import java.util.TreeMap;

/**
 * The {@code echo} type: prints each operation with its arguments and the container's
 * properties, for examples and tests. Its snapshot is that same line, so the store's side of
 * a deployment can be tried without any service.
 */
final class EchoModule implements Module {
  static final String TYPE = "echo";

  @Override
  public String dumpName() {
    return "echo.txt";
  }

  private void say(Target t, String operation) {
    StringBuilder b = new StringBuilder("Echo module: ").append(operation).append(' ')
        .append(t.component()).append(' ').append(t.ref().container()).append('\n');
    new TreeMap<>(t.properties()).forEach((k, v) -> b.append("  ").append(k).append('=').append(v).append('\n'));
    t.ctx().out().print(b);
    t.ctx().out().flush();
  }

  @Override
  public void activate(Target t) {
    say(t, "activate");
  }

  @Override
  public void dump(Target t, OutputStream out) throws IOException {
    say(t, "snapshot");
    out.write(("echo " + t.ref() + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    long n = dump.transferTo(OutputStream.nullOutputStream());
    say(t, "restore (" + n + " bytes)");
    return new Restore() {
      @Override
      public void commit() {}

      @Override
      public void close() {}
    };
  }

  @Override
  public void deactivate(Target t) {
    say(t, "deactivate");
  }

  @Override
  public void drop(Target t) {
    say(t, "collect-garbage");
  }

  @Override
  public void lock(Target t) {
    say(t, "lock");
  }

  @Override
  public void unlock(Target t) {
    say(t, "unlock");
  }

  @Override
  public String shellHelp(Target t) {
    return "This is the echo shell session";
  }

}
