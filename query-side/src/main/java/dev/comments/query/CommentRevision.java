package dev.comments.query;

import java.time.Instant;
import java.util.List;

/**
 * One version of a comment's text: as posted, after an edit, or its removal ({@code text} null),
 * with a unified diff from the version before ({@code diff}, empty for the first).
 */
public record CommentRevision(
    long seq, Instant at, String type, String actor, String text, List<String> diff) {}
