package dev.comments.query.audit;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.mongodb.client.MongoCursor;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentPosted;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.codec.EventCodec;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.AuditEntry;
import dev.comments.query.AuditLog;
import dev.comments.query.AuditQuery;
import dev.comments.query.CommentRevision;
import dev.comments.query.thread.MediaShown;
import dev.comments.query.thread.ThreadReplay;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bson.Document;

/**
 * Answers the audit log from the node's audit projection, whichever generation of it is live
 * ({@code store} is asked on every call, so a rebuild's swap takes effect at once).
 */
public final class MongoAuditLog implements AuditLog {
  /** Entries a cursor fetches per round trip. */
  static final int BATCH = 500;

  private final Supplier<AuditStore> store;
  private final MediaShown media;
  private final EventCodec codec = new EventCodec();

  /**
   * @param media how a replayed page shows the media its comments name: as the node's catalogue
   *     knows them, the same as a live page
   */
  public MongoAuditLog(Supplier<AuditStore> store, MediaShown media) {
    this.store = Objects.requireNonNull(store, "store");
    this.media = Objects.requireNonNull(media, "media");
  }

  @Override
  public void stream(AuditQuery query, ReadPreference readPreference, Consumer<AuditEntry> sink) {
    try (MongoCursor<Document> cursor = store.get().find(query, BATCH, readPreference)) {
      while (cursor.hasNext()) {
        sink.accept(AuditProjection.entryOf(codec, envelopeOf(cursor.next())));
      }
    }
  }

  @Override
  public Optional<ThreadPage> threadAsOf(
      FindThreadComments query, Instant asOf, ReadPreference readPreference) {
    ThreadReplay replay = new ThreadReplay(query.threadId());
    replay(query.threadId(), asOf, readPreference, replay::apply);
    return replay.page(query, media, readPreference);
  }

  @Override
  public Optional<List<CommentRevision>> commentHistory(
      ThreadId thread, String commentId, ReadPreference readPreference) {
    List<CommentRevision> revisions = new ArrayList<>();
    replay(
        thread,
        Instant.MAX,
        readPreference,
        envelope -> {
          String text = null;
          String actor;
          switch (envelope.event()) {
            case CommentPosted p when p.commentId().equals(commentId) -> {
              text = p.text();
              actor = p.author().id();
            }
            case CommentEdited e when e.commentId().equals(commentId) -> {
              text = e.text();
              actor = e.editorId();
            }
            case CommentDeleted d when d.commentId().equals(commentId) -> actor = d.deletedBy();
            default -> {
              return;
            }
          }
          String before = revisions.isEmpty() ? null : revisions.getLast().text();
          revisions.add(
              new CommentRevision(
                  envelope.seq(),
                  envelope.time(),
                  AuditProjection.entryOf(codec, envelope).type(),
                  actor,
                  text,
                  revisions.isEmpty() ? List.of() : diff(before, text)));
        });
    return revisions.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(revisions));
  }

  @Override
  public Optional<AuditEntry> entry(ThreadId thread, long seq, ReadPreference readPreference) {
    return Optional.ofNullable(store.get().at(thread, seq, readPreference))
        .map(doc -> AuditProjection.entryOf(codec, envelopeOf(doc)));
  }

  /**
   * Hands the thread's events up to {@code until} to {@code step}, in seq order, reading them by
   * key a batch at a time; stops at the first event after {@code until} or the first seq missing.
   */
  private void replay(
      ThreadId thread, Instant until, ReadPreference readPreference, Consumer<EventEnvelope> step) {
    AuditStore current = store.get();
    long next = 0;
    while (true) {
      List<org.bson.Document> batch =
          current.range(thread, next, AuditStore.KEYS_PER_READ, readPreference);
      for (Document doc : batch) {
        if (AuditStore.seqOf(doc) != next) {
          return;
        }
        EventEnvelope envelope = envelopeOf(doc);
        if (envelope.time().isAfter(until)) {
          return;
        }
        step.accept(envelope);
        next++;
      }
      if (batch.size() < AuditStore.KEYS_PER_READ) {
        return;
      }
    }
  }

  private EventEnvelope envelopeOf(Document doc) {
    return codec.decode(doc.getString(AuditStore.ENVELOPE).getBytes(StandardCharsets.UTF_8));
  }

  /** A unified diff of two texts, line by line; a removal diffs against nothing. */
  static List<String> diff(String before, String after) {
    List<String> from = lines(before);
    List<String> to = lines(after);
    return UnifiedDiffUtils.generateUnifiedDiff(
        "before", "after", from, DiffUtils.diff(from, to), 3);
  }

  private static List<String> lines(String text) {
    return text == null ? List.of() : List.of(text.split("\n", -1));
  }
}
