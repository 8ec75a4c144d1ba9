package dev.comments.query.thread;

import dev.comments.events.Author;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import java.time.Instant;
import java.util.List;

/**
 * A comment as the read model keeps it. {@code rootId} is the top-level comment of its tree (its
 * own id for a top-level comment); {@code author} and {@code text} are null once deleted.
 */
record StoredComment(
    String id,
    String parentId,
    String rootId,
    Author author,
    String text,
    Instant postedAt,
    Instant editedAt,
    boolean deleted,
    long up,
    long down) {

  boolean isTopLevel() {
    return parentId == null;
  }

  long score() {
    return up - down;
  }

  StoredComment withText(String newText, Instant at) {
    return new StoredComment(id, parentId, rootId, author, newText, postedAt, at, false, up, down);
  }

  StoredComment asDeleted() {
    return new StoredComment(id, parentId, rootId, null, null, postedAt, editedAt, true, up, down);
  }

  StoredComment withVotes(long upDelta, long downDelta) {
    return new StoredComment(
        id,
        parentId,
        rootId,
        author,
        text,
        postedAt,
        editedAt,
        deleted,
        up + upDelta,
        down + downDelta);
  }

  /** The comment as readers see it, with a reader's vote and the replies shown with it. */
  CommentView view(VoteDirection myVote, List<CommentView> replies, String repliesCursor) {
    return new CommentView(
        id,
        parentId,
        author,
        text,
        postedAt,
        editedAt,
        deleted,
        up,
        down,
        myVote,
        replies,
        repliesCursor);
  }

  /** A rough count of the bytes it holds on the heap, for the read model's bound. */
  long weight() {
    long weight = 160 + 2L * id.length();
    if (text != null) {
      weight += 2L * text.length();
    }
    if (author != null) {
      weight += 64 + 2L * (author.id().length() + author.name().length());
    }
    return weight;
  }
}
