package dev.comments.edge.widget;

import dev.comments.edge.http.ApiException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The embeddable widget's files, read once from {@code widget/} on the classpath and held in memory
 * (plain and gzipped), so they are answered on the IO thread. The bundle ({@code live.js} then
 * {@code widget.js}) is served under a name holding its hash and cached for a year; the small
 * loader {@code embed.js}, which names the current bundle, is cached for minutes, so a release
 * reaches every page within that time while the bundle itself is fetched once.
 */
public final class WidgetAssets {
  public static final String ROUTE = "/widget/v1/{asset}";
  public static final String LOADER = "embed.js";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String SHORT = "public, max-age=300";
  static final String JAVASCRIPT = "text/javascript; charset=utf-8";

  /**
   * The demo page's own policy, as strict as a careful host's: the widget needs only its script and
   * its API (and websocket) on this origin; its styles are constructed, not inline.
   */
  static final String DEMO_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Map<String, Asset> assets;
  private final Asset demo;
  private final String bundleName;

  private WidgetAssets(Map<String, Asset> assets, Asset demo, String bundleName) {
    this.assets = assets;
    this.demo = demo;
    this.bundleName = bundleName;
  }

  /** Reads and hashes the files; a missing one is a packaging mistake and stops the node. */
  public static WidgetAssets load() {
    byte[] bundle = concat(read("live.js"), read("widget.js"));
    String bundleName = "embed." + hash(bundle) + ".js";
    byte[] loader =
        new String(read("embed.js"), StandardCharsets.UTF_8)
            .replace("__BUNDLE__", bundleName)
            .getBytes(StandardCharsets.UTF_8);
    return new WidgetAssets(
        Map.of(
            bundleName,
            new Asset(bundle, JAVASCRIPT, IMMUTABLE),
            LOADER,
            new Asset(loader, JAVASCRIPT, SHORT),
            "demo.css",
            new Asset(read("demo.css"), "text/css; charset=utf-8", SHORT)),
        new Asset(read("demo.html"), "text/html; charset=utf-8", "no-cache"),
        bundleName);
  }

  /** The bundle's current name, {@code embed.<hash>.js}. */
  public String bundleName() {
    return bundleName;
  }

  /** The bundle's size gzipped: the widget promises to stay small. */
  public int bundleGzippedBytes() {
    return assets.get(bundleName).gzipped().length;
  }

  /** {@code GET /widget/v1/{asset}}. */
  public HttpHandler files() {
    return exchange -> {
      String name =
          exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("asset");
      Asset asset = assets.get(name);
      if (asset == null) {
        throw ApiException.notFound("not_found", "no such widget file");
      }
      send(exchange, asset);
    };
  }

  /** {@code GET /}: an article with the widget on it, for trying the node out. */
  public HttpHandler demoPage() {
    return exchange -> {
      exchange
          .getResponseHeaders()
          .put(HttpString.tryFromString("Content-Security-Policy"), DEMO_POLICY);
      send(exchange, demo);
    };
  }

  private static void send(HttpServerExchange exchange, Asset asset) {
    var headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, asset.contentType());
    headers.put(Headers.CACHE_CONTROL, asset.cacheControl());
    headers.put(HttpString.tryFromString("X-Content-Type-Options"), "nosniff");
    headers.put(Headers.VARY, "Accept-Encoding");
    String accepted = exchange.getRequestHeaders().getFirst(Headers.ACCEPT_ENCODING);
    byte[] body = asset.plain();
    if (accepted != null && accepted.contains("gzip")) {
      headers.put(Headers.CONTENT_ENCODING, "gzip");
      body = asset.gzipped();
    }
    headers.put(Headers.CONTENT_LENGTH, body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  private static byte[] read(String name) {
    try (InputStream in = WidgetAssets.class.getResourceAsStream("/widget/" + name)) {
      if (in == null) {
        throw new IllegalStateException("widget/" + name + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static String hash(byte[] bytes) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Asset(byte[] plain, byte[] gzipped, String contentType, String cacheControl) {
    Asset(byte[] plain, String contentType, String cacheControl) {
      this(plain, gzip(plain), contentType, cacheControl);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
