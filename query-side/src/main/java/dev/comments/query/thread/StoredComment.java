package dev.comments.query.thread;

import dev.comments.events.Author;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentMedia;
import dev.comments.events.query.CommentView;
import java.time.Instant;
import java.util.List;

/**
 * A comment as the read model keeps it. {@code rootId} is the top-level comment of its tree (its
 * own id for a top-level comment); {@code author} and {@code text} are null once deleted. A comment
 * that is not approved keeps them (a moderator may restore or approve it), but readers' views leave
 * them out. {@code media} are the ids of the images it names, dropped with the text on deletion.
 * {@code page} is the page it was written on, or null: only moderators are shown it.
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
    long down,
    CommentStatus status,
    boolean pinned,
    List<String> media,
    HostPage page) {

  StoredComment {
    media = media == null ? List.of() : List.copyOf(media);
  }

  /** Whether readers see it at all: approved, or removed (its place kept for its replies). */
  boolean listed() {
    return status == CommentStatus.APPROVED || status == CommentStatus.REMOVED;
  }

  boolean isTopLevel() {
    return parentId == null;
  }

  long score() {
    return up - down;
  }

  /** Edited: the new text, and the new media unless {@code newMedia} is null (they are kept). */
  StoredComment edited(String newText, List<String> newMedia, Instant at) {
    return new StoredComment(
        id,
        parentId,
        rootId,
        author,
        newText,
        postedAt,
        at,
        false,
        up,
        down,
        status,
        pinned,
        newMedia == null ? media : newMedia,
        page);
  }

  StoredComment asDeleted() {
    return new StoredComment(
        id, parentId, rootId, null, null, postedAt, editedAt, true, up, down, status, pinned,
        List.of(), page);
  }

  StoredComment withStatus(CommentStatus newStatus) {
    return new StoredComment(
        id,
        parentId,
        rootId,
        author,
        text,
        postedAt,
        editedAt,
        deleted,
        up,
        down,
        newStatus,
        newStatus == CommentStatus.APPROVED && pinned,
        media,
        page);
  }

  StoredComment withPinned(boolean newPinned) {
    return new StoredComment(
        id, parentId, rootId, author, text, postedAt, editedAt, deleted, up, down, status,
        newPinned, media, page);
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
        down + downDelta,
        status,
        pinned,
        media,
        page);
  }

  /** Whether readers see its author, text and media: approved and not deleted. */
  boolean showsContent() {
    return status == CommentStatus.APPROVED && !deleted;
  }

  /**
   * The comment as readers see it, with a reader's vote, the replies shown with it and what readers
   * see of its media ({@link MediaShown}).
   */
  CommentView view(
      VoteDirection myVote,
      List<CommentView> replies,
      String repliesCursor,
      List<CommentMedia> shownMedia) {
    boolean shown = status == CommentStatus.APPROVED;
    return new CommentView(
        id,
        parentId,
        shown ? author : null,
        shown ? text : null,
        postedAt,
        editedAt,
        deleted,
        up,
        down,
        myVote,
        replies,
        repliesCursor,
        status,
        pinned,
        showsContent() ? shownMedia : List.of());
  }

  /** The comment with its author and text whatever its status: for moderators. */
  CommentView moderatorView() {
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
        VoteDirection.NONE,
        List.of(),
        null,
        status,
        pinned,
        List.of());
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
    for (String mediaId : media) {
      weight += 56 + 2L * mediaId.length();
    }
    if (page != null) {
      // Counted in full though comments of one page share it: the bound errs on the safe side.
      weight +=
          64 + 2L * (page.url().length() + (page.title() == null ? 0 : page.title().length()));
    }
    return weight;
  }
}
