package dev.stasis.modules.echo;

import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.DumpSink;
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
public final class EchoModule implements Module {
  public static final String TYPE = "echo";

  @Override
  public String dumpName() {
    return "echo.txt";
  }

  private void say(Target t, String operation) {
    StringBuilder b = new StringBuilder("Echo module: ").append(operation).append(' ')
        .append(t.component()).append(' ').append(t.ref().container()).append('\n');
    new TreeMap<>(t.properties()).forEach((k, v) -> b.append("  ").append(k).append('=').append(v).append('\n'));
    t.host().out().print(b);
    t.host().out().flush();
  }

  @Override
  public void activate(Target t) {
    say(t, "activate");
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    say(t, "snapshot");
    sink.output().write(("echo " + t.ref() + "\n").getBytes(StandardCharsets.UTF_8));
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
