package dev.comments.query.moderation;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import dev.comments.events.Author;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentEvent;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.ReadPreference;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.query.BannedUsers;
import dev.comments.query.InvalidCursorException;
import dev.comments.query.ModerationQueue;
import dev.comments.query.thread.MediaShown;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moderators' queue in the node's MongoDB ({@value #COLLECTION}, {@code _id} {@code
 * tenant/commentId}), written by the thread projection right after each event that concerns
 * moderation, and the one class that knows its field names. Every write sets absolute values or
 * adds to a set, so an event applied twice writes the same.
 *
 * <p>Reads filter by tenant and queue (and thread, author, text) and sort by the last change: off
 * the readers' path, a moderator's page. MongoDB answers them from the {@code {tenant, queue,
 * updatedAt}} index; the embedded store scans the collection, which holds only comments that ever
 * concerned a moderator.
 *
 * <p>While a tenant's queue has live subscribers, each write returns the document it left ({@code
 * findOneAndUpdate}, the same one round trip), which is delivered to them: a moderator's page
 * follows the queue without polling, and a tenant nobody watches pays nothing.
 */
public final class QueueStore implements ModerationQueue {
  public static final String COLLECTION = "moderation_queue";

  private static final Logger log = LoggerFactory.getLogger(QueueStore.class);

  private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);
  private static final UpdateOptions PLAIN = new UpdateOptions();
  private static final String NONE = "none";
  private static final String BANNED = "banned";

  private final MongoCollection<Document> queue;
  private final Function<ReadPreference, com.mongodb.ReadPreference> readPreferences;
  // Handed on to the next generation's queue at a rebuild's swap (see takeSubscribersOf).
  private volatile Map<String, Set<QueueSubscriber>> subscribers = new ConcurrentHashMap<>();
  private final BannedUsers bans;
  private final MediaShown media;

  public QueueStore(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences) {
    this(database, readPreferences, "", BannedUsers.NONE, MediaShown.NONE_KNOWN);
  }

  /**
   * The queue of one generation of the thread view ({@code suffix} of its collection names): a
   * rebuild of the thread view fills its own queue and swaps both in together. A pending comment
   * whose author {@code bans} holds banned since before it was posted is queued as hidden. An item
   * keeps the ids of its comment's media and shows them as {@code media} knows them when it is read
   * (or told), so an item removed later is left out as it is for readers.
   */
  public QueueStore(
      MongoDatabase database,
      Function<ReadPreference, com.mongodb.ReadPreference> readPreferences,
      String suffix,
      BannedUsers bans,
      MediaShown media) {
    this.queue = database.getCollection(COLLECTION + suffix);
    this.readPreferences = Objects.requireNonNull(readPreferences, "readPreferences");
    this.bans = Objects.requireNonNull(bans, "bans");
    this.media = Objects.requireNonNull(media, "media");
  }

  public void createIndexes() {
    queue.createIndex(Indexes.ascending("tenant", "queue", "updatedAt"));
  }

  public void drop() {
    queue.drop();
  }

  /** The name of this generation's queue collection. */
  public String collectionName() {
    return queue.getNamespace().getCollectionName();
  }

  /**
   * What one event changes in the queue, given the comment as it stands after it (with author and
   * text whatever its status); null when the thread holds no such comment. {@code page} is the page
   * its post named (the thread view keeps it from the {@code CommentPosted}), or null; {@code
   * mediaIds} the ids of the media it names. {@code position} is the event's thread position, which
   * live subscribers are told.
   */
  public void apply(
      CommentEvent event,
      CommentView after,
      HostPage page,
      List<String> mediaIds,
      Instant at,
      long position) {
    if (after == null) {
      return;
    }
    String id = event.tenant() + "/" + after.id();
    Bson filter = Filters.eq("_id", id);
    List<Bson> set = new ArrayList<>(comment(event, after, page, mediaIds, at));
    switch (event) {
      case CommentPosted posted -> {
        if (posted.status() == CommentStatus.PENDING) {
          // A ban and its author's comments are different streams: a node reading a backlog may
          // apply the ban first. A ban in force when the comment was posted hides it, as the ban
          // would have, had it come after.
          boolean banned = bans.banOf(event.tenant(), posted.author().id(), at).isPresent();
          set.add(Updates.set("queue", banned ? BANNED : "pending"));
          write(event.tenant(), filter, set, UPSERT, position);
        }
      }
      case CommentEdited edited -> write(event.tenant(), filter, set, PLAIN, position);
      case CommentDeleted deleted -> {
        set.add(Updates.set("queue", NONE));
        write(event.tenant(), filter, set, PLAIN, position);
      }
      case CommentFlagged flagged -> {
        set.add(Updates.set("queue", queueOf(after.status(), true)));
        set.add(
            Updates.addToSet(
                "flaggers",
                new Document("id", flagged.flaggerId()).append("reason", flagged.reason())));
        write(event.tenant(), filter, set, UPSERT, position);
      }
      case CommentHeld held -> {
        set.add(Updates.set("queue", "pending"));
        write(event.tenant(), filter, set, UPSERT, position);
      }
      case CommentModerated moderated -> {
        set.add(Updates.set("lastAction", moderated.action().wireName()));
        set.add(Updates.set("moderatorId", moderated.moderatorId()));
        set.add(Updates.set("reason", moderated.reason()));
        switch (moderated.action()) {
          case APPROVE, RESTORE, REJECT, REMOVE -> {
            // A decision settles the flags so far: the next ones count afresh.
            set.add(Updates.set("flaggers", List.of()));
            set.add(Updates.set("queue", queueOf(after.status(), false)));
          }
          case PIN, UNPIN -> {}
        }
        write(event.tenant(), filter, set, UPSERT, position);
      }
      default -> {}
    }
  }

  /**
   * A ban: the author's pending comments leave the queue (readers never saw them). Watching
   * moderators are told which ones, read with {@code readPreference} (a projection reads what it
   * has just written: primary).
   */
  public void hideAuthorsPending(String tenant, String userId, ReadPreference readPreference) {
    Bson pending =
        Filters.and(
            Filters.eq("tenant", tenant),
            Filters.eq("authorId", userId),
            Filters.eq("queue", "pending"));
    Set<QueueSubscriber> watching = subscribers.get(tenant);
    // Read first only when someone watches: a ban is rare, and its subscribers must hear which
    // comments left.
    List<Document> leaving =
        watching == null
            ? List.of()
            : queue
                .withReadPreference(readPreferences.apply(readPreference))
                .find(pending)
                .into(new ArrayList<>());
    queue.updateMany(pending, Updates.set("queue", BANNED));
    for (Document doc : leaving) {
      deliver(watching, new QueueChange(tenant, QueueChange.LEFT, null, item(doc, readPreference)));
    }
  }

  /**
   * Delivers from now on to the moderators who follow {@code previous}: a rebuilt queue swapped in
   * for it keeps them, while a shadow being filled tells no one (a rebuild's events are not news).
   */
  public void takeSubscribersOf(QueueStore previous) {
    this.subscribers = previous.subscribers;
  }

  @Override
  public QueueSubscription subscribe(String tenant, QueueSubscriber subscriber) {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(subscriber, "subscriber");
    subscribers.compute(
        tenant,
        (t, set) -> {
          Set<QueueSubscriber> all = set == null ? new CopyOnWriteArraySet<>() : set;
          all.add(subscriber);
          return all;
        });
    return () ->
        subscribers.computeIfPresent(
            tenant,
            (t, set) -> {
              set.remove(subscriber);
              return set.isEmpty() ? null : set;
            });
  }

  /** One comment's write; told to the tenant's subscribers, if it has any, as it left the doc. */
  private void write(
      String tenant, Bson filter, List<Bson> set, UpdateOptions options, long position) {
    Set<QueueSubscriber> watching = subscribers.get(tenant);
    if (watching == null) {
      queue.updateOne(filter, Updates.combine(set), options);
      return;
    }
    Document after =
        queue.findOneAndUpdate(
            filter,
            Updates.combine(set),
            new FindOneAndUpdateOptions()
                .upsert(options.isUpsert())
                .returnDocument(ReturnDocument.AFTER));
    if (after != null) {
      String now = after.getString("queue");
      deliver(
          watching,
          new QueueChange(
              tenant,
              ModerationQueue.STATUSES.contains(now) ? now : QueueChange.LEFT,
              position,
              // As live readers' messages show media: the projection reads what it has applied.
              item(after, ReadPreference.PRIMARY)));
    }
  }

  private static void deliver(Set<QueueSubscriber> watching, QueueChange change) {
    for (QueueSubscriber subscriber : watching) {
      try {
        subscriber.deliver(change);
      } catch (RuntimeException e) {
        // One broken subscriber must not cost the others their change, nor the projection.
        log.warn("queue subscriber failed on {}", change.item().comment().id(), e);
      }
    }
  }

  private static String queueOf(CommentStatus status, boolean flagged) {
    return switch (status) {
      case PENDING -> "pending";
      case REMOVED -> "removed";
      case APPROVED -> flagged ? "flagged" : NONE;
      case REJECTED -> NONE;
    };
  }

  private static List<Bson> comment(
      CommentEvent event, CommentView after, HostPage page, List<String> mediaIds, Instant at) {
    Author author = after.author();
    return List.of(
        Updates.set("tenant", event.tenant()),
        Updates.set("thread", event.thread()),
        Updates.set("commentId", after.id()),
        Updates.set("parentId", after.parentId()),
        Updates.set("authorId", author == null ? null : author.id()),
        Updates.set("authorName", author == null ? null : author.name()),
        Updates.set(
            "authorKind",
            author == null || author.kind() == Author.Kind.ANONYMOUS ? "anonymous" : "user"),
        Updates.set("text", after.text()),
        Updates.set("status", after.status().wireName()),
        Updates.set("pinned", after.pinned()),
        Updates.set("deleted", after.deleted()),
        Updates.set("postedAt", Date.from(after.postedAt())),
        Updates.set("up", after.up()),
        Updates.set("down", after.down()),
        Updates.set("pageUrl", page == null ? null : page.url()),
        Updates.set("pageTitle", page == null ? null : page.title()),
        Updates.set("mediaIds", List.copyOf(mediaIds)),
        Updates.set("updatedAt", Date.from(at)));
  }

  @Override
  public QueuePage find(QueueQuery query, ReadPreference readPreference) {
    Objects.requireNonNull(readPreference, "readPreference");
    List<Bson> filters = new ArrayList<>();
    filters.add(Filters.eq("tenant", query.tenant()));
    filters.add(Filters.eq("queue", query.status()));
    if (query.thread() != null) {
      filters.add(Filters.eq("thread", query.thread()));
    }
    if (query.userId() != null) {
      filters.add(Filters.eq("authorId", query.userId()));
    }
    if (query.text() != null) {
      filters.add(
          Filters.regex(
              "text", Pattern.compile(Pattern.quote(query.text()), Pattern.CASE_INSENSITIVE)));
    }
    if (query.cursor() != null) {
      Cursor after = Cursor.decode(query.cursor());
      Date at = new Date(after.updatedAtMillis());
      filters.add(
          Filters.or(
              Filters.lt("updatedAt", at),
              Filters.and(Filters.eq("updatedAt", at), Filters.lt("_id", after.id()))));
    }
    List<Document> found =
        queue
            .withReadPreference(readPreferences.apply(readPreference))
            .find(Filters.and(filters))
            .sort(Sorts.descending("updatedAt", "_id"))
            .limit(query.limit() + 1)
            .into(new ArrayList<>());
    List<QueueItem> items = new ArrayList<>();
    for (Document doc : found.subList(0, Math.min(found.size(), query.limit()))) {
      items.add(item(doc, readPreference));
    }
    String next = null;
    if (found.size() > query.limit()) {
      Document last = found.get(query.limit() - 1);
      next = new Cursor(last.getDate("updatedAt").getTime(), last.getString("_id")).encode();
    }
    return new QueuePage(items, next);
  }

  private QueueItem item(Document doc, ReadPreference readPreference) {
    String authorId = doc.getString("authorId");
    Author author =
        authorId == null
            ? null
            : new Author(
                "user".equals(doc.getString("authorKind"))
                    ? Author.Kind.USER
                    : Author.Kind.ANONYMOUS,
                authorId,
                doc.getString("authorName"));
    CommentStatus status = CommentStatus.APPROVED;
    for (CommentStatus s : CommentStatus.values()) {
      if (s.wireName().equals(doc.getString("status"))) {
        status = s;
      }
    }
    CommentView comment =
        new CommentView(
            doc.getString("commentId"),
            doc.getString("parentId"),
            author,
            doc.getString("text"),
            doc.getDate("postedAt").toInstant(),
            null,
            doc.getBoolean("deleted", false),
            number(doc, "up"),
            number(doc, "down"),
            VoteDirection.NONE,
            List.of(),
            null,
            status,
            doc.getBoolean("pinned", false),
            // An item written before media were kept has none.
            media.of(
                doc.getString("tenant"),
                doc.getList("mediaIds", String.class, List.of()),
                readPreference));
    List<Document> flaggers = doc.getList("flaggers", Document.class, List.of());
    return new QueueItem(
        doc.getString("thread"),
        comment,
        flaggers.size(),
        flaggers.stream().map(f -> f.getString("reason")).toList(),
        doc.getString("lastAction"),
        doc.getString("moderatorId"),
        doc.getString("reason"),
        doc.getDate("updatedAt").toInstant(),
        pageOf(doc));
  }

  /** The page of an item; an item written before pages were kept has none. */
  private static HostPage pageOf(Document doc) {
    String url = doc.getString("pageUrl");
    return url == null ? null : new HostPage(url, doc.getString("pageTitle"));
  }

  private static long number(Document doc, String field) {
    Number value = doc.get(field, Number.class);
    return value == null ? 0 : value.longValue();
  }

  /** Where a page ended: the last item's change time and id. */
  record Cursor(long updatedAtMillis, String id) {
    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((updatedAtMillis + "/" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        int slash = plain.indexOf('/');
        if (slash < 1
            || !new Cursor(Long.parseLong(plain.substring(0, slash)), plain.substring(slash + 1))
                .encode()
                .equals(cursor)) {
          throw new InvalidCursorException("not a cursor of this queue");
        }
        return new Cursor(Long.parseLong(plain.substring(0, slash)), plain.substring(slash + 1));
      } catch (IllegalArgumentException e) {
        throw new InvalidCursorException("not a cursor of this queue");
      }
    }
  }
}
