package dev.comments.edge;

import dev.comments.query.ProjectionStatus;
import dev.comments.query.RevokedSessions;
import dev.comments.query.ThreadFeeds;
import dev.comments.query.ThreadQueries;
import java.util.Objects;

/**
 * The query side's ports the edge serves from, on every node: thread pages, their live changes, how
 * fresh the projection is, and which sessions were signed out.
 */
public record ReadSide(
    ThreadQueries queries, ThreadFeeds feeds, ProjectionStatus status, RevokedSessions revoked) {
  public ReadSide {
    Objects.requireNonNull(queries, "queries");
    Objects.requireNonNull(feeds, "feeds");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(revoked, "revoked");
  }
}
