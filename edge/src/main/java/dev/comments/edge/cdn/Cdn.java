package dev.comments.edge.cdn;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.ErrorMapping;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.ReadPreference;
import dev.comments.query.MediaCatalog;
import dev.comments.query.MediaView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ByteRange;
import io.undertow.util.ETag;
import io.undertow.util.ETagUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * {@code GET /cdn/v1/{tenant}/{mediaId}} on every node: a hit is answered from the {@link
 * DiskCache} on the IO thread (from the file's mapping, no copy per request); a miss asks the
 * node's {@link MediaCatalog} whether the item exists or was removed, then fetches it from the
 * {@link Origin} once however many requests miss together (single-flight: they all read the one
 * {@link Fill} as it grows). A fill whose origin fails or sends other bytes than the catalogue's
 * hash is dropped, never cached, and its readers' answers are cut, so a client never takes a
 * partial file for a whole one. Misses wait on virtual threads, so many at once cost no pool of
 * workers.
 */
public final class Cdn implements HttpHandler, AutoCloseable {
  public static final String ROUTE = "/cdn/v1/{tenant}/{mediaId}";

  /** Where an item is served, as pages and uploads name it: {@link #ROUTE} filled in. */
  public static String path(String tenant, String mediaId) {
    return "/cdn/v1/" + tenant + "/" + mediaId;
  }

  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  private static final HttpString NOSNIFF = HttpString.tryFromString("X-Content-Type-Options");
  private static final int PIECE = 64 * 1024;
  private static final Logger log = LoggerFactory.getLogger(Cdn.class);

  private final DiskCache cache;
  private final MediaCatalog catalog;
  private final Origin origin;
  private final ExecutorService misses = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Fill> inflight = new ConcurrentHashMap<>();
  private final AutoCloseable removals;
  private final Counter hits;
  private final Counter missCount;
  private final Counter originFetches;
  private final Counter originFailures;

  public Cdn(DiskCache cache, MediaCatalog catalog, Origin origin, MeterRegistry meters) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.origin = Objects.requireNonNull(origin, "origin");
    this.hits = Counter.builder("comments.cdn.hits").register(meters);
    this.missCount = Counter.builder("comments.cdn.misses").register(meters);
    this.originFetches =
        Counter.builder("comments.cdn.origin.fetches")
            .description("Items fetched from the origin")
            .register(meters);
    this.originFailures = Counter.builder("comments.cdn.origin.failures").register(meters);
    Gauge.builder("comments.cdn.cache.bytes", cache, DiskCache::bytes).register(meters);
    this.removals = catalog.onRemoved(cache::purge);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String tenant = PathParameters.tenant(exchange);
    String mediaId = PathParameters.mediaId(exchange);
    Optional<DiskCache.Entry> entry = cache.get(tenant, mediaId);
    if (entry.isPresent() && entry.get().meta() != null && serveFile(exchange, entry.get())) {
      hits.increment();
      return;
    }
    exchange.dispatch(
        misses,
        () -> {
          try {
            miss(exchange, tenant, mediaId);
          } catch (Exception e) {
            ErrorMapping.send(exchange, e);
          }
        });
  }

  /** How many origin fetches this node made: what single-flight keeps at one per item. */
  public double originFetches() {
    return originFetches.count();
  }

  @Override
  public void close() throws Exception {
    removals.close();
    misses.shutdownNow();
  }

  private void miss(HttpServerExchange exchange, String tenant, String mediaId) throws Exception {
    MediaView view =
        catalog
            .find(tenant, mediaId, ReadPreference.NEAREST)
            .orElseThrow(
                () -> ApiException.notFound("media_not_found", "there is no media " + mediaId));
    if (view.removed()) {
      cache.purge(tenant, mediaId);
      throw new ApiException(410, "media_removed", "this media was removed by moderation");
    }
    DiskCache.Meta meta = new DiskCache.Meta(view.contentType(), view.contentHash());
    Optional<DiskCache.Entry> entry = cache.get(tenant, mediaId);
    if (entry.isPresent()) {
      // A file kept from before a restart: the catalogue just vouched for it.
      entry.get().confirm(meta);
      if (serveFile(exchange, entry.get())) {
        hits.increment();
        return;
      }
    }
    missCount.increment();
    commonHeaders(exchange, meta);
    if (!ETagUtils.handleIfNoneMatch(exchange, new ETag(false, meta.contentHash()), false)) {
      notModified(exchange);
      return;
    }
    Fill fill = joinOrStart(tenant, mediaId, view, meta);
    if (fill == null) {
      DiskCache.Entry filled =
          cache.get(tenant, mediaId).orElseThrow(() -> new IllegalStateException("lost fill"));
      if (!serveFile(exchange, filled)) {
        throw new IllegalStateException("a fresh file vanished");
      }
      return;
    }
    stream(exchange, fill, view.size(), meta);
  }

  /** The fill of this item: joined if one runs, else started; null if the item is now cached. */
  private Fill joinOrStart(String tenant, String mediaId, MediaView view, DiskCache.Meta meta) {
    String key = tenant + "/" + mediaId;
    while (true) {
      Fill[] started = new Fill[1];
      Fill fill =
          inflight.computeIfAbsent(
              key,
              k -> {
                if (cache.contains(tenant, mediaId)) {
                  return null;
                }
                try {
                  started[0] = new Fill(cache.newPart(tenant, mediaId));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return started[0];
              });
      if (fill == null) {
        return null;
      }
      boolean joined = fill.join();
      if (started[0] != null) {
        misses.execute(() -> fill(key, tenant, mediaId, fill, view, meta));
        return fill;
      }
      if (joined) {
        return fill;
      }
      // A failed fill on its way out of the map: start or join the next one.
      Thread.onSpinWait();
    }
  }

  private void fill(
      String key, String tenant, String mediaId, Fill fill, MediaView view, DiskCache.Meta meta) {
    originFetches.increment();
    try (InputStream in = origin.open(tenant, mediaId)) {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] piece = new byte[PIECE];
      long total = 0;
      for (int n = in.read(piece); n >= 0; n = in.read(piece)) {
        total += n;
        if (total > view.size()) {
          throw new IOException("the origin sent more than " + view.size() + " bytes");
        }
        sha256.update(piece, 0, n);
        fill.append(ByteBuffer.wrap(piece, 0, n));
      }
      if (total != view.size()
          || !HexFormat.of().formatHex(sha256.digest()).equals(view.contentHash())) {
        throw new IOException("the origin sent other bytes than the catalogue's");
      }
      fill.sync();
      cache.commit(tenant, mediaId, fill.part(), total, meta);
      inflight.remove(key);
      fill.finished();
      // Removed while it was being fetched: the purge may have come before the commit.
      if (catalog
          .find(tenant, mediaId, ReadPreference.NEAREST)
          .map(MediaView::removed)
          .orElse(false)) {
        cache.purge(tenant, mediaId);
      }
    } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
      originFailures.increment();
      log.warn("CDN fill of {} failed: {}", key, e.toString());
      inflight.remove(key);
      fill.failed(e instanceof IOException io ? io : new IOException(e));
      DiskCache.deleteQuietly(fill.part());
    } finally {
      fill.leave();
    }
  }

  /** Streams a fill to one client as it grows; cuts the connection if the fill fails. */
  private void stream(HttpServerExchange exchange, Fill fill, long size, DiskCache.Meta meta) {
    try {
      long start = 0;
      long end = size - 1;
      ByteRange.RangeResponseResult range = range(exchange, size, meta);
      if (range != null) {
        if (range.getStatusCode() == 416) {
          unsatisfiable(exchange, size);
          return;
        }
        start = range.getStart();
        end = range.getEnd();
        exchange.setStatusCode(206);
        exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, range.getContentRange());
      }
      exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, end - start + 1);
      exchange.startBlocking();
      OutputStream out = exchange.getOutputStream();
      ByteBuffer piece = ByteBuffer.allocate(PIECE);
      long at = start;
      while (at <= end) {
        long written = fill.awaitBeyond(at);
        if (written <= at) {
          throw new IOException("the fill ended before " + (end + 1) + " bytes");
        }
        piece.clear();
        piece.limit((int) Math.min(PIECE, Math.min(written, end + 1) - at));
        int n = fill.read(piece, at);
        out.write(piece.array(), 0, n);
        at += n;
      }
      out.close();
    } catch (IOException e) {
      // Headers (and a length) are out: cutting the connection is how the client learns.
      exchange.setPersistent(false);
      IoUtils.safeClose(exchange.getConnection());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      IoUtils.safeClose(exchange.getConnection());
    } finally {
      fill.leave();
    }
  }

  /**
   * Answers from a cached file, on the thread it is called on (a hit: the IO thread, with no
   * hand-off); false if the file is gone (evicted or purged since the lookup), so the caller treats
   * it as a miss. The bytes come from the file's mapping ({@link DiskCache.Entry#bytes}), shared by
   * every request: the kernel's page cache, as a file server's sendfile would read, with no read
   * call and no worker per request. TLS encrypts from it; a range is a slice of it.
   */
  private boolean serveFile(HttpServerExchange exchange, DiskCache.Entry entry) {
    DiskCache.Meta meta = entry.meta();
    commonHeaders(exchange, meta);
    if (!ETagUtils.handleIfNoneMatch(exchange, new ETag(false, meta.contentHash()), false)) {
      notModified(exchange);
      return true;
    }
    ByteBuffer bytes;
    try {
      bytes = entry.bytes();
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long size = entry.size();
    ByteRange.RangeResponseResult range = range(exchange, size, meta);
    if (range != null) {
      if (range.getStatusCode() == 416) {
        unsatisfiable(exchange, size);
        return true;
      }
      bytes = bytes.slice((int) range.getStart(), (int) (range.getEnd() - range.getStart() + 1));
      exchange.setStatusCode(206);
      exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, range.getContentRange());
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.remaining());
    exchange.getResponseSender().send(bytes);
    return true;
  }

  private static ByteRange.RangeResponseResult range(
      HttpServerExchange exchange, long size, DiskCache.Meta meta) {
    String header = exchange.getRequestHeaders().getFirst(Headers.RANGE);
    if (header == null) {
      return null;
    }
    ByteRange range = ByteRange.parse(header);
    if (range == null || range.getRanges() != 1) {
      // Malformed or several ranges: the whole item, as RFC 9110 allows.
      return null;
    }
    return range.getResponseResult(
        size,
        exchange.getRequestHeaders().getFirst(Headers.IF_RANGE),
        null,
        new ETag(false, meta.contentHash()).toString());
  }

  private static void commonHeaders(HttpServerExchange exchange, DiskCache.Meta meta) {
    HeaderMap headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, meta.contentType());
    headers.put(Headers.ETAG, new ETag(false, meta.contentHash()).toString());
    headers.put(Headers.CACHE_CONTROL, IMMUTABLE);
    headers.put(NOSNIFF, "nosniff");
    headers.put(Headers.ACCEPT_RANGES, "bytes");
  }

  private static void notModified(HttpServerExchange exchange) {
    exchange.setStatusCode(304);
    exchange.getResponseHeaders().remove(Headers.CONTENT_TYPE);
    exchange.endExchange();
  }

  private static void unsatisfiable(HttpServerExchange exchange, long size) {
    exchange.setStatusCode(416);
    exchange.getResponseHeaders().remove(Headers.CONTENT_TYPE);
    exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, "bytes */" + size);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
    exchange.endExchange();
  }
}
