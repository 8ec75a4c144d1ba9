package dev.comments.infra.dns;

import dev.comments.edge.mesh.Member;
import dev.comments.edge.mesh.Mesh;
import dev.comments.geodns.geo.Coordinates;
import dev.comments.geodns.node.Node;
import dev.comments.geodns.node.NodeMap;
import dev.comments.geodns.node.NodeState;
import java.util.Collection;
import java.util.Objects;

/**
 * The DNS server's node map, read from this node's mesh on every query: the adapter that keeps the
 * edge and the DNS server from knowing each other. The mesh answers from memory, so this never
 * blocks.
 */
public final class MeshNodeMap implements NodeMap {
  private final Mesh mesh;

  public MeshNodeMap(Mesh mesh) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  @Override
  public Collection<Node> nodes() {
    return mesh.members().stream().map(MeshNodeMap::node).toList();
  }

  private static Node node(Member member) {
    return new Node(
        member.id(),
        member.deployment(),
        member.region(),
        new Coordinates(member.latitude(), member.longitude()),
        member.addresses(),
        switch (member.state()) {
          case UP -> NodeState.UP;
          case DRAINING -> NodeState.DRAINING;
          case DOWN -> NodeState.DOWN;
        },
        member.ready(),
        member.canaryShare());
  }
}
