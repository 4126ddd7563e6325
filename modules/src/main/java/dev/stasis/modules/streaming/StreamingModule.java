package dev.stasis.modules.streaming;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import dev.stasis.store.DumpSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A module found on {@code $STASIS_MODULES_PATH}: an executable named after the type, called
 * as {@code <module> <operation> <component path>} with the container's properties in its
 * environment. For {@code snapshot} it writes the dump to stdout and stasis stores it; for
 * {@code restore} it reads the dump from stdin and must apply it only once stdin ends: when a
 * snapshot fails verification stasis kills the module instead of ending its stdin.
 */
public final class StreamingModule implements Module {
  private final Path executable;
  private final String type;

  public StreamingModule(Path executable, String type) {
    this.executable = executable;
    this.type = type;
  }

  @Override
  public String dumpName() {
    return "dump";
  }

  private List<String> command(String operation, Target t) {
    return List.of(executable.toString(), operation, t.component().toString());
  }

  /** A clean environment: the container's properties, PATH, the state directory and the names. */
  static Map<String, String> environment(Target t) {
    Map<String, String> env = new LinkedHashMap<>(t.properties());
    env.put("PATH", t.host().searchPath());
    env.put("DYSNOMIA_STATEDIR", t.host().stateDir().toString());
    env.put("STASIS_CONTAINER_NAME", t.ref().container());
    env.put("STASIS_COMPONENT_NAME", t.ref().component());
    return env;
  }

  private void run(String operation, Target t) throws IOException {
    try (ChildProcess p = ChildProcess.start(command(operation, t), environment(t), t.host().cwd(),
        ChildProcess.Stdin.EMPTY, t.host().out(), t.host().err(), describe(operation))) {
      p.requireSuccess();
    }
  }

  private String describe(String operation) {
    return "module " + type + " (" + executable + ") " + operation;
  }

  @Override
  public void activate(Target t) throws IOException {
    run("activate", t);
  }

  @Override
  public void deactivate(Target t) throws IOException {
    run("deactivate", t);
  }

  @Override
  public void dump(Target t, DumpSink sink) throws IOException {
    try (ChildProcess p = ChildProcess.dumper(command("snapshot", t), environment(t), t.host().cwd(), t.host().err(),
        describe("snapshot"))) {
      p.dumpTo(sink);
    }
  }

  @Override
  public Restore restore(Target t, InputStream dump) throws IOException {
    ChildProcess p = ChildProcess.start(command("restore", t), environment(t), t.host().cwd(),
        ChildProcess.Stdin.PIPE, t.host().out(), t.host().err(), describe("restore"));
    try {
      OutputStream stdin = p.stdin();
      dump.transferTo(stdin);  // the dump's last read verifies it; a failure leaves stdin open
      return new Restore() {
        @Override
        public void commit() throws IOException {
          stdin.close();
          p.requireSuccess();
        }

        @Override
        public void close() {
          p.close();
        }
      };
    } catch (IOException | RuntimeException e) {
      p.close();
      throw e;
    }
  }

  @Override
  public void drop(Target t) throws IOException {
    run("collect-garbage", t);
  }

  @Override
  public void lock(Target t) throws IOException {
    run("lock", t);
  }

  @Override
  public void unlock(Target t) throws IOException {
    run("unlock", t);
  }
}
