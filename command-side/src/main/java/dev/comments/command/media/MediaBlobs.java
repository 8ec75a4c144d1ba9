package dev.comments.command.media;

import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.in;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import dev.comments.command.MediaCommands.StoredFile;
import dev.comments.events.ReadPreference;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.bson.Document;
import org.bson.types.Binary;

/**
 * The origin's copy of every uploaded image, in GridFS's layout ({@code files} and {@code chunks}
 * of {@value #CHUNK_SIZE} bytes, each chunk {@code {files_id, n, data}}) but keyed so that every
 * read is by {@code _id}: a chunk's {@code _id} is {@code tenant/mediaId/n}. GridFS itself reads a
 * file's chunks with {@code {files_id: …}} sorted by {@code n}, which mongo-java-server answers by
 * scanning every chunk of every file. The file document is written last: it marks a complete
 * upload; chunks without one (an upload refused or cut) are deleted by the uploader.
 *
 * <ul>
 *   <li>{@value #FILES}: {@code _id} {@code tenant/mediaId}, {@code length}, {@code chunkSize},
 *       {@code contentType}, {@code contentHash}, {@code uploadedAt}
 *   <li>{@value #CHUNKS}: {@code _id} {@code tenant/mediaId/n}, {@code files_id}, {@code n}, {@code
 *       data}
 * </ul>
 */
public final class MediaBlobs {
  public static final String FILES = "media_files";
  public static final String CHUNKS = "media_chunks";
  public static final int CHUNK_SIZE = 255 * 1024;

  /** Chunks fetched per round trip while streaming a file out: 2 MiB. */
  private static final int CHUNKS_PER_READ = 8;

  private final MongoCollection<Document> files;
  private final MongoCollection<Document> chunks;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;

  public MediaBlobs(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this.files = database.getCollection(FILES);
    this.chunks = database.getCollection(CHUNKS);
    this.readPreferences = readPreferences;
  }

  void writeChunk(String fileId, int n, byte[] data, int length) {
    byte[] copy = length == data.length ? data.clone() : java.util.Arrays.copyOf(data, length);
    chunks.insertOne(
        new Document("_id", fileId + "/" + n)
            .append("files_id", fileId)
            .append("n", n)
            .append("data", new Binary(copy)));
  }

  void complete(String fileId, long length, String contentType, String contentHash, long at) {
    files.insertOne(
        new Document("_id", fileId)
            .append("length", length)
            .append("chunkSize", CHUNK_SIZE)
            .append("contentType", contentType)
            .append("contentHash", contentHash)
            .append("uploadedAt", new java.util.Date(at)));
  }

  /** Deletes a file and its first {@code chunkCount} chunks, by key. */
  void delete(String fileId, int chunkCount) {
    files.deleteOne(eq("_id", fileId));
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < chunkCount; n++) {
      ids.add(fileId + "/" + n);
    }
    if (!ids.isEmpty()) {
      chunks.deleteMany(in("_id", ids));
    }
  }

  public Optional<StoredFile> find(String fileId, ReadPreference readPreference) {
    Document file =
        files
            .withReadPreference(readPreferences.apply(readPreference))
            .find(eq("_id", fileId))
            .first();
    return Optional.ofNullable(file)
        .map(
            f ->
                new StoredFile(
                    f.getString("contentType"),
                    f.getString("contentHash"),
                    f.get("length", Number.class).longValue()));
  }

  /** Deletes a complete file, whose chunk count its length says. */
  void deleteStored(String fileId, ReadPreference readPreference) {
    find(fileId, readPreference)
        .ifPresent(f -> delete(fileId, (int) ((f.length() + CHUNK_SIZE - 1) / CHUNK_SIZE)));
  }

  /** The bytes of a complete file, read a few chunks per round trip as the stream is read. */
  public InputStream open(String fileId, long length, ReadPreference readPreference) {
    MongoCollection<Document> reading =
        chunks.withReadPreference(readPreferences.apply(readPreference));
    return new ChunkStream(
        (int) ((length + CHUNK_SIZE - 1) / CHUNK_SIZE),
        (from, to) -> {
          List<String> ids = new ArrayList<>();
          for (int n = from; n < to; n++) {
            ids.add(fileId + "/" + n);
          }
          Map<Integer, byte[]> byN = new HashMap<>();
          for (Document chunk : reading.find(in("_id", ids))) {
            byN.put(chunk.getInteger("n"), chunk.get("data", Binary.class).getData());
          }
          List<byte[]> ordered = new ArrayList<>();
          for (int n = from; n < to; n++) {
            byte[] data = byN.get(n);
            if (data == null) {
              throw new IllegalStateException("chunk " + n + " of " + fileId + " is missing");
            }
            ordered.add(data);
          }
          return ordered;
        });
  }

  /** Chunks {@code [from, to)} in order. */
  @FunctionalInterface
  private interface ChunkReads {
    List<byte[]> read(int from, int to);
  }

  private static final class ChunkStream extends InputStream {
    private final int count;
    private final ChunkReads reads;
    private final List<byte[]> fetched = new ArrayList<>();
    private int next;
    private byte[] current = new byte[0];
    private int at;

    ChunkStream(int count, ChunkReads reads) {
      this.count = count;
      this.reads = reads;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (at >= current.length) {
        if (!fetched.isEmpty()) {
          current = fetched.removeFirst();
          at = 0;
          continue;
        }
        if (next >= count) {
          return -1;
        }
        int last = Math.min(count, next + CHUNKS_PER_READ);
        try {
          fetched.addAll(reads.read(next, last));
        } catch (RuntimeException e) {
          throw new IOException("cannot read the stored media: " + e.getMessage(), e);
        }
        next = last;
      }
      int n = Math.min(len, current.length - at);
      System.arraycopy(current, at, b, off, n);
      at += n;
      return n;
    }
  }
}
