package dev.comments.edge;

import dev.comments.query.BannedUsers;
import dev.comments.query.BlockedUsers;
import dev.comments.query.MediaCatalog;
import dev.comments.query.ModerationQueue;
import dev.comments.query.Moderators;
import dev.comments.query.ProjectionStatus;
import dev.comments.query.RevokedSessions;
import dev.comments.query.ThreadFeeds;
import dev.comments.query.ThreadQueries;
import java.util.Objects;

/**
 * The query side's ports the edge serves from, on every node: thread pages, their live changes, how
 * fresh the projection is, which sessions were signed out, whom each session blocked, which media
 * items exist, the history (audit log, projections' administration), each tenant's moderators, the
 * moderation queue and the bans.
 */
public record ReadSide(
    ThreadQueries queries,
    ThreadFeeds feeds,
    ProjectionStatus status,
    RevokedSessions revoked,
    BlockedUsers blocked,
    MediaCatalog media,
    History history,
    Moderators moderators,
    ModerationQueue moderationQueue,
    BannedUsers bans) {
  public ReadSide {
    Objects.requireNonNull(queries, "queries");
    Objects.requireNonNull(feeds, "feeds");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(revoked, "revoked");
    Objects.requireNonNull(blocked, "blocked");
    Objects.requireNonNull(media, "media");
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(moderators, "moderators");
    Objects.requireNonNull(moderationQueue, "moderationQueue");
    Objects.requireNonNull(bans, "bans");
  }

  /**
   * Without media, history and moderators: for edges that serve no CDN, audit nothing and are
   * moderated by their admin keys alone (tests of other features).
   */
  public ReadSide(
      ThreadQueries queries,
      ThreadFeeds feeds,
      ProjectionStatus status,
      RevokedSessions revoked,
      BlockedUsers blocked) {
    this(
        queries,
        feeds,
        status,
        revoked,
        blocked,
        MediaCatalog.NONE,
        History.NONE,
        Moderators.NONE,
        ModerationQueue.NONE,
        BannedUsers.NONE);
  }

  /** Without blocks: for edges whose sessions cannot block anyone (tests of other features). */
  public ReadSide(
      ThreadQueries queries, ThreadFeeds feeds, ProjectionStatus status, RevokedSessions revoked) {
    this(
        queries,
        feeds,
        status,
        revoked,
        BlockedUsers.NONE,
        MediaCatalog.NONE,
        History.NONE,
        Moderators.NONE,
        ModerationQueue.NONE,
        BannedUsers.NONE);
  }

  /** The same ports, with {@code media} as the catalogue of media items. */
  public ReadSide withMedia(MediaCatalog media) {
    return new ReadSide(
        queries,
        feeds,
        status,
        revoked,
        blocked,
        media,
        history,
        moderators,
        moderationQueue,
        bans);
  }
}
