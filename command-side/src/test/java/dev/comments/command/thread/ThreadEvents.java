package dev.comments.command.thread;

import dev.comments.events.Author;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentVoted;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.VoteDirection;
import java.time.Instant;

/** Builds the events and values of one test thread, so tests read as scenarios. */
final class ThreadEvents {
  static final ThreadId THREAD = new ThreadId("demo", "launch-day");
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final Author ALICE = new Author(Author.Kind.USER, "alice", "Alice");
  static final Author BOB = new Author(Author.Kind.USER, "bob", "Bob");

  private ThreadEvents() {}

  static CommentPosted posted(String commentId, String parentId, Author author, String text) {
    return new CommentPosted(
        THREAD.tenant(), THREAD.thread(), commentId, parentId, author, text, T0);
  }

  static CommentPosted posted(String commentId) {
    return posted(commentId, null, ALICE, "Hello");
  }

  static CommentPosted reply(String commentId, String parentId) {
    return posted(commentId, parentId, BOB, "Reply");
  }

  static CommentDeleted deleted(String commentId) {
    return new CommentDeleted(THREAD.tenant(), THREAD.thread(), commentId, ALICE.id(), T0);
  }

  static CommentVoted voted(String commentId, String voter, VoteDirection to, VoteDirection from) {
    return new CommentVoted(THREAD.tenant(), THREAD.thread(), commentId, voter, to, from, T0);
  }

  static CommentFlagged flagged(String commentId, String flagger, String reason) {
    return new CommentFlagged(THREAD.tenant(), THREAD.thread(), commentId, flagger, reason, T0);
  }

  static ThreadLocked locked() {
    return new ThreadLocked(THREAD.tenant(), THREAD.thread(), "mod", T0);
  }
}
