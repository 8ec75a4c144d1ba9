package dev.comments.edge.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.comments.edge.moderation.QueueHandler.ItemBody;
import dev.comments.edge.thread.CommentBody;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventJson;
import dev.comments.query.LiveUpdate;
import dev.comments.query.LiveUpdate.CommentChange;
import dev.comments.query.LiveUpdate.LockChange;
import dev.comments.query.LiveUpdate.VoteChange;
import dev.comments.query.ModerationQueue.QueueChange;

/**
 * The JSON messages of the live protocol (docs/live.md). An update is encoded and framed once for
 * all its readers; a vote message differs only by the reader's own vote, so it has at most three
 * encodings. Messages for one reader are JSON, framed as they are offered.
 */
final class LiveMessages {
  private static final ObjectMapper MAPPER = EventJson.newMapper();

  /** Updates being fanned out; weak keys, so an update is forgotten once nobody holds it. */
  private final Cache<LiveUpdate, LiveFrame[]> encoded =
      Caffeine.newBuilder().weakKeys().maximumSize(4096).build();

  record Message(String type, String thread, Long position, Object payload) {}

  record VotePayload(String commentId, CommentBody.Votes votes, String myVote) {}

  record LockPayload(boolean locked) {}

  /**
   * @param viewers readers of the thread on every live node of the deployment
   * @param local of those, the readers on this node
   */
  record PresencePayload(int viewers, int local) {}

  record ResyncPayload(String reason) {}

  record SubscribedPayload(boolean resumed) {}

  record ErrorPayload(String code, String message) {}

  /** A comment's change in the moderation queue: where it is now, and the item as the API shows. */
  record QueuePayload(String queue, ItemBody item) {}

  /**
   * The update asked for last and its encodings: a fan-out asks for the same update once per reader
   * in a row, and a cache lookup per reader cost the projection's thread more than the rest of its
   * hand-off to that reader.
   */
  private volatile Recent recent;

  private record Recent(LiveUpdate update, LiveFrame[] byVote) {}

  /** The queue change encoded last: every moderator of the tenant gets the same bytes. */
  private volatile RecentChange recentChange;

  private record RecentChange(QueueChange change, LiveFrame frame) {}

  LiveFrame queueChange(QueueChange change) {
    RecentChange last = recentChange;
    if (last != null && last.change() == change) {
      return last.frame();
    }
    LiveFrame frame =
        LiveFrame.of(
            write(
                new Message(
                    "queue-changed",
                    change.item().thread(),
                    change.position(),
                    new QueuePayload(change.queue(), ItemBody.of(change.item())))));
    recentChange = new RecentChange(change, frame);
    return frame;
  }

  /** A moderation queue's subscriber: read the queue now, then apply what follows. */
  static byte[] queueSubscribed() {
    return write(new Message("subscribed", null, null, new SubscribedPayload(false)));
  }

  static byte[] queueResync(String reason) {
    return write(new Message("resync", null, null, new ResyncPayload(reason)));
  }

  /** {@code update} as {@code reader} sees it: their own vote on vote messages. */
  LiveFrame update(LiveUpdate update, VoteDirection myVote) {
    VoteDirection shown = update.payload() instanceof VoteChange ? myVote : VoteDirection.NONE;
    Recent last = recent;
    LiveFrame[] byVote;
    if (last != null && last.update() == update) {
      byVote = last.byVote();
    } else {
      byVote = encoded.get(update, u -> new LiveFrame[VoteDirection.values().length]);
      recent = new Recent(update, byVote);
    }
    LiveFrame frame = byVote[shown.ordinal()];
    if (frame == null) {
      // Two threads may both encode it: the same bytes, so either may win.
      frame = LiveFrame.of(encode(update, shown));
      byVote[shown.ordinal()] = frame;
    }
    return frame;
  }

  private static byte[] encode(LiveUpdate update, VoteDirection myVote) {
    Object payload =
        switch (update.payload()) {
          case CommentChange change -> CommentBody.of(change.comment());
          case VoteChange vote ->
              new VotePayload(
                  vote.commentId(),
                  new CommentBody.Votes(vote.up(), vote.down()),
                  myVote.wireName());
          case LockChange lock -> new LockPayload(lock.locked());
        };
    return write(
        new Message(
            update.kind().wireName(), update.thread().thread(), update.position(), payload));
  }

  static byte[] subscribed(ThreadId thread, long position, boolean resumed) {
    return write(
        new Message("subscribed", thread.thread(), position, new SubscribedPayload(resumed)));
  }

  static byte[] resync(ThreadId thread, long position, String reason) {
    return write(new Message("resync", thread.thread(), position, new ResyncPayload(reason)));
  }

  static byte[] presence(ThreadId thread, long position, int viewers, int local) {
    return write(
        new Message("presence", thread.thread(), position, new PresencePayload(viewers, local)));
  }

  static byte[] error(ThreadId thread, String code, String message) {
    return write(
        new Message(
            "error",
            thread == null ? null : thread.thread(),
            null,
            new ErrorPayload(code, message)));
  }

  private static byte[] write(Message message) {
    try {
      return MAPPER.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a live message could not be encoded", e);
    }
  }
}
