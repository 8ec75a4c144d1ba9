package dev.comments.edge;

import dev.comments.query.BlockedUsers;
import dev.comments.query.MediaCatalog;
import dev.comments.query.ProjectionStatus;
import dev.comments.query.RevokedSessions;
import dev.comments.query.ThreadFeeds;
import dev.comments.query.ThreadQueries;
import java.util.Objects;

/**
 * The query side's ports the edge serves from, on every node: thread pages, their live changes, how
 * fresh the projection is, which sessions were signed out, whom each session blocked, which media
 * items exist, and the history (audit log, projections' administration).
 */
public record ReadSide(
    ThreadQueries queries,
    ThreadFeeds feeds,
    ProjectionStatus status,
    RevokedSessions revoked,
    BlockedUsers blocked,
    MediaCatalog media,
    History history) {
  public ReadSide {
    Objects.requireNonNull(queries, "queries");
    Objects.requireNonNull(feeds, "feeds");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(revoked, "revoked");
    Objects.requireNonNull(blocked, "blocked");
    Objects.requireNonNull(media, "media");
    Objects.requireNonNull(history, "history");
  }

  /**
   * Without media and history: for edges that serve no CDN and audit nothing (tests of other
   * features).
   */
  public ReadSide(
      ThreadQueries queries,
      ThreadFeeds feeds,
      ProjectionStatus status,
      RevokedSessions revoked,
      BlockedUsers blocked) {
    this(queries, feeds, status, revoked, blocked, MediaCatalog.NONE, History.NONE);
  }

  /** Without blocks: for edges whose sessions cannot block anyone (tests of other features). */
  public ReadSide(
      ThreadQueries queries, ThreadFeeds feeds, ProjectionStatus status, RevokedSessions revoked) {
    this(queries, feeds, status, revoked, BlockedUsers.NONE, MediaCatalog.NONE, History.NONE);
  }
}
