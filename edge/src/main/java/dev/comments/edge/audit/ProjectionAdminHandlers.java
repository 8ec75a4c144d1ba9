package dev.comments.edge.audit;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.PathParameters;
import dev.comments.events.ReadPreference;
import dev.comments.query.DeadLetter;
import dev.comments.query.ProjectionAdmin;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The operator's routes of this node's projections ({@code /admin/projections…}), behind the
 * cluster key: list, status with the progress of a rebuild, rebuild, checksum, and the dead letters
 * with their retry. The query side's refusals become {@code 404 unknown_projection} and {@code 409
 * rebuild_in_progress}.
 */
public final class ProjectionAdminHandlers {
  public static final String PROJECTIONS = "/admin/projections";
  public static final String PROJECTION = "/admin/projections/{name}";
  public static final String REBUILD = "/admin/projections/{name}/rebuild";
  public static final String CHECKSUM = "/admin/projections/{name}/checksum";
  public static final String DEAD_LETTERS = "/admin/dead-letters";
  public static final String RETRY_DEAD_LETTERS = "/admin/dead-letters/retry";

  private final ProjectionAdmin admin;

  public ProjectionAdminHandlers(ProjectionAdmin admin) {
    this.admin = Objects.requireNonNull(admin, "admin");
  }

  record Projections(List<ProjectionAdmin.Info> projections) {}

  record Letters(List<DeadLetter> deadLetters) {}

  public HttpHandler list() {
    return exchange -> JsonResponses.send(exchange, 200, new Projections(admin.list()));
  }

  public HttpHandler info() {
    return exchange -> JsonResponses.send(exchange, 200, known(() -> admin.info(name(exchange))));
  }

  /** {@code 202} with the rebuild's first progress; its status route follows it. */
  public HttpHandler rebuild() {
    return exchange ->
        JsonResponses.send(exchange, 202, known(() -> admin.rebuild(name(exchange))));
  }

  public HttpHandler checksum() {
    return exchange ->
        JsonResponses.send(
            exchange, 200, known(() -> admin.checksum(name(exchange), ReadPreference.NEAREST)));
  }

  public HttpHandler deadLetters() {
    return exchange ->
        JsonResponses.send(exchange, 200, new Letters(admin.deadLetters(ReadPreference.NEAREST)));
  }

  public HttpHandler retryDeadLetters() {
    return exchange -> JsonResponses.send(exchange, 200, admin.retryDeadLetters());
  }

  private static String name(HttpServerExchange exchange) {
    return PathParameters.parameter(exchange, "name");
  }

  private static <T> T known(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ProjectionAdmin.UnknownProjectionException e) {
      throw ApiException.notFound("unknown_projection", e.getMessage());
    } catch (ProjectionAdmin.RebuildInProgressException e) {
      throw new ApiException(409, "rebuild_in_progress", e.getMessage(), Map.of());
    }
  }
}
