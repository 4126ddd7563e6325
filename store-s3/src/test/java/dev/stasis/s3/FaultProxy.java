package dev.stasis.s3;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP/1.1 proxy for tests, on 127.0.0.1, in front of S3Mock (kopia's
 * {@code faulty.go}, on the wire): a test programs faults for the next requests that match a
 * predicate, and the proxy forwards everything else and remembers every request it received.
 * It works on raw sockets, so it can reset a connection half-way through a body.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(S3MockServer.endpoint())) {
 *   proxy.inject(Fault.SLOW_DOWN, 2, FaultProxy.uploadPart());
 *   S3Settings settings = S3MockServer.settings().withEndpoint(proxy.endpoint());
 *   ...
 * }
 * }</pre>
 */
public final class FaultProxy implements Closeable {
  /** What the proxy does to a request instead of forwarding it faithfully. */
  public enum Fault {
    /** 503 SlowDown with S3's XML error body; not forwarded. */
    SLOW_DOWN(503, "SlowDown", "Please reduce your request rate."),
    /** 500 InternalError with S3's XML error body; not forwarded. */
    INTERNAL_ERROR(500, "InternalError", "We encountered an internal error. Please try again."),
    /** 404 NoSuchKey, as a replica that does not serve a listed key yet; not forwarded. */
    NO_SUCH_KEY(404, "NoSuchKey", "The specified key does not exist."),
    /** 501 NotImplemented, as servers answer an operation they lack (s3rver: ListMultipartUploads); not forwarded. */
    NOT_IMPLEMENTED(501, "NotImplemented", "A parameter you provided implies functionality that is not implemented"),
    /** 403 InvalidAccessKeyId: a credential the server does not know; not forwarded. */
    UNKNOWN_ACCESS_KEY(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
    /** 403 SignatureDoesNotMatch: a wrong secret key; not forwarded. */
    BAD_SIGNATURE(403, "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided."),
    /** The request is read whole, then the connection is reset without a response; not forwarded. */
    RESET(false),
    /** The connection is reset half-way through the request body; not forwarded. */
    RESET_IN_REQUEST_BODY(false),
    /** Forwarded, then the connection is reset instead of the response: the server did it, the client cannot know. */
    LOSE_RESPONSE(true),
    /** Forwarded; the response's headers and half its body are sent, then the connection is reset. */
    RESET_IN_RESPONSE_BODY(true),
    /** One byte in the middle of the request body is flipped, then the request is forwarded. */
    CORRUPT_REQUEST_BODY(true),
    /**
     * One byte in the middle of the request body is flipped and the request is forwarded without
     * its checksum headers, so the server stores the damaged bytes: a server that checks nothing
     * (moto, s3rver) behind a hop that corrupts.
     */
    CORRUPT_REQUEST_BODY_UNCHECKED(true),
    /**
     * The body is forwarded in {@code aws-chunked} framing without the headers that say so, so the
     * server stores the framing with the bytes, as s3rver does with a chunked body.
     */
    STORE_FRAMED(true),
    /** Forwarded; the ListParts answer loses its parts' checksums, as moto's does. */
    STRIP_PART_CHECKSUMS(true),
    /** Forwarded; one byte in the middle of the response body is flipped on its way back. */
    CORRUPT_RESPONSE_BODY(true);

    /** Whether the request still reaches the server. */
    final boolean forwards;
    /** For a refusal: the status, S3 error code and message; 0 for the others. */
    final int status;
    final String code;
    final String message;

    Fault(boolean forwards) {
      this(forwards, 0, null, null);
    }

    Fault(int status, String code, String message) {
      this(false, status, code, message);
    }

    Fault(boolean forwards, int status, String code, String message) {
      this.forwards = forwards;
      this.status = status;
      this.code = code;
      this.message = message;
    }
  }

  /**
   * One request as the proxy received it.
   *
   * @param path the URL path, {@code /bucket/key} (path style)
   * @param query the raw query, empty when none
   * @param fault what the proxy did to it, empty when it forwarded it faithfully
   * @param status the status the client was sent, 0 when it got none
   */
  public record Request(String method, String path, String query, List<String[]> headers, int bodyLength,
      Optional<Fault> fault, int status) {
    Optional<String> header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst();
    }

    /** Whether the server saw it. */
    boolean forwarded() {
      return fault.map(f -> f.forwards).orElse(true);
    }

    Request answered(Optional<Fault> f, int code) {
      return new Request(method, path, query, headers, bodyLength, f, code);
    }
  }

  private record Rule(Fault fault, Predicate<Request> which, int[] left) {}

  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final List<Rule> rules = new ArrayList<>();
  private final List<Request> seen = new ArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private FaultProxy(ServerSocket server, InetSocketAddress upstream) {
    this.server = server;
    this.upstream = upstream;
  }

  /** A proxy on a free port of 127.0.0.1 forwarding to {@code upstream}, an {@code http://host:port} URL. */
  public static FaultProxy start(URI upstream) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultProxy proxy = new FaultProxy(server, new InetSocketAddress(upstream.getHost(), upstream.getPort()));
    Thread accept = new Thread(proxy::accept, "fault proxy " + server.getLocalPort());
    accept.setDaemon(true);
    accept.start();
    return proxy;
  }

  /** The URL clients use instead of the server's. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Applies {@code fault} to the next {@code times} requests matching {@code which}. */
  public synchronized void inject(Fault fault, int times, Predicate<Request> which) {
    rules.add(new Rule(fault, which, new int[] {times}));
  }

  /** Drops the faults not applied yet. */
  synchronized void heal() {
    rules.clear();
  }

  /** Every request received so far, in the order they arrived. */
  synchronized List<Request> requests() {
    return List.copyOf(seen);
  }

  /** How many requests matching {@code which} were received. */
  public synchronized long count(Predicate<Request> which) {
    return seen.stream().filter(which).count();
  }

  /** How many requests matching {@code which} reached the server. */
  synchronized long forwarded(Predicate<Request> which) {
    return seen.stream().filter(Request::forwarded).filter(which).count();
  }

  /** How many requests received the fault {@code fault}. */
  public synchronized long injected(Fault fault) {
    return seen.stream().filter(r -> r.fault().equals(Optional.of(fault))).count();
  }

  // ---- which requests, by S3 operation (path style: /bucket/key?query)

  public static Predicate<Request> putObject() {
    return r -> r.method().equals("PUT") && !r.query().contains("uploadId=") && r.header("x-amz-copy-source").isEmpty()
        && r.path().indexOf('/', 1) > 0;
  }

  public static Predicate<Request> uploadPart() {
    return r -> r.method().equals("PUT") && r.query().contains("partNumber=") && r.header("x-amz-copy-source").isEmpty();
  }

  public static Predicate<Request> getObject() {
    return r -> r.method().equals("GET") && r.path().indexOf('/', 1) > 0 && !r.query().contains("uploadId=")
        && !r.query().contains("uploads");
  }

  public static Predicate<Request> listParts() {
    return r -> r.method().equals("GET") && r.query().contains("uploadId=");
  }

  public static Predicate<Request> listUploads() {
    return r -> r.method().equals("GET") && ("&" + r.query() + "&").matches(".*&uploads(=[^&]*)?&.*");
  }

  public static Predicate<Request> listObjects() {
    return r -> r.method().equals("GET") && r.query().contains("list-type=2");
  }

  /** Requests on an object whose key ends with {@code suffix}. */
  public static Predicate<Request> keyEndsWith(String suffix) {
    return r -> r.path().endsWith(suffix);
  }

  // ---- the proxy

  private synchronized Optional<Fault> faultFor(Request r) {
    for (Rule rule : rules) {
      if (rule.left()[0] > 0 && rule.which().test(r)) {
        rule.left()[0]--;
        return Optional.of(rule.fault());
      }
    }
    return Optional.empty();
  }

  private synchronized void record(Request r) {
    seen.add(r);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        Thread t = new Thread(() -> serve(client), "fault proxy connection");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;  // closed
      }
    }
  }

  /** Serves one client connection, request after request (the SDK keeps connections alive). */
  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = new BufferedOutputStream(client.getOutputStream());
      while (true) {
        Head head = Head.read(in, true);
        if (head == null) {
          return;
        }
        String[] target = head.start.split(" ", 3);
        String uri = target[1];
        int q = uri.indexOf('?');
        Request request = new Request(target[0], q < 0 ? uri : uri.substring(0, q), q < 0 ? "" : uri.substring(q + 1),
            head.headers, head.length().orElse(0L).intValue(), Optional.empty(), 0);
        Optional<Fault> fault = faultFor(request);
        if (head.has("expect", "100-continue")) {
          out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
        }
        if (fault.equals(Optional.of(Fault.RESET_IN_REQUEST_BODY))) {
          in.readNBytes(request.bodyLength() / 2);
          record(request.answered(fault, 0));
          reset(client);
          return;
        }
        byte[] body = head.body(in);
        if (!serve(client, request, fault, body, out) || head.has("connection", "close")) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away, or the test closed the proxy
    } finally {
      open.remove(client);
    }
  }

  /**
   * Answers one request; false when the connection is gone. Each request is recorded before the
   * client hears anything, so a test that saw its call return finds it counted.
   */
  private boolean serve(Socket client, Request request, Optional<Fault> fault, byte[] body, OutputStream out)
      throws IOException {
    Fault f = fault.orElse(null);
    if (f == Fault.RESET) {
      record(request.answered(fault, 0));
      reset(client);
      return false;
    }
    if (f != null && f.status > 0) {
      refuse(request, f, out);
      return true;
    }
    Request sent = request;
    if ((f == Fault.CORRUPT_REQUEST_BODY || f == Fault.CORRUPT_REQUEST_BODY_UNCHECKED) && body.length > 0) {
      body[payloadMiddle(body, request.header("content-encoding").orElse(""))] ^= 0x01;
    }
    if (f == Fault.CORRUPT_REQUEST_BODY_UNCHECKED) {
      sent = unchecked(request, false);
    }
    if (f == Fault.STORE_FRAMED) {
      boolean chunked = request.header("content-encoding").orElse("").contains("aws-chunked");
      body = chunked ? body : framed(body);
      sent = unchecked(request, true);
    }
    Response response = forward(sent, body);
    if (f == Fault.STRIP_PART_CHECKSUMS) {
      response = new Response(response.status, response.head, new String(response.body, StandardCharsets.UTF_8)
          .replaceAll("<ChecksumSHA256>[^<]*</ChecksumSHA256>", "").getBytes(StandardCharsets.UTF_8));
    }
    if (f == Fault.LOSE_RESPONSE) {
      record(request.answered(fault, 0));
      reset(client);
      return false;
    }
    if (f == Fault.CORRUPT_RESPONSE_BODY && response.body.length > 0) {
      response.body[response.body.length / 2] ^= 0x01;
    }
    record(request.answered(fault, response.status));
    out.write(response.head(request.method()));
    if (f == Fault.RESET_IN_RESPONSE_BODY) {
      out.write(response.body, 0, response.body.length / 2);
      out.flush();
      reset(client);
      return false;
    }
    out.write(response.body);
    out.flush();
    return true;
  }

  /**
   * The request without what would let the server check or unframe its body: the checksum
   * headers, a signed payload hash, and with {@code unframed} the aws-chunked encoding headers.
   */
  private static Request unchecked(Request r, boolean unframed) {
    List<String[]> headers = new ArrayList<>();
    for (String[] h : r.headers()) {
      String name = h[0].toLowerCase(Locale.ROOT);
      boolean framing = name.equals("content-encoding") || name.equals("x-amz-decoded-content-length");
      if (name.startsWith("x-amz-checksum-") || name.equals("content-md5") || name.equals("x-amz-trailer")
          || name.equals("x-amz-sdk-checksum-algorithm") || unframed && framing) {
        continue;
      }
      if (name.equals("x-amz-content-sha256") && (unframed || !h[1].startsWith("STREAMING"))) {
        headers.add(new String[] {h[0], "UNSIGNED-PAYLOAD"});
      } else {
        headers.add(h);
      }
    }
    return new Request(r.method(), r.path(), r.query(), headers, r.bodyLength(), r.fault(), r.status());
  }

  /** {@code body} in the SDK's aws-chunked framing: one signed chunk, then the final empty one. */
  private static byte[] framed(byte[] body) {
    String signature = ";chunk-signature=" + "0".repeat(64) + "\r\n";
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes((Integer.toHexString(body.length) + signature).getBytes(StandardCharsets.ISO_8859_1));
    b.writeBytes(body);
    b.writeBytes(("\r\n0" + signature + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return b.toByteArray();
  }

  /** Answers as S3 does when it refuses: a status and an XML error (no body for HEAD). */
  private void refuse(Request request, Fault f, OutputStream out) throws IOException {
    int status = f.status;
    String code = f.code;
    String message = f.message;
    byte[] xml = request.method().equals("HEAD") ? new byte[0]
        : ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
            + "</Message><Resource>" + request.path() + "</Resource><RequestId>fault-proxy</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);
    record(request.answered(Optional.of(f), status));
    out.write(("HTTP/1.1 " + status + " " + code + "\r\nContent-Type: application/xml\r\nx-amz-request-id: fault-proxy"
        + "\r\nContent-Length: " + xml.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(xml);
    out.flush();
  }

  /** Sends the request to the server on a connection of its own, and reads the whole response. */
  private Response forward(Request request, byte[] body) throws IOException {
    try (Socket s = new Socket(upstream.getAddress(), upstream.getPort())) {
      StringBuilder head = new StringBuilder(request.method()).append(' ').append(request.path())
          .append(request.query().isEmpty() ? "" : "?" + request.query()).append(" HTTP/1.1\r\n");
      for (String[] h : request.headers()) {
        if (!Set.of("connection", "expect", "transfer-encoding", "content-length", "keep-alive")
            .contains(h[0].toLowerCase(Locale.ROOT))) {
          head.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
      }
      head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
      OutputStream up = new BufferedOutputStream(s.getOutputStream());
      up.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      up.write(body);
      up.flush();
      InputStream in = new BufferedInputStream(s.getInputStream());
      Head response;
      do {
        response = Head.read(in, false);
        if (response == null) {
          throw new EOFException("the server closed the connection without a response to " + request.path());
        }
      } while (response.status() / 100 == 1);
      int status = response.status();
      boolean bodiless = request.method().equals("HEAD") || status == 204 || status == 304;
      byte[] bytes = bodiless ? new byte[0]
          : response.length().isPresent() || response.has("transfer-encoding", "chunked") ? response.body(in)
          : in.readAllBytes();
      return new Response(status, response, bytes);
    }
  }

  /**
   * Where to flip a byte of the payload: in the middle, or, in an {@code aws-chunked} body (the
   * SDK signs chunks over plain HTTP), in the middle of the first chunk's data, not in its framing.
   */
  private static int payloadMiddle(byte[] body, String contentEncoding) {
    if (!contentEncoding.contains("aws-chunked")) {
      return body.length / 2;
    }
    int eol = 0;
    while (body[eol] != '\r') {
      eol++;
    }
    String size = new String(body, 0, eol, StandardCharsets.ISO_8859_1).split(";")[0];
    return eol + 2 + Integer.parseInt(size, 16) / 2;
  }

  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);  // close with RST, not FIN: "connection reset" for the peer
    socket.close();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }

  private record Response(int status, Head head, byte[] body) {
    /** The status line and headers for the client: the body is sent whole, with its length. */
    byte[] head(String method) {
      StringBuilder b = new StringBuilder(head.start).append("\r\n");
      boolean bodiless = method.equals("HEAD") || status == 204 || status == 304;
      for (String[] h : head.headers) {
        String name = h[0].toLowerCase(Locale.ROOT);
        if (name.equals("connection") || name.equals("keep-alive") || name.equals("transfer-encoding")
            || (!bodiless && name.equals("content-length"))) {
          continue;
        }
        b.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      if (!bodiless) {
        b.append("Content-Length: ").append(body.length).append("\r\n");
      }
      return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /** A request's or response's start line and headers. */
  private record Head(String start, List<String[]> headers) {
    /** Reads a head; null at the end of the stream before one began. */
    static Head read(InputStream in, boolean request) throws IOException {
      String start = line(in);
      while (start != null && start.isEmpty() && request) {
        start = line(in);  // tolerate a stray CRLF between requests
      }
      if (start == null) {
        return null;
      }
      List<String[]> headers = new ArrayList<>();
      for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
        int colon = l.indexOf(':');
        headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
      }
      return new Head(start, headers);
    }

    int status() {
      return Integer.parseInt(start.split(" ", 3)[1]);
    }

    boolean has(String name, String value) {
      return headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name) && h[1].equalsIgnoreCase(value));
    }

    Optional<Long> length() {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase("content-length")).map(h -> Long.parseLong(h[1]))
          .findFirst();
    }

    /** The body that follows: chunked, of a known length, or none. */
    byte[] body(InputStream in) throws IOException {
      if (has("transfer-encoding", "chunked")) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
          body.write(exactly(in, size));
          line(in);
        }
        for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
          // trailers are dropped: the proxy sends a length instead
        }
        return body.toByteArray();
      }
      return exactly(in, length().orElse(0L).intValue());
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new EOFException("body ended after " + b.length + " of " + n + " bytes");
      }
      return b;
    }

    private static String line(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int c; (c = in.read()) >= 0; ) {
        if (c == '\n') {
          byte[] b = line.toByteArray();
          int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
          return new String(b, 0, n, StandardCharsets.ISO_8859_1);
        }
        line.write(c);
      }
      return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
