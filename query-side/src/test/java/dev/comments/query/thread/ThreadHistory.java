package dev.comments.query.thread;

import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.ModerationAction;
import dev.comments.events.ThreadId;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import dev.comments.query.ThreadLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One thread's random history, as the command side could make it: posts and replies (some held for
 * pre-moderation), edits, deletes, votes that remember their previous direction, flags, every
 * moderation action, holds by flags, locks. Shared by the property tests of the thread view.
 */
final class ThreadHistory {
  static final List<String> VIEWERS = List.of("v1", "v2", "v3");

  final ThreadLog log;
  final List<String> comments = new ArrayList<>();
  private final Map<String, VoteDirection> votes = new HashMap<>();
  private boolean locked;

  ThreadHistory(ThreadId thread) {
    log = new ThreadLog(thread);
  }

  /** A top-level comment, shown at once: to fill buckets. */
  EventEnvelope post(String authorId) {
    String id = nextId();
    comments.add(id);
    return log.post(id, null, authorId);
  }

  private HostPage page(Random random) {
    return random.nextBoolean()
        ? new HostPage("https://example.com/" + log.thread().thread(), "Thread page")
        : new HostPage("https://example.com/elsewhere?t=" + log.thread().thread(), null);
  }

  EventEnvelope next(Random random) {
    int pick = random.nextInt(100);
    if (comments.isEmpty() || pick < 25) {
      return post("a" + random.nextInt(3));
    }
    String some = comments.get(random.nextInt(comments.size()));
    if (pick < 40) {
      String id = nextId();
      comments.add(id);
      return log.post(id, some, "a" + random.nextInt(3));
    }
    if (pick < 45) {
      // Written on one of two pages: the thread view keeps each comment's for moderators.
      String id = nextId();
      comments.add(id);
      return log.postOnPage(
          id, some, "a" + random.nextInt(3), CommentStatus.APPROVED, page(random));
    }
    if (pick < 50) {
      String id = nextId();
      comments.add(id);
      String parent = random.nextBoolean() ? null : some;
      String author = "a" + random.nextInt(3);
      return random.nextBoolean()
          ? log.postPending(id, parent, author)
          : log.postOnPage(id, parent, author, CommentStatus.PENDING, page(random));
    }
    if (pick < 58) {
      return log.edit(some, "a0", "edited " + random.nextInt(1000));
    }
    if (pick < 62) {
      return log.delete(some, "a0");
    }
    if (pick < 76) {
      String voter = VIEWERS.get(random.nextInt(VIEWERS.size()));
      VoteDirection direction = VoteDirection.values()[random.nextInt(3)];
      VoteDirection previous = votes.getOrDefault(some + "/" + voter, VoteDirection.NONE);
      votes.put(some + "/" + voter, direction);
      return log.vote(some, voter, direction, previous);
    }
    if (pick < 82) {
      return log.flag(some, "f" + random.nextInt(1000), "spam");
    }
    if (pick < 94) {
      ModerationAction action =
          ModerationAction.values()[random.nextInt(ModerationAction.values().length)];
      return log.moderate(some, action, "mod");
    }
    if (pick < 97) {
      return log.hold(some, 5);
    }
    locked = !locked;
    return locked ? log.lock("mod") : log.unlock("mod");
  }

  private String nextId() {
    return log.thread().thread() + "-c" + comments.size();
  }
}
