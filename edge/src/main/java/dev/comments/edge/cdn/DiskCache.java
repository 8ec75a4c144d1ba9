package dev.comments.edge.cdn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CDN's files on disk, {@code <dir>/<tenant>/<mediaId>}, with an index in memory that keeps
 * them within a byte budget by evicting the least recently used. A file appears only whole: it is
 * written as {@code .part} beside it and moved into place once complete, so a crash or a failed
 * fetch never leaves a partial file under an item's name; leftover parts are deleted at start. At
 * start the index is rebuilt from the directory, oldest file first, so the cache survives a
 * restart; what each file is (type, hash) is asked of the catalogue again on its first hit.
 *
 * <p>Strict LRU in an access-ordered {@link LinkedHashMap} under one lock, not Caffeine: Caffeine's
 * W-TinyLFU may refuse to admit a new item, which here was already fetched across the ocean and
 * must be kept, and the operator's budget is easiest to reason about as plain LRU. An evicted or
 * purged file is deleted at once; a reader that opened it keeps reading (POSIX).
 */
public final class DiskCache {
  private static final Logger log = LoggerFactory.getLogger(DiskCache.class);
  static final String PART = ".part";

  /** What is known of a cached file; {@code meta} is null until the catalogue confirmed it. */
  public static final class Entry {
    private final Path file;
    private final long size;
    private volatile Meta meta;
    private volatile MappedByteBuffer mapped;

    Entry(Path file, long size, Meta meta) {
      this.file = file;
      this.size = size;
      this.meta = meta;
    }

    public Path file() {
      return file;
    }

    public long size() {
      return size;
    }

    public Meta meta() {
      return meta;
    }

    void confirm(Meta confirmed) {
      this.meta = confirmed;
    }

    /**
     * The file's bytes, mapped read-only on first use and shared by every later reader (each gets
     * its own view). A cached file is never written again (it appears whole, by a move, and is only
     * ever deleted), so the mapping stays whole; it outlives a deletion, as an open file does.
     *
     * @throws NoSuchFileException when the file was deleted before its first use
     */
    public ByteBuffer bytes() throws IOException {
      MappedByteBuffer held = mapped;
      if (held == null) {
        if (size > Integer.MAX_VALUE) {
          throw new IOException(file + " is too large to map: " + size + " bytes");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
          held = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        // Two first readers may both map: the second mapping is dropped, and both are right.
        mapped = held;
      }
      return held.duplicate();
    }
  }

  /** How a cached item is served. */
  public record Meta(String contentType, String contentHash) {}

  private final Path dir;
  private final long budget;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;

  public DiskCache(Path dir, long budget) {
    this.dir = dir;
    this.budget = budget;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the CDN cache " + dir, e);
    }
    load();
  }

  /** The entry of {@code tenant/mediaId}, now the most recently used; empty on a miss. */
  public synchronized Optional<Entry> get(String tenant, String mediaId) {
    return Optional.ofNullable(entries.get(key(tenant, mediaId)));
  }

  synchronized boolean contains(String tenant, String mediaId) {
    return entries.containsKey(key(tenant, mediaId));
  }

  /** A new, empty part file for filling {@code tenant/mediaId}. */
  Path newPart(String tenant, String mediaId) throws IOException {
    Path tenantDir = dir.resolve(tenant);
    Files.createDirectories(tenantDir);
    return tenantDir.resolve("." + mediaId + "." + UUID.randomUUID() + PART);
  }

  /** Moves a complete part into place and indexes it; then evicts beyond the budget. */
  void commit(String tenant, String mediaId, Path part, long size, Meta meta) throws IOException {
    Path file = dir.resolve(tenant).resolve(mediaId);
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    List<Path> evicted = new ArrayList<>();
    synchronized (this) {
      Entry old = entries.put(key(tenant, mediaId), new Entry(file, size, meta));
      if (old != null) {
        bytes -= old.size();
      }
      bytes += size;
      Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
      while (bytes > budget && eldest.hasNext()) {
        Map.Entry<String, Entry> next = eldest.next();
        if (next.getKey().equals(key(tenant, mediaId))) {
          continue;
        }
        eldest.remove();
        bytes -= next.getValue().size();
        evicted.add(next.getValue().file());
      }
    }
    evicted.forEach(DiskCache::deleteQuietly);
  }

  /** Forgets an item and deletes its file (moderation removed it). */
  public void purge(String tenant, String mediaId) {
    Entry removed;
    synchronized (this) {
      removed = entries.remove(key(tenant, mediaId));
      if (removed != null) {
        bytes -= removed.size();
      }
    }
    if (removed != null) {
      deleteQuietly(removed.file());
    }
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int size() {
    return entries.size();
  }

  private void load() {
    record Found(String tenant, String mediaId, Path file, long size, long modified) {}
    List<Found> found = new ArrayList<>();
    try (DirectoryStream<Path> tenants = Files.newDirectoryStream(dir)) {
      for (Path tenantDir : tenants) {
        if (!Files.isDirectory(tenantDir)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tenantDir)) {
          for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.startsWith(".") || name.endsWith(PART)) {
              deleteQuietly(file);
              continue;
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            found.add(
                new Found(
                    tenantDir.getFileName().toString(),
                    name,
                    file,
                    attributes.size(),
                    attributes.lastModifiedTime().toMillis()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CDN cache " + dir, e);
    }
    found.sort(Comparator.comparingLong(Found::modified));
    for (Found f : found) {
      entries.put(key(f.tenant(), f.mediaId()), new Entry(f.file(), f.size(), null));
      bytes += f.size();
    }
    Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
    while (bytes > budget && eldest.hasNext()) {
      Entry e = eldest.next().getValue();
      eldest.remove();
      bytes -= e.size();
      deleteQuietly(e.file());
    }
    log.info("CDN cache {}: {} files, {} bytes of {}", dir, entries.size(), bytes, budget);
  }

  private static String key(String tenant, String mediaId) {
    return tenant + "/" + mediaId;
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (NoSuchFileException e) {
      // Gone already.
    } catch (IOException e) {
      log.warn("cannot delete {}", file, e);
    }
  }
}
