package dev.comments.events.query;

import dev.comments.events.Author;
import dev.comments.events.VoteDirection;
import java.time.Instant;
import java.util.List;

/**
 * A comment as readers see it. A deleted comment keeps its place in the tree, without author or
 * text, so that its replies keep their parent.
 */
public record CommentView(
    String id,
    String parentId,
    Author author,
    String text,
    Instant postedAt,
    Instant editedAt,
    boolean deleted,
    long up,
    long down,
    VoteDirection myVote,
    List<CommentView> replies) {}
