package dev.comments.infra.dev;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.DocumentWithPosition;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The H2 backend of mongo-java-server, committed by group commit, with no background commit.
 *
 * <p>MVStore's own background commit (about once a second) did not keep the order of writes across
 * collections: the cluster test that kills a replica during 2,000 writes found, after the restart,
 * a projection whose thread document claimed events whose comments, written before it, were gone.
 * Here a write command is answered only after a commit that started after it was applied, so what
 * survives a kill is a prefix of the writes in the order they were applied, holding every
 * acknowledged one, for the event store and the projections alike. Concurrent writes share a commit
 * ({@link GroupCommit}). A write that asks for {@code j: false} in its write concern is answered
 * before the commit, as MongoDB answers it before its journal: the projection's batch writes do,
 * and the offsets write that ends the batch waits for the commit that holds the whole batch. It
 * survives the death of the process, not of the machine: there is no fsync, one reason production
 * uses MongoDB.
 *
 * <p>Documents are stored as BSON ({@link BsonDocumentType}), not with H2's default Java
 * serialization, and index keys are compared by value ({@link IndexKeyType}), not by their
 * serialized bytes. A file written the old way is refused with a message, not misread.
 */
final class DurableH2Backend extends H2Backend {
  private static final Set<String> WRITES =
      Set.of(
          "insert",
          "update",
          "delete",
          "findandmodify",
          "create",
          "createindexes",
          "drop",
          "dropdatabase",
          "dropindexes",
          "renamecollection");

  /** Map of this file's format, and the value that says documents are BSON. */
  private static final String FORMAT_MAP = "comments.format";

  private static final String DOCUMENTS = "documents";
  private static final String BSON = "bson";

  /** The prefix of mongo-java-server's map of a collection's documents, by namespace. */
  private static final String DATA_MAP_PREFIX = "databases.";

  private final GroupCommit commits;

  DurableH2Backend(String fileName) {
    this(checkFormat(new MVStore.Builder().fileName(fileName).autoCommitDisabled().open()));
  }

  private DurableH2Backend(MVStore store) {
    super(store);
    this.commits = new GroupCommit(store::commit, "h2-group-commit");
  }

  /**
   * Marks a new file as holding BSON documents, and refuses a file of an earlier build, whose
   * documents are Java-serialized: opening its maps with the BSON type would misread them.
   */
  private static MVStore checkFormat(MVStore store) {
    Map<String, String> format = store.openMap(FORMAT_MAP);
    if (!BSON.equals(format.get(DOCUMENTS))) {
      if (store.getMapNames().stream().anyMatch(name -> name.startsWith(DATA_MAP_PREFIX))) {
        String file = store.getFileStore().getFileName();
        store.closeImmediately(); // writes nothing: the file stays as the earlier build left it
        throw new IllegalStateException(
            "the embedded store "
                + file
                + " was written by an earlier build, in a format this one does not read;"
                + " remove its data directory (or use another --data-dir) and start again");
      }
      format.put(DOCUMENTS, BSON);
      store.commit();
    }
    return store;
  }

  /** Also called by H2Backend's constructor, for each database the file holds, before ours runs. */
  @Override
  protected MongoDatabase openOrCreateDatabase(String databaseName) {
    MVStore store = getMvStore();
    return new H2Database(databaseName, store, getCursorRegistry()) {
      @Override
      protected MongoCollection<Object> openOrCreateCollection(
          String collectionName, CollectionOptions options) {
        String namespace = getFullCollectionNamespace(collectionName);
        MVMap<Object, Document> documents =
            store.openMap(
                DATA_MAP_PREFIX + namespace,
                new MVMap.Builder<Object, Document>().valueType(BsonDocumentType.INSTANCE));
        MVMap<String, Object> meta = store.openMap("meta." + namespace);
        return new H2Collection(this, collectionName, options, documents, meta, cursorRegistry) {
          /*
           * Private copies in and out of the map. mongo-java-server updates a document in place
           * (it removes and puts its fields), and its callers may change a document after adding
           * it, while H2 encodes the documents of every changed page on the committer's thread: a
           * shared document changing shape under the encoder broke the commit and closed the
           * store for good (StoredFormatIT). A copy in the map is never touched again.
           */
          @Override
          protected Object addDocumentInternal(Document document) {
            return super.addDocumentInternal(document.cloneDeeply());
          }

          @Override
          protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
            super.handleUpdate(position, oldDocument, newDocument.cloneDeeply());
          }

          @Override
          protected Document getDocument(Object position) {
            Document stored = super.getDocument(position);
            return stored == null ? null : stored.cloneDeeply();
          }

          @Override
          protected Stream<DocumentWithPosition<Object>> streamAllDocumentsWithPosition() {
            return super.streamAllDocumentsWithPosition()
                .map(
                    d ->
                        new DocumentWithPosition<>(d.getDocument().cloneDeeply(), d.getPosition()));
          }

          /**
           * A filter that pins {@code _id} by equality, alone or beside other conditions (at the
           * top level or as a term of a top-level {@code $and}), is answered from the {@code _id}
           * index and the rest checked on that one document, as MongoDB does. mongo-java-server
           * uses an index only for a filter that is exactly its keys, and scanned the collection
           * for the others: the completion of an idempotency key, for one.
           */
          @Override
          protected QueryResult queryDocuments(
              Document query,
              Document orderBy,
              int numberToSkip,
              int limit,
              int batchSize,
              Document fieldSelector) {
            Document byId = pinnedId(query);
            if (byId != null) {
              for (Index<Object> index : getIndexes()) {
                if (index.canHandle(byId)) {
                  return matchDocuments(
                      query,
                      index.getPositions(byId),
                      orderBy,
                      numberToSkip,
                      limit,
                      batchSize,
                      fieldSelector);
                }
              }
            }
            return super.queryDocuments(
                query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
          }
        };
      }

      /**
       * Opens the index's map with {@link IndexKeyType} first: mongo-java-server then opens it by
       * name, and MVStore hands it the map already open, with that key type.
       */
      @Override
      protected Index<Object> openOrCreateUniqueIndex(
          String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        store.openMap(
            getFullCollectionNamespace(collectionName) + "._index_" + indexName,
            new MVMap.Builder<>().keyType(new IndexKeyType()));
        return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
      }
    };
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    boolean write = WRITES.contains(command.toLowerCase(Locale.ROOT));
    try {
      return super.handleCommand(channel, database, command, query);
    } finally {
      if (write && !unjournaled(query)) {
        commits.awaitCommit();
      }
    }
  }

  /** Writes that waited for a commit, and the commits that held them. */
  GroupCommit.Counts commitCounts() {
    return commits.counts();
  }

  @Override
  public void close() {
    commits.close();
    super.close();
  }

  /**
   * {@code {_id: value}} when the query pins {@code _id} to a plain value beside other conditions,
   * else null (a query of {@code _id} alone is already answered from the index).
   */
  private static Document pinnedId(Document query) {
    if (query.size() > 1 && isPlain(query.get("_id"))) {
      return new Document("_id", query.get("_id"));
    }
    if (query.size() == 1 && query.get("$and") instanceof List<?> terms) {
      for (Object term : terms) {
        if (term instanceof Document t && t.size() == 1 && isPlain(t.get("_id"))) {
          return new Document("_id", t.get("_id"));
        }
      }
    }
    return null;
  }

  /** A value that {@code _id} equals, not an operator document ({@code {$gt: ...}}) or absent. */
  private static boolean isPlain(Object value) {
    return value != null
        && !(value instanceof Document d && d.keySet().stream().anyMatch(k -> k.startsWith("$")));
  }

  private static boolean unjournaled(Document query) {
    return query.get("writeConcern") instanceof Document concern
        && Boolean.FALSE.equals(concern.get("j"));
  }
}
