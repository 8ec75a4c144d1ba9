package dev.comments.infra.dev;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.Map;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

/**
 * Stores the embedded store's documents in H2 as BSON, with mongo-java-server's own wire codec,
 * instead of H2's default of Java serialization.
 *
 * <p>An MVStore commit writes every page that changed, and a page holds many documents: a profile
 * of 32 writers posting comments found the committer spending most of its time in {@code
 * ObjectOutputStream} on those pages (docs/benchmarks.md). The wire codec is the one every document
 * already goes through on its way in and out of the server, so it handles every value the server
 * can hold, and it is several times cheaper.
 */
final class BsonDocumentType extends BasicDataType<Document> {
  static final BsonDocumentType INSTANCE = new BsonDocumentType();

  private BsonDocumentType() {}

  /**
   * An estimate of the document's size. MVStore splits a page once the sizes of its entries add up
   * to its split size, so a fair estimate keeps large documents (a bucket of 100 comments) in pages
   * of their own: a commit then encodes the documents that changed, not every neighbour sharing
   * their page.
   */
  @Override
  public int getMemory(Document document) {
    return (int) Math.min(Integer.MAX_VALUE, sizeOf(document));
  }

  private static long sizeOf(Object value) {
    return switch (value) {
      case null -> 8;
      case String s -> 24 + s.length();
      case Map<?, ?> map -> {
        long size = 48;
        for (Map.Entry<?, ?> field : map.entrySet()) {
          size += sizeOf(field.getKey()) + sizeOf(field.getValue());
        }
        yield size;
      }
      case Collection<?> list -> {
        long size = 32;
        for (Object element : list) {
          size += sizeOf(element);
        }
        yield size;
      }
      case byte[] bytes -> 16 + bytes.length;
      default -> 24;
    };
  }

  @Override
  public void write(WriteBuffer buffer, Document document) {
    ByteBuf bson = Unpooled.buffer(256);
    try {
      BsonEncoder.encodeDocument(document, bson);
      buffer.put(bson.array(), bson.arrayOffset() + bson.readerIndex(), bson.readableBytes());
    } finally {
      bson.release();
    }
  }

  @Override
  public Document read(ByteBuffer buffer) {
    // A BSON document starts with its whole length, little-endian, the length field included.
    int length = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt();
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bytes));
  }

  @Override
  public Document[] createStorage(int size) {
    return new Document[size];
  }
}
