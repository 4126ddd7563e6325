package dev.stasis.modules;

import dev.stasis.modules.external.ExternalModule;
import dev.stasis.modules.process.ChildProcess;
import dev.stasis.modules.spi.Host;
import dev.stasis.modules.spi.Module;
import dev.stasis.modules.spi.Target;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code dysnomia --shell}: a bash session with the container's properties in its
 * environment, after the module's own instructions; with {@code --command}, runs those
 * commands and exits with their status.
 */
public final class Shell {
  private Shell() {}

  public static int open(Host host, Module module, Target t, String command) throws IOException {
    String help = module.shellHelp(t);
    if (!help.isEmpty()) {
      host.err().println(help);
    }
    Optional<List<String>> own = module.shellCommand(t);
    if (command == null && own.isPresent()) {
      try (ChildProcess p = ChildProcess.start(own.get(), null, host.cwd(), ChildProcess.Stdin.INHERIT, host.out(), host.err(),
          "shell")) {
        return p.waitFor();
      }
    }
    return bash(host, t.properties(), t.component(), t.ref().container(), "(built in)", command);
  }

  public static int open(Host host, ExternalModule module, Path component, String containerArg,
      Map<String, String> properties, String command) throws IOException {
    module.run("shell", component, containerArg, properties, host);
    return bash(host, properties, component, containerArg, module.executable().toString(), command);
  }

  private static int bash(Host host, Map<String, String> properties, Path component, String container, String module,
      String command) throws IOException {
    Map<String, String> env = new LinkedHashMap<>(host.env());
    if (properties != null) {
      env.putAll(properties);
    }
    env.put("this_dysnomia_module", module);
    env.put("this_component", component.toString());
    env.put("this_container", container);
    host.err().println("\nGeneral environment variables:\nthis_dysnomia_module     Path to the Dysnomia module\n"
        + "this_component           Path to the mutable component\n"
        + "this_container           Path to the container configuration file");
    List<String> cmd = command == null ? List.of("bash", "-i") : List.of("bash", "-c", command);
    ChildProcess.Stdin stdin = command == null ? ChildProcess.Stdin.INHERIT : ChildProcess.Stdin.EMPTY;
    try (ChildProcess p = ChildProcess.start(cmd, env, host.cwd(), stdin, host.out(), host.err(), "shell")) {
      return p.waitFor();
    }
  }
}
