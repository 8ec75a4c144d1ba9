package dev.comments.query;

import dev.comments.events.Author;
import dev.comments.events.CommentDeleted;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentEvent;
import dev.comments.events.CommentFlagged;
import dev.comments.events.CommentHeld;
import dev.comments.events.CommentModerated;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.CommentVoted;
import dev.comments.events.HostPage;
import dev.comments.events.ModerationAction;
import dev.comments.events.ThreadId;
import dev.comments.events.ThreadLocked;
import dev.comments.events.ThreadUnlocked;
import dev.comments.events.VoteDirection;
import dev.comments.events.codec.EventEnvelope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the event stream of one thread as the command side would write it: gap-free sequence
 * numbers from 0 and, unless told otherwise, one second between events.
 */
public final class ThreadLog {
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final ThreadId thread;
  private final List<EventEnvelope> events = new ArrayList<>();
  private Instant now;

  public ThreadLog(ThreadId thread) {
    this(thread, START);
  }

  public ThreadLog(ThreadId thread, Instant start) {
    this.thread = thread;
    this.now = start;
  }

  public static ThreadLog of(String tenant, String thread) {
    return new ThreadLog(new ThreadId(tenant, thread));
  }

  public ThreadId thread() {
    return thread;
  }

  public List<EventEnvelope> events() {
    return List.copyOf(events);
  }

  public EventEnvelope last() {
    return events.getLast();
  }

  /** The next event happens at the same instant as the previous one. */
  public ThreadLog sameTime() {
    now = now.minusSeconds(1);
    return this;
  }

  public EventEnvelope post(String commentId, String parentId, String authorId) {
    return post(commentId, parentId, authorId, "text of " + commentId);
  }

  public EventEnvelope post(String commentId, String parentId, String authorId, String text) {
    return add(
        new CommentPosted(
            thread.tenant(),
            thread.thread(),
            commentId,
            parentId,
            new Author(Author.Kind.USER, authorId, "Name of " + authorId),
            text,
            tick()));
  }

  /** A comment that shows {@code media}. */
  public EventEnvelope postWithMedia(String commentId, String authorId, List<String> media) {
    return postWithMedia(commentId, authorId, media, CommentStatus.APPROVED);
  }

  /** A comment that names {@code media}, shown at once or held for a moderator. */
  public EventEnvelope postWithMedia(
      String commentId, String authorId, List<String> media, CommentStatus status) {
    return add(
        new CommentPosted(
            thread.tenant(),
            thread.thread(),
            commentId,
            null,
            new Author(Author.Kind.USER, authorId, "Name of " + authorId),
            "text of " + commentId,
            tick(),
            status,
            media,
            null));
  }

  /** A comment written on {@code page}, shown at once or held for a moderator. */
  public EventEnvelope postOnPage(
      String commentId, String parentId, String authorId, CommentStatus status, HostPage page) {
    return add(
        new CommentPosted(
            thread.tenant(),
            thread.thread(),
            commentId,
            parentId,
            new Author(Author.Kind.USER, authorId, "Name of " + authorId),
            "text of " + commentId,
            tick(),
            status,
            List.of(),
            page));
  }

  /** A comment pre-moderation holds for a moderator. */
  public EventEnvelope postPending(String commentId, String parentId, String authorId) {
    return add(
        new CommentPosted(
            thread.tenant(),
            thread.thread(),
            commentId,
            parentId,
            new Author(Author.Kind.USER, authorId, "Name of " + authorId),
            "text of " + commentId,
            tick(),
            CommentStatus.PENDING));
  }

  public EventEnvelope moderate(String commentId, ModerationAction action, String by) {
    return add(
        new CommentModerated(
            thread.tenant(), thread.thread(), commentId, action, by, "because " + action, tick()));
  }

  public EventEnvelope hold(String commentId, int flags) {
    return add(new CommentHeld(thread.tenant(), thread.thread(), commentId, flags, tick()));
  }

  public EventEnvelope edit(String commentId, String editorId, String text) {
    return edit(commentId, editorId, text, null);
  }

  /** An edit that replaces the comment's media with {@code media}, or keeps them when null. */
  public EventEnvelope edit(String commentId, String editorId, String text, List<String> media) {
    return add(
        new CommentEdited(
            thread.tenant(), thread.thread(), commentId, editorId, text, tick(), media));
  }

  public EventEnvelope delete(String commentId, String by) {
    return add(new CommentDeleted(thread.tenant(), thread.thread(), commentId, by, tick()));
  }

  public EventEnvelope vote(
      String commentId, String voterId, VoteDirection direction, VoteDirection previous) {
    return add(
        new CommentVoted(
            thread.tenant(), thread.thread(), commentId, voterId, direction, previous, tick()));
  }

  public EventEnvelope flag(String commentId, String flaggerId, String reason) {
    return add(
        new CommentFlagged(thread.tenant(), thread.thread(), commentId, flaggerId, reason, tick()));
  }

  public EventEnvelope lock(String by) {
    return add(new ThreadLocked(thread.tenant(), thread.thread(), by, tick()));
  }

  public EventEnvelope unlock(String by) {
    return add(new ThreadUnlocked(thread.tenant(), thread.thread(), by, tick()));
  }

  private Instant tick() {
    now = now.plusSeconds(1);
    return now;
  }

  private EventEnvelope add(CommentEvent event) {
    EventEnvelope envelope =
        new EventEnvelope(
            thread.streamId() + "#" + events.size(), thread, events.size(), now, event);
    events.add(envelope);
    return envelope;
  }
}
