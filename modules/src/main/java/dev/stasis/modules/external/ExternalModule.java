package dev.stasis.modules.external;

import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Host;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Dysnomia module, run exactly as Dysnomia runs it: {@code <module> <operation> <component
 * file> <container>} (the last as given on the command line), in a clean environment holding
 * the container's properties, {@code PATH} and {@code DYSNOMIA_STATEDIR} (or the whole
 * environment with {@code --environment}). It manages the store itself, which works because
 * the layout is Dysnomia's; its exit status is passed on.
 */
public final class ExternalModule {
  private final Path executable;

  public ExternalModule(Path executable) {
    this.executable = executable;
  }

  public Path executable() {
    return executable;
  }

  /**
   * Runs {@code operation}; returns the module's exit status.
   *
   * @param properties the container's properties, or null to pass the whole environment
   * @param containerArg the {@code --container} argument as given (or the type)
   */
  public int run(String operation, Path component, String containerArg, Map<String, String> properties, Host host)
      throws IOException {
    Map<String, String> env;
    if (properties == null) {
      env = new LinkedHashMap<>(host.env());
    } else {
      env = new LinkedHashMap<>(properties);
      env.put("PATH", host.searchPath());
    }
    env.put("DYSNOMIA_STATEDIR", host.stateDir().toString());
    List<String> command = List.of(executable.toString(), operation, component.toString(), containerArg);
    try (ChildProcess p = ChildProcess.start(command, env, host.cwd(), ChildProcess.Stdin.EMPTY, host.out(), host.err(),
        "module " + executable + " " + operation)) {
      return p.waitFor();
    }
  }
}
