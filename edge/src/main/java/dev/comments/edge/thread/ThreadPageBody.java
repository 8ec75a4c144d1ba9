package dev.comments.edge.thread;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.RepliesPage;
import dev.comments.events.query.ThreadPage;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON of a thread page, field for field as the v1 contract names them. Bodies are built
 * without any viewer's votes ({@code myVote} is {@code "none"} throughout) so that one encoding
 * serves every reader; {@link #votes} lists the viewer's, in the order the body writes comments.
 */
record ThreadPageBody(List<CommentBody> comments, String nextCursor, boolean locked)
    implements PageBytes.Body {
  static ThreadPageBody withoutVotes(ThreadPage page) {
    return new ThreadPageBody(CommentBody.all(page.comments()), page.nextCursor(), page.locked());
  }

  @JsonIgnore
  @Override
  public String mediaShown() {
    return ThreadPageBody.mediaShown(comments);
  }

  @JsonIgnore
  @Override
  public List<String> commentIds() {
    return ThreadPageBody.commentIds(comments);
  }

  /** The replies of one comment's tree. */
  record RepliesBody(List<CommentBody> replies, String nextCursor) implements PageBytes.Body {
    static RepliesBody withoutVotes(RepliesPage page) {
      return new RepliesBody(CommentBody.all(page.replies()), page.nextCursor());
    }

    @JsonIgnore
    @Override
    public String mediaShown() {
      return ThreadPageBody.mediaShown(replies);
    }

    @JsonIgnore
    @Override
    public List<String> commentIds() {
      return ThreadPageBody.commentIds(replies);
    }
  }

  /**
   * Each comment's id, then its replies', in the order the body writes them (as {@link #votes}).
   */
  static List<String> commentIds(List<CommentBody> comments) {
    return inOrder(comments).stream().map(CommentBody::id).toList();
  }

  /** Each comment's shown media (id, and whether its type is known), replies included. */
  static String mediaShown(List<CommentBody> comments) {
    StringBuilder shown = new StringBuilder();
    for (CommentBody comment : inOrder(comments)) {
      for (CommentBody.MediaBody media : comment.media()) {
        shown
            .append(comment.id())
            .append(':')
            .append(media.mediaId())
            .append(media.contentType() == null ? '?' : '+')
            .append(';');
      }
    }
    return shown.toString();
  }

  /** Each comment, then its replies, as the body writes them. */
  private static List<CommentBody> inOrder(List<CommentBody> comments) {
    List<CommentBody> all = new ArrayList<>();
    addInOrder(comments, all);
    return all;
  }

  private static void addInOrder(List<CommentBody> comments, List<CommentBody> all) {
    for (CommentBody comment : comments) {
      all.add(comment);
      addInOrder(comment.replies(), all);
    }
  }

  /** Each comment's {@code myVote}, then its replies', as the body writes them. */
  static List<VoteDirection> votes(List<CommentView> views) {
    List<VoteDirection> votes = new ArrayList<>();
    addVotes(views, votes);
    return votes;
  }

  private static void addVotes(List<CommentView> views, List<VoteDirection> votes) {
    for (CommentView view : views) {
      votes.add(view.myVote() == null ? VoteDirection.NONE : view.myVote());
      addVotes(view.replies() == null ? List.of() : view.replies(), votes);
    }
  }
}
