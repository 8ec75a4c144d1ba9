package dev.comments.edge.mesh;

import dev.comments.query.ProjectionStatus;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's map of the mesh: itself, live from its own projection's status and the operator's
 * drain, and every peer as its last heartbeat described it. A peer silent for longer than {@code
 * downAfter} is DOWN; silence is measured on this node's clock from the heartbeat's arrival, so
 * clocks that disagree between nodes change nothing. Reads never block: the DNS server reads the
 * map on every query.
 */
public final class Mesh {
  private final MeshSettings settings;
  private final ProjectionStatus status;
  private final Clock clock;
  private final Map<String, Received> peers = new ConcurrentHashMap<>();
  private volatile boolean draining;
  private volatile boolean listening;
  private volatile boolean leaving;
  private final long incarnation = new SecureRandom().nextLong();
  private final AtomicLong seq = new AtomicLong();
  private final MeshPresence presence = new MeshPresence(this);

  private record Received(Heartbeat heartbeat, List<InetAddress> addresses, Instant at) {}

  public Mesh(MeshSettings settings, ProjectionStatus status, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.status = Objects.requireNonNull(status, "status");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public MeshSettings settings() {
    return settings;
  }

  /**
   * What this node says of itself now: ready once its edge listens and while its projection is
   * caught up; draining when the operator drained it or it is stopping.
   */
  public Heartbeat self() {
    return new Heartbeat(
        settings.nodeId(),
        settings.deployment(),
        settings.region(),
        settings.latitude(),
        settings.longitude(),
        settings.addresses().stream().map(InetAddress::getHostAddress).toList(),
        draining || leaving ? MemberState.DRAINING : MemberState.UP,
        listening && status.caughtUp(),
        status.lagEvents(),
        status.lag().toMillis(),
        settings.canaryShare(),
        incarnation,
        seq.incrementAndGet());
  }

  /**
   * Records a peer's heartbeat.
   *
   * @throws IllegalArgumentException when it names this node or holds an address that is not an IP
   *     literal: both mean a misconfigured peer, and a name would need a lookup on the DNS path
   */
  public void receive(Heartbeat heartbeat) {
    if (heartbeat.id().equals(settings.nodeId())) {
      throw new IllegalArgumentException("a heartbeat from another node with this node's id");
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (String address : heartbeat.addresses()) {
      addresses.add(InetAddress.ofLiteral(address));
    }
    Received received = new Received(heartbeat, addresses, clock.instant());
    // Heartbeats travel concurrently (the periodic one, a drain's, the answers): never let an older
    // one of the same process overwrite a newer one. A new incarnation (a restart) always wins.
    peers.merge(
        heartbeat.id(),
        received,
        (known, arriving) -> newer(arriving.heartbeat(), known.heartbeat()) ? arriving : known);
  }

  private static boolean newer(Heartbeat arriving, Heartbeat known) {
    return arriving.incarnation() != known.incarnation() || arriving.seq() > known.seq();
  }

  /** Readers across the deployment: this node's to share, the peers' as they told them. */
  public MeshPresence presence() {
    return presence;
  }

  long incarnation() {
    return incarnation;
  }

  /** A peer as its presence counts: its state now, its process, whether of this deployment. */
  record Standing(MemberState state, long incarnation, boolean sameDeployment) {}

  /** Every peer heard of, by id. */
  Map<String, Standing> standings() {
    Instant now = clock.instant();
    Map<String, Standing> standings = new HashMap<>();
    peers.forEach(
        (id, r) ->
            standings.put(
                id,
                new Standing(
                    stateOf(r, now),
                    r.heartbeat().incarnation(),
                    r.heartbeat().deployment().equals(settings.deployment()))));
    return standings;
  }

  /** Takes this node out of DNS answers everywhere, once its peers have heard it. */
  public void drain() {
    draining = true;
  }

  /**
   * The edge listens: until then the node is not ready, whatever its projection, so that no peer
   * sends clients to a port that refuses them.
   */
  public void listening() {
    listening = true;
  }

  /** The node is stopping: it leaves every answer before its edge closes. */
  public void leaving() {
    leaving = true;
  }

  public void undrain() {
    draining = false;
  }

  public boolean draining() {
    return draining;
  }

  /** Every member, this node first, then the peers by id. */
  public List<Member> members() {
    Instant now = clock.instant();
    Heartbeat self = self();
    List<Member> members = new ArrayList<>();
    members.add(member(self, settings.addresses(), self.state(), true));
    peers.values().stream()
        .sorted(Comparator.comparing(r -> r.heartbeat().id()))
        .forEach(r -> members.add(member(r.heartbeat(), r.addresses(), stateOf(r, now), false)));
    return members;
  }

  private MemberState stateOf(Received r, Instant now) {
    boolean silent = Duration.between(r.at(), now).compareTo(settings.downAfter()) > 0;
    return silent ? MemberState.DOWN : r.heartbeat().state();
  }

  /** How long ago each peer was last heard of, for the operator's view. */
  public Map<String, Duration> silence() {
    Instant now = clock.instant();
    Map<String, Duration> silence = new TreeMap<>();
    peers.forEach((id, r) -> silence.put(id, Duration.between(r.at(), now)));
    return silence;
  }

  private static Member member(
      Heartbeat h, List<InetAddress> addresses, MemberState state, boolean self) {
    return new Member(
        h.id(),
        h.deployment(),
        h.region(),
        h.latitude(),
        h.longitude(),
        addresses,
        state,
        h.ready(),
        h.lagEvents(),
        h.lagMs(),
        h.canaryShare(),
        self);
  }
}
