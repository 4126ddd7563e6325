package dev.stasis.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Long options abbreviated as Dysnomia's getopt allows them: {@code --query-l} for
 * {@code --query-latest}, any prefix that names one long option. picocli's own abbreviations are
 * not used: they match camel-case chunks too, and fail on an empty argument with an
 * {@code IndexOutOfBoundsException} ({@code dysnomia-snapshots --resolve ''}).
 */
final class GetoptAbbreviations {
  private GetoptAbbreviations() {}

  /**
   * Runs {@code cl} on {@code args} with abbreviations expanded; an ambiguous one is a usage
   * error listing the options it could mean, as getopt's.
   */
  static int execute(CommandLine cl, Context ctx, String... args) {
    String[] expanded;
    try {
      expanded = expand(cl, args);
    } catch (CommandLine.ParameterException e) {
      try {
        return cl.getParameterExceptionHandler().handleParseException(e, args);
      } catch (Exception unexpected) {
        throw new IllegalStateException(unexpected);
      }
    }
    return Cli.execute(cl, ctx, expanded);
  }

  static String[] expand(CommandLine cl, String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        out.addAll(List.of(args).subList(i, args.length));
        break;
      }
      OptionSpec option = null;
      if (arg.startsWith("--") && arg.length() > 2) {
        int eq = arg.indexOf('=');
        String name = eq < 0 ? arg : arg.substring(0, eq);
        option = find(cl, name);
        out.add(option == null ? arg : option.longestName() + (eq < 0 ? "" : arg.substring(eq)));
        if (eq >= 0) {
          continue;  // its value is attached
        }
      } else {
        option = arg.length() == 2 && arg.startsWith("-") ? cl.getCommandSpec().findOption(arg) : null;
        out.add(arg);
      }
      if (option != null && option.arity().max() > 0 && i + 1 < args.length) {
        out.add(args[++i]);  // the option's value, whatever it looks like
      }
    }
    return out.toArray(String[]::new);
  }

  /** The option {@code name} names exactly or as the prefix of one long name; null when none does. */
  private static OptionSpec find(CommandLine cl, String name) {
    OptionSpec exact = cl.getCommandSpec().findOption(name);
    if (exact != null) {
      return exact;
    }
    List<OptionSpec> matches = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>();
    for (OptionSpec o : cl.getCommandSpec().options()) {
      for (String n : o.names()) {
        if (n.startsWith("--") && n.startsWith(name) && !matches.contains(o)) {
          matches.add(o);
          names.add(n);
        }
      }
    }
    if (matches.size() > 1) {
      throw new CommandLine.ParameterException(cl, "option '" + name + "' is ambiguous; possibilities: "
          + String.join(" ", names));
    }
    return matches.isEmpty() ? null : matches.get(0);
  }
}
