package dev.stasis.cli;

import dev.stasis.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Builds and runs a picocli command tree with stasis's conventions: results on stdout,
 * messages on stderr as {@code <command>: <message>}, stack traces only with
 * {@code --verbose}, one exit code per kind of failure ({@link ExitCodes}).
 */
final class Cli {
  private Cli() {}

  /** Runs {@code command} (an annotated object taking a {@link Context}) and returns the exit code. */
  static int run(Object command, Context ctx, String... args) {
    return execute(create(command, ctx), ctx, args);
  }

  /** The command tree of {@code command}, wired to {@code ctx}. */
  static CommandLine create(Object command, Context ctx) {
    CommandLine cl = new CommandLine(command, new Factory(ctx));
    cl.setOut(new java.io.PrintWriter(ctx.out(), true));
    cl.setErr(new java.io.PrintWriter(ctx.err(), true));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> report(cmd, ctx, e, parsed));
    cl.setParameterExceptionHandler((e, params) -> {
      // picocli wraps what fails inside it (a converter's bug) into its parse errors: no Java text
      String message = isJdkRuntimeFailure(e.getCause()) ? "cannot make sense of the arguments" : e.getMessage();
      ctx.err().println(e.getCommandLine().getCommandName() + ": " + message);
      ctx.err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more.");
      return ExitCodes.USAGE;
    });
    cl.setExecutionStrategy(parsed -> {
      refuseRepeatedInheritedOptions(parsed);
      return new CommandLine.RunLast().execute(parsed);
    });
    addExitCodes(cl);
    return cl;
  }

  /**
   * An option common to every subcommand may go before or after the subcommand's name, once:
   * picocli refuses a repeat on one level but would let the later level's value win silently.
   */
  private static void refuseRepeatedInheritedOptions(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p.hasSubcommand(); p = p.subcommand()) {
      for (CommandLine.Model.OptionSpec o : p.matchedOptions()) {
        if (p.subcommand().hasMatchedOption(o.longestName())) {
          throw new CommandLine.ParameterException(p.subcommand().commandSpec().commandLine(),
              "option '" + o.longestName() + "' should be specified only once (before or after the command)");
        }
      }
    }
  }

  /** Runs a command tree and returns the exit code. */
  static int execute(CommandLine cl, Context ctx, String... args) {
    int code = cl.execute(args);
    ctx.out().flush();
    ctx.err().flush();
    return code;
  }

  private static void addExitCodes(CommandLine cl) {
    cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.help());
    cl.getSubcommands().values().forEach(Cli::addExitCodes);
  }

  private static int report(CommandLine cmd, Context ctx, Exception e, CommandLine.ParseResult parsed) {
    Throwable failure = e instanceof UncheckedIOException u ? u.getCause() : e;
    String message;
    if (failure instanceof IOException io) {
      message = StoreException.reason(io);
    } else if (isJdkRuntimeFailure(failure)) {
      message = "internal error; run again with --verbose for the details, and please report it";
    } else {
      message = failure.getMessage() == null || failure.getMessage().isBlank()
          ? failure.getClass().getSimpleName() : failure.getMessage();
    }
    ctx.err().println(cmd.getCommandSpec().root().name() + ": " + message);
    if (verbose(parsed)) {
      e.printStackTrace(ctx.err());
    }
    if (failure instanceof NoSuchFileException) {
      return ExitCodes.NOT_FOUND;
    }
    return ExitCodes.of(failure);
  }

  /**
   * Whether {@code e} is one of the JDK's own runtime exceptions, whose text (an index, a null)
   * means a bug here, not something the user can act on; the JDK's argument errors (an invalid
   * path) are about what the user gave and keep their message.
   */
  private static boolean isJdkRuntimeFailure(Throwable e) {
    return e instanceof RuntimeException && !(e instanceof IllegalArgumentException)
        && e.getClass().getName().startsWith("java.");
  }

  private static boolean verbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** Gives commands that want one a {@link Context}. */
  private record Factory(Context ctx) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        Constructor<K> c = cls.getDeclaredConstructor(Context.class);
        c.setAccessible(true);
        return c.newInstance(ctx);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }
}
