package dev.comments.infra.dev;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;

/**
 * The key type of the embedded store's unique indexes: H2's {@link ObjectDataType}, with index keys
 * compared by their values and written as BSON, instead of Java serialization for both.
 *
 * <p>mongo-java-server's index key ({@link KeyValue}) is not {@link Comparable}, so H2 orders it by
 * its Java-serialized bytes: every step of every B-tree search serialized two keys, and every
 * commit serialized the keys of each page it wrote. A profile of 32 writers found most of the
 * store's allocation there (docs/benchmarks.md). This order makes the same keys equal, those whose
 * values are of the same classes and equal, and the embedded store only looks keys up by equality;
 * the order itself is new, so a file ordered the old way is refused before it is opened ({@link
 * DurableH2Backend}).
 */
final class IndexKeyType extends ObjectDataType {
  /** The first byte of a key written here: a BSON array of the key's values, or H2's own form. */
  private static final byte BSON_KEY = 1;

  private static final byte H2_FORM = 0;
  private static final String VALUES = "k";

  @Override
  public int compare(Object a, Object b) {
    if (a instanceof KeyValue left && b instanceof KeyValue right) {
      return compareElements(left.iterator(), right.iterator());
    }
    return super.compare(a, b);
  }

  @Override
  public void write(WriteBuffer buffer, Object key) {
    if (key instanceof KeyValue values) {
      ByteBuf bson = Unpooled.buffer(64);
      try {
        BsonEncoder.encodeDocument(Map.of(VALUES, values.stream().toList()), bson);
        buffer.put(BSON_KEY);
        buffer.put(bson.array(), bson.arrayOffset() + bson.readerIndex(), bson.readableBytes());
        return;
      } catch (RuntimeException notBson) {
        // A value the wire codec has no type for: written in H2's own form below.
      } finally {
        bson.release();
      }
    }
    buffer.put(H2_FORM);
    super.write(buffer, key);
  }

  @Override
  public Object read(ByteBuffer buffer) {
    if (buffer.get() == H2_FORM) {
      return super.read(buffer);
    }
    Document document = BsonDocumentType.INSTANCE.read(buffer);
    return new KeyValue((List<?>) document.get(VALUES));
  }

  private static int compareValues(Object a, Object b) {
    if (a == b) {
      return 0;
    }
    if (a == null || b == null) {
      return a == null ? -1 : 1;
    }
    if (a.getClass() != b.getClass()) {
      return a.getClass().getName().compareTo(b.getClass().getName());
    }
    return switch (a) {
      case List<?> list -> compareElements(list.iterator(), ((List<?>) b).iterator());
      case Map<?, ?> map -> compareEntries(map, (Map<?, ?>) b);
      case byte[] bytes -> Arrays.compare(bytes, (byte[]) b);
      case Comparable<?> comparable -> compareComparable(comparable, b);
      // Anything else falls back to H2's own order, the serialized bytes, as before.
      default -> SERIALIZED.compare(a, b);
    };
  }

  @SuppressWarnings("unchecked")
  private static int compareComparable(Comparable<?> a, Object b) {
    return ((Comparable<Object>) a).compareTo(b);
  }

  private static int compareElements(Iterator<?> a, Iterator<?> b) {
    while (a.hasNext() && b.hasNext()) {
      int c = compareValues(a.next(), b.next());
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(a.hasNext(), b.hasNext());
  }

  /** Field by field in the documents' order, as their serialized bytes were compared. */
  private static int compareEntries(Map<?, ?> a, Map<?, ?> b) {
    Iterator<? extends Map.Entry<?, ?>> left = a.entrySet().iterator();
    Iterator<? extends Map.Entry<?, ?>> right = b.entrySet().iterator();
    while (left.hasNext() && right.hasNext()) {
      Map.Entry<?, ?> l = left.next();
      Map.Entry<?, ?> r = right.next();
      int c = compareValues(l.getKey(), r.getKey());
      if (c == 0) {
        c = compareValues(l.getValue(), r.getValue());
      }
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(left.hasNext(), right.hasNext());
  }

  private static final ObjectDataType SERIALIZED = new ObjectDataType();
}
