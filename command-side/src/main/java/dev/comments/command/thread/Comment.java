package dev.comments.command.thread;

import java.time.Instant;

/** What the thread remembers of one comment: enough to decide, nothing to show. */
record Comment(String authorId, int depth, Instant postedAt, boolean deleted) {
  Comment markDeleted() {
    return new Comment(authorId, depth, postedAt, true);
  }
}
