package dev.comments.edge.mesh;

import dev.comments.edge.http.ApiException;
import dev.comments.edge.http.JsonResponses;
import dev.comments.edge.http.ReceiveBody;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The mesh's internal routes; {@code EdgeRoutes} puts each behind the cluster key. A heartbeat is
 * answered with this node's own; the view shows this node's map; drain and undrain change this
 * node's state and tell every peer at once.
 */
public final class MeshHandlers {
  public static final String VIEW_PATH = "/internal/mesh";
  public static final String DRAIN_PATH = "/internal/mesh/drain";
  public static final String UNDRAIN_PATH = "/internal/mesh/undrain";

  private final Heartbeats heartbeats;

  public MeshHandlers(Heartbeats heartbeats) {
    this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
  }

  /** {@code POST /internal/mesh/heartbeat}: takes a peer's heartbeat, answers with this node's. */
  public HttpHandler heartbeat() {
    return exchange -> {
      Heartbeat theirs;
      try {
        theirs = HttpHeartbeats.JSON.readValue(ReceiveBody.of(exchange), Heartbeat.class);
        heartbeats.mesh().receive(theirs);
      } catch (IOException | IllegalArgumentException e) {
        throw ApiException.badRequest("invalid_heartbeat", "not a usable heartbeat");
      }
      JsonResponses.send(exchange, 200, heartbeats.mesh().self());
    };
  }

  /**
   * {@code POST /internal/mesh/presence}: takes a peer's share of its readers, answers with the
   * version of that peer's counts this node holds now.
   */
  public HttpHandler presence() {
    return exchange -> {
      long held;
      try {
        PresenceShare share =
            HttpHeartbeats.JSON.readValue(ReceiveBody.of(exchange), PresenceShare.class);
        held = heartbeats.mesh().presence().receive(share);
      } catch (IOException | IllegalArgumentException e) {
        throw ApiException.badRequest("invalid_presence", "not a usable presence share");
      }
      JsonResponses.send(exchange, 200, new PresenceShare.Held(held));
    };
  }

  /** {@code GET /internal/mesh}: every member as this node sees it. */
  public HttpHandler view() {
    return exchange -> JsonResponses.send(exchange, 200, view(heartbeats.mesh()));
  }

  /** {@code POST /internal/mesh/drain} or {@code undrain}. */
  public HttpHandler drain(boolean drain) {
    return exchange -> {
      Mesh mesh = heartbeats.mesh();
      if (drain) {
        mesh.drain();
      } else {
        mesh.undrain();
      }
      Heartbeats.Told told = heartbeats.tellNow();
      JsonResponses.send(
          exchange,
          200,
          new Drained(mesh.self().id(), mesh.self().state(), told.told(), told.unreachable()));
    };
  }

  record Drained(String node, MemberState state, List<String> told, List<String> unreachable) {}

  record View(String node, List<MemberView> members) {}

  record MemberView(
      String id,
      String deployment,
      String region,
      List<String> addresses,
      MemberState state,
      boolean ready,
      boolean serving,
      long lagEvents,
      long lagMs,
      double canaryShare,
      Long silentMs) {}

  private static View view(Mesh mesh) {
    Map<String, Duration> silence = mesh.silence();
    List<MemberView> members =
        mesh.members().stream()
            .map(
                m ->
                    new MemberView(
                        m.id(),
                        m.deployment(),
                        m.region(),
                        m.addresses().stream().map(InetAddress::getHostAddress).toList(),
                        m.state(),
                        m.ready(),
                        m.serving(),
                        m.lagEvents(),
                        m.lagMs(),
                        m.canaryShare(),
                        m.self() ? null : silence.get(m.id()).toMillis()))
            .toList();
    return new View(mesh.settings().nodeId(), members);
  }
}
