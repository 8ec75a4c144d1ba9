package dev.comments.query.thread;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.gt;
import static com.mongodb.client.model.Filters.in;
import static com.mongodb.client.model.Sorts.ascending;
import static com.mongodb.client.model.Sorts.descending;
import static com.mongodb.client.model.Sorts.orderBy;

import dev.comments.events.Author;
import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.SortOrder;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.ThreadQueries;
import dev.comments.query.projection.AppliedEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * Answers thread reads from the thread view.
 *
 * <p>A page holds top-level comments in the requested order, paged by keyset (never skip), each
 * with its whole reply tree. Replies are always oldest first, whatever the page's sort: a
 * conversation reads in the order it was written, and a reply does not jump when votes change,
 * which matters once live updates insert new comments into an open page.
 *
 * <p>The page's {@code seq} is read before the comments, so the page reflects at least that event.
 */
public final class MongoThreadQueries implements ThreadQueries {
  private static final Duration FIRST_RECHECK = Duration.ofMillis(5);
  private static final Duration LAST_RECHECK = Duration.ofMillis(200);

  private final ThreadViewStore store;
  private final AppliedEvents events;

  public MongoThreadQueries(ThreadViewStore store, AppliedEvents events) {
    this.store = Objects.requireNonNull(store, "store");
    this.events = Objects.requireNonNull(events, "events");
  }

  @Override
  public Optional<ThreadPage> findComments(
      FindThreadComments query, ReadPreference readPreference) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(readPreference, "readPreference");
    ThreadId thread = query.threadId();
    PageCursor after =
        query.cursor() == null ? null : PageCursor.decode(query.cursor(), query.sort(), thread);
    Document threadDoc = store.threads(readPreference).find(eq("_id", thread.streamId())).first();
    if (threadDoc == null) {
      return Optional.empty();
    }
    long seq = threadDoc.get("seq", Number.class).longValue();

    List<Bson> filter =
        new ArrayList<>(
            List.of(eq("tenant", thread.tenant()), eq("thread", thread.thread()), eq("depth", 0)));
    if (after != null) {
      filter.add(after.keyset());
    }
    List<Document> top =
        store
            .comments(readPreference)
            .find(and(filter))
            .sort(sortOf(query.sort()))
            .limit(query.limit() + 1)
            .into(new ArrayList<>());
    boolean more = top.size() > query.limit();
    if (more) {
      top = top.subList(0, query.limit());
    }
    List<String> rootIds = top.stream().map(d -> d.getString("_id")).toList();
    List<Document> replies =
        rootIds.isEmpty()
            ? List.of()
            : store
                .comments(readPreference)
                .find(
                    and(
                        eq("tenant", thread.tenant()),
                        eq("thread", thread.thread()),
                        in("rootId", rootIds),
                        gt("depth", 0)))
                .sort(orderBy(ascending("postedAt"), ascending("_id")))
                .into(new ArrayList<>());
    Map<String, VoteDirection> myVotes =
        myVotes(thread, query.viewerId(), top, replies, readPreference);

    Map<String, List<Document>> children = new HashMap<>();
    for (Document reply : replies) {
      children.computeIfAbsent(reply.getString("parentId"), p -> new ArrayList<>()).add(reply);
    }
    List<CommentView> views = top.stream().map(doc -> view(doc, children, myVotes)).toList();
    String nextCursor = more ? cursorAfter(query.sort(), thread, top.getLast()).encode() : null;
    return Optional.of(new ThreadPage(views, nextCursor, seq));
  }

  /**
   * Waits for the consumer's signal that the thread reached {@code seq}, checking the store before
   * waiting and after the signal. The second check matters with {@code nearest}: the signal means
   * the primary has the write, and a nearby secondary may need a moment more, so it is re-read with
   * a backoff (5 ms doubling to 200 ms) until the timeout, never in a tight loop.
   */
  @Override
  public boolean awaitSeq(
      ThreadId thread, long seq, Duration timeout, ReadPreference readPreference) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(readPreference, "readPreference");
    long deadline = System.nanoTime() + timeout.toNanos();
    // Registered before the first check, so that an event applied in between is not missed.
    CompletableFuture<Void> reached = events.whenReached(thread, seq);
    try {
      if (reflects(thread, seq, readPreference)) {
        return true;
      }
      try {
        reached.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return reflects(thread, seq, readPreference);
      }
      Duration pause = FIRST_RECHECK;
      while (true) {
        if (reflects(thread, seq, readPreference)) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        Thread.sleep(Math.min(pause.toMillis(), TimeUnit.NANOSECONDS.toMillis(left) + 1));
        pause =
            pause.multipliedBy(2).compareTo(LAST_RECHECK) > 0
                ? LAST_RECHECK
                : pause.multipliedBy(2);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the applied-event signal failed", e);
    } finally {
      reached.cancel(false);
    }
  }

  private boolean reflects(ThreadId thread, long seq, ReadPreference readPreference) {
    return store.threadSeq(thread, readPreference).orElse(-1) >= seq;
  }

  private Map<String, VoteDirection> myVotes(
      ThreadId thread,
      String viewerId,
      List<Document> top,
      List<Document> replies,
      ReadPreference readPreference) {
    if (viewerId == null || top.isEmpty()) {
      return Map.of();
    }
    List<String> ids = new ArrayList<>(top.size() + replies.size());
    top.forEach(d -> ids.add(d.getString("_id")));
    replies.forEach(d -> ids.add(d.getString("_id")));
    Map<String, VoteDirection> votes = new HashMap<>();
    for (Document vote :
        store
            .userVotes(readPreference)
            .find(
                and(
                    eq("tenant", thread.tenant()),
                    eq("voterId", viewerId),
                    in("commentId", ids)))) {
      votes.put(
          vote.getString("commentId"),
          VoteDirection.parse(vote.getString("direction")).orElse(VoteDirection.NONE));
    }
    return votes;
  }

  private static CommentView view(
      Document doc, Map<String, List<Document>> children, Map<String, VoteDirection> myVotes) {
    String id = doc.getString("_id");
    List<CommentView> replies =
        children.getOrDefault(id, List.of()).stream()
            .map(child -> view(child, children, myVotes))
            .toList();
    boolean deleted = doc.getBoolean("deleted", false);
    return new CommentView(
        id,
        doc.getString("parentId"),
        deleted ? null : author(doc.get("author", Document.class)),
        deleted ? null : doc.getString("text"),
        instant(doc.getDate("postedAt")),
        instant(doc.getDate("editedAt")),
        deleted,
        count(doc, "up"),
        count(doc, "down"),
        myVotes.getOrDefault(id, VoteDirection.NONE),
        replies);
  }

  private static Author author(Document doc) {
    if (doc == null) {
      return null;
    }
    Author.Kind kind =
        "user".equals(doc.getString("kind")) ? Author.Kind.USER : Author.Kind.ANONYMOUS;
    return new Author(kind, doc.getString("id"), doc.getString("name"));
  }

  private static PageCursor cursorAfter(SortOrder sort, ThreadId thread, Document last) {
    return PageCursor.after(
        sort,
        thread,
        count(last, "score"),
        last.getDate("postedAt").getTime(),
        last.getString("_id"));
  }

  private static Bson sortOf(SortOrder sort) {
    return switch (sort) {
      case NEWEST -> orderBy(descending("postedAt"), descending("_id"));
      case OLDEST -> orderBy(ascending("postedAt"), ascending("_id"));
      case TOP -> orderBy(descending("score"), descending("postedAt"), descending("_id"));
    };
  }

  private static long count(Document doc, String field) {
    Number value = doc.get(field, Number.class);
    return value == null ? 0 : value.longValue();
  }

  private static Instant instant(Date date) {
    return date == null ? null : date.toInstant();
  }
}
