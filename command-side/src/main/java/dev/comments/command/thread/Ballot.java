package dev.comments.command.thread;

/** One user's say on one comment: the key of a vote or a flag. */
record Ballot(String commentId, String userId) {}
