package dev.stasis.deploy;

import dev.stasis.modules.spi.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where a target machine is: {@code local} (this machine) or {@code ssh://[user@]host[:port]}.
 *
 * @param user the ssh user, or null for ssh's own default
 * @param host the ssh host, or null for this machine
 * @param port the ssh port, or 0 for ssh's own default
 */
public record Address(String user, String host, int port) {
  public static final Address LOCAL = new Address(null, null, 0);

  /** Reads {@code local} or {@code ssh://[user@]host[:port]}; anything else is a usage error naming {@code what}. */
  public static Address parse(String text, String what) {
    if (text.equals("local")) {
      return LOCAL;
    }
    if (!text.startsWith("ssh://")) {
      throw new UsageException("%s: address '%s' is neither 'local' nor ssh://[user@]host[:port]", what, text);
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new UsageException("%s: address '%s' is no ssh://[user@]host[:port] (%s)", what, text, e.getReason());
    }
    String host = uri.getHost();
    String path = Optional.ofNullable(uri.getRawPath()).orElse("");
    if (host == null || !(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new UsageException("%s: address '%s' is no ssh://[user@]host[:port]", what, text);
    }
    String user = uri.getUserInfo();
    if (user != null && (user.isEmpty() || user.startsWith("-") || user.contains(":"))) {
      throw new UsageException("%s: address '%s' has no usable user name", what, text);
    }
    if (host.startsWith("-")) {
      throw new UsageException("%s: address '%s' has no usable host name", what, text);
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new UsageException("%s: address '%s' has no usable port (1 to 65535)", what, text);
    }
    // an IPv6 address is bracketed in a URI, but ssh takes "[::1]" for a name to resolve
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Address(user, host, Math.max(uri.getPort(), 0));
  }

  public boolean isLocal() {
    return host == null;
  }

  /** ssh's destination argument: {@code user@host} or {@code host}. */
  public String destination() {
    return user == null ? host : user + "@" + host;
  }

  @Override
  public String toString() {
    if (isLocal()) {
      return "local";
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "ssh://" + (user == null ? "" : user + "@") + h + (port == 0 ? "" : ":" + port);
  }
}
