package dev.comments.edge.thread;

import dev.comments.events.Author;
import dev.comments.events.VoteDirection;
import dev.comments.events.query.CommentView;
import dev.comments.events.query.ThreadPage;
import java.time.Instant;
import java.util.List;

/** The JSON of a thread page, field for field as the v1 contract names them. */
record ThreadPageBody(List<CommentBody> comments, String nextCursor) {
  static ThreadPageBody of(ThreadPage page) {
    return new ThreadPageBody(
        page.comments().stream().map(CommentBody::of).toList(), page.nextCursor());
  }

  record CommentBody(
      String id,
      String parentId,
      AuthorBody author,
      String text,
      Instant postedAt,
      Instant editedAt,
      boolean deleted,
      Votes votes,
      String myVote,
      List<CommentBody> replies) {
    static CommentBody of(CommentView view) {
      Author author = view.author();
      VoteDirection myVote = view.myVote() == null ? VoteDirection.NONE : view.myVote();
      List<CommentView> replies = view.replies() == null ? List.of() : view.replies();
      return new CommentBody(
          view.id(),
          view.parentId(),
          author == null ? null : new AuthorBody(author.id(), author.name()),
          view.text(),
          view.postedAt(),
          view.editedAt(),
          view.deleted(),
          new Votes(view.up(), view.down()),
          myVote.wireName(),
          replies.stream().map(CommentBody::of).toList());
    }
  }

  record AuthorBody(String id, String name) {}

  record Votes(long up, long down) {}
}
