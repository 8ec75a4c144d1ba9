package dev.comments.query.thread;

import dev.comments.events.ReadPreference;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.FindReplies;
import dev.comments.events.query.FindThreadComments;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.ThreadPage;
import dev.comments.query.ThreadQueries;
import dev.comments.query.projection.AppliedEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Answers thread reads from the read model in memory; the MongoDB thread view behind it is read
 * only for a thread (or a viewer's votes) not in memory, by {@code _id}.
 *
 * <p>A page holds top-level comments in the requested order, paged by keyset, each with the first
 * {@code replyLimit} replies of its tree and a cursor to the rest. Replies are always oldest first,
 * whatever the page's sort: a conversation reads in the order it was written, and a reply does not
 * jump when votes change, which matters once live updates insert new comments into an open page.
 * Taking the oldest replies first also means every reply shown has its parent shown.
 */
public final class MongoThreadQueries implements ThreadQueries {
  private final ReadModel readModel;
  private final AppliedEvents events;

  public MongoThreadQueries(ReadModel readModel, AppliedEvents events) {
    this.readModel = Objects.requireNonNull(readModel, "readModel");
    this.events = Objects.requireNonNull(events, "events");
  }

  @Override
  public Optional<ThreadPage> findComments(
      FindThreadComments query, ReadPreference readPreference) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(readPreference, "readPreference");
    ThreadId thread = query.threadId();
    if (query.cursor() != null) {
      // A foreign cursor is refused whether or not the thread is known.
      PageCursor.decode(query.cursor(), query.sort(), thread);
    }
    // Before any media is looked up: a change after this re-keys the page the edge keeps.
    long mediaVersion = readModel.media().version();
    ThreadState state = readModel.thread(thread, readPreference);
    if (!state.known()) {
      return Optional.empty();
    }
    return Optional.of(
        page(
            state,
            query,
            myVotes(thread, query.viewerId(), readPreference),
            media(readModel.media(), thread, readPreference),
            mediaVersion));
  }

  /** One page of {@code state}, with {@code mine} laid over it, showing no media. */
  static ThreadPage page(
      ThreadState state, FindThreadComments query, Map<String, VoteDirection> mine) {
    return page(state, query, mine, c -> List.of(), 0);
  }

  /** One page of {@code state}, with {@code mine} laid over it and media as {@code media} shows. */
  static ThreadPage page(
      ThreadState state,
      FindThreadComments query,
      Map<String, VoteDirection> mine,
      Function<StoredComment, List<CommentMedia>> media,
      long mediaVersion) {
    ThreadId thread = query.threadId();
    PageCursor after =
        query.cursor() == null ? null : PageCursor.decode(query.cursor(), query.sort(), thread);
    List<StoredComment> sorted = state.topLevel(query.sort());
    int from = after == null ? 0 : after.startIn(sorted);
    int to = Math.min(sorted.size(), from + query.limit());
    List<StoredComment> page = new ArrayList<>(to - from);
    if (after == null) {
      // Pinned comments open the first page, beyond its limit; the cursor walks the others.
      page.addAll(state.pinned());
    }
    page.addAll(sorted.subList(from, to));
    List<CommentView> views = new ArrayList<>(page.size());
    for (StoredComment root : page) {
      List<Integer> replies = state.repliesUnder(root.id());
      List<Integer> shown = replies.subList(0, Math.min(replies.size(), query.replyLimit()));
      String repliesCursor =
          shown.size() < replies.size()
              ? RepliesCursor.after(thread, root.id(), lastShown(state, root, shown)).encode()
              : null;
      Map<String, List<StoredComment>> children = byParent(state, shown);
      views.add(view(root, children, mine, repliesCursor, media));
    }
    String nextCursor = null;
    if (to < sorted.size()) {
      StoredComment last = sorted.get(to - 1);
      nextCursor =
          PageCursor.after(
                  query.sort(), thread, last.score(), last.postedAt().toEpochMilli(), last.id())
              .encode();
    }
    return new ThreadPage(views, nextCursor, state.seq(), state.locked(), mediaVersion);
  }

  @Override
  public Optional<RepliesPage> findReplies(FindReplies query, ReadPreference readPreference) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(readPreference, "readPreference");
    ThreadId thread = query.threadId();
    RepliesCursor after =
        query.cursor() == null
            ? null
            : RepliesCursor.decode(query.cursor(), thread, query.commentId());
    long mediaVersion = readModel.media().version();
    ThreadState state = readModel.thread(thread, readPreference);
    int at = state.known() ? state.positionOf(query.commentId()) : -1;
    if (at < 0 || !state.comments().get(at).listed()) {
      return Optional.empty();
    }
    Map<String, VoteDirection> mine = myVotes(thread, query.viewerId(), readPreference);
    Function<StoredComment, List<CommentMedia>> media =
        media(readModel.media(), thread, readPreference);
    List<Integer> replies = state.repliesUnder(query.commentId());
    int from = 0;
    while (from < replies.size() && after != null && replies.get(from) <= after.after()) {
      from++;
    }
    int to = Math.min(replies.size(), from + query.limit());
    List<Integer> shown = replies.subList(from, to);
    Map<String, List<StoredComment>> children = byParent(state, shown);
    Set<String> shownIds = new HashSet<>();
    shown.forEach(p -> shownIds.add(state.comments().get(p).id()));
    List<CommentView> views = new ArrayList<>();
    for (int position : shown) {
      StoredComment reply = state.comments().get(position);
      if (!shownIds.contains(reply.parentId())) {
        views.add(view(reply, children, mine, null, media));
      }
    }
    String nextCursor =
        to < replies.size()
            ? RepliesCursor.after(thread, query.commentId(), replies.get(to - 1)).encode()
            : null;
    return Optional.of(new RepliesPage(views, nextCursor, state.seq(), mediaVersion));
  }

  /**
   * Waits for the thread in memory to reach {@code seq}. The waiter is registered before the first
   * look, so an event applied in between is not missed; the consumer signals only after the new
   * state is in memory, so the signal alone answers.
   */
  @Override
  public boolean awaitSeq(
      ThreadId thread, long seq, Duration timeout, ReadPreference readPreference) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(readPreference, "readPreference");
    CompletableFuture<Void> reached = events.whenReached(thread, seq);
    try {
      if (readModel.thread(thread, readPreference).seq() >= seq) {
        return true;
      }
      reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("the applied-event signal failed", e);
    } finally {
      reached.cancel(false);
    }
  }

  @Override
  public OptionalLong heldSeq(ThreadId thread) {
    return readModel.heldSeq(Objects.requireNonNull(thread, "thread"));
  }

  @Override
  public Optional<Map<String, VoteDirection>> heldVotes(ThreadId thread, String viewerId) {
    return readModel.heldViewerVotes(
        Objects.requireNonNull(thread, "thread"), Objects.requireNonNull(viewerId, "viewerId"));
  }

  @Override
  public Map<String, VoteDirection> votesOf(
      ThreadId thread, String viewerId, ReadPreference readPreference) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(viewerId, "viewerId");
    Objects.requireNonNull(readPreference, "readPreference");
    return readModel.viewerVotes(thread, viewerId, readPreference);
  }

  private Map<String, VoteDirection> myVotes(
      ThreadId thread, String viewerId, ReadPreference readPreference) {
    return viewerId == null ? Map.of() : readModel.viewerVotes(thread, viewerId, readPreference);
  }

  /** The comments at {@code positions}, grouped under their parents, oldest first. */
  private static Map<String, List<StoredComment>> byParent(
      ThreadState state, List<Integer> positions) {
    Map<String, List<StoredComment>> children = new HashMap<>();
    for (int position : positions) {
      StoredComment reply = state.comments().get(position);
      children.computeIfAbsent(reply.parentId(), p -> new ArrayList<>()).add(reply);
    }
    return children;
  }

  private static CommentView view(
      StoredComment comment,
      Map<String, List<StoredComment>> children,
      Map<String, VoteDirection> mine,
      String repliesCursor,
      Function<StoredComment, List<CommentMedia>> media) {
    List<CommentView> replies =
        children.getOrDefault(comment.id(), List.of()).stream()
            .map(child -> view(child, children, mine, null, media))
            .toList();
    return comment.view(
        mine.getOrDefault(comment.id(), VoteDirection.NONE),
        replies,
        repliesCursor,
        media.apply(comment));
  }

  private static Function<StoredComment, List<CommentMedia>> media(
      MediaShown shown, ThreadId thread, ReadPreference readPreference) {
    return comment -> shown.of(thread, comment, readPreference);
  }

  @Override
  public long mediaVersion() {
    return readModel.media().version();
  }

  /** The position the rest of the replies come after: the last shown, else the root itself. */
  private static int lastShown(ThreadState state, StoredComment root, List<Integer> shown) {
    return shown.isEmpty() ? state.positionOf(root.id()) : shown.getLast();
  }
}
