package dev.comments.geodns.geo;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable answer to "which nodes are nearest to this address": the database's networks ({@link
 * NetworkTable}) with, for each distinct location, the sites ranked by great-circle distance.
 * Rankings are shared: a fleet of n nodes has at most n! of them and in practice a few dozen, so
 * each location holds only the index of its ranking.
 */
public final class GeoIndex {
  private final NetworkTable table;
  private final List<Site> sites;
  private final Coordinates fallback;
  private final int[] rankingOfLocation;
  private final List<List<String>> rankings;
  private final List<String> fallbackRanking;
  private final Instant builtAt;

  private GeoIndex(NetworkTable table, List<Site> sites, Coordinates fallback, Instant builtAt) {
    this.table = table;
    this.sites = List.copyOf(sites);
    this.fallback = fallback;
    this.builtAt = builtAt;
    Map<List<String>, Integer> distinct = new HashMap<>();
    List<List<String>> ordered = new ArrayList<>();
    Coordinates[] locations = table.locations();
    this.rankingOfLocation = new int[locations.length];
    for (int i = 0; i < locations.length; i++) {
      List<String> ranking = rank(locations[i]);
      rankingOfLocation[i] =
          distinct.computeIfAbsent(
              ranking,
              r -> {
                ordered.add(r);
                return ordered.size() - 1;
              });
    }
    this.rankings = List.copyOf(ordered);
    this.fallbackRanking = rank(fallback);
  }

  /**
   * Reads the database and ranks the sites for every location in it.
   *
   * @param fallback where to place addresses the database does not know
   * @throws IndexBuildException when the database is unusable
   */
  public static GeoIndex build(
      Path database, List<Site> sites, Coordinates fallback, Instant builtAt) {
    return new GeoIndex(NetworkTable.read(database), sites, fallback, builtAt);
  }

  /** The same networks ranked over other sites: cheap, as the database is not read again. */
  public GeoIndex withSites(List<Site> newSites) {
    return new GeoIndex(table, newSites, fallback, builtAt);
  }

  public Placement place(InetAddress address) {
    NetworkTable.Hit hit = table.find(address);
    if (hit.location() == NetworkTable.UNKNOWN) {
      return new Placement(fallbackRanking, -1, true);
    }
    return new Placement(
        rankings.get(rankingOfLocation[hit.location()]), hit.prefixLength(), false);
  }

  public List<Site> sites() {
    return sites;
  }

  public Instant builtAt() {
    return builtAt;
  }

  public int networkCount() {
    return table.networkCount();
  }

  public int locationCount() {
    return table.locationCount();
  }

  public int rankingCount() {
    return rankings.size();
  }

  public String databaseType() {
    return table.databaseType();
  }

  private List<String> rank(Coordinates from) {
    // Ties (two nodes in one city) are broken by id so that every server answers alike.
    return sites.stream()
        .sorted(
            Comparator.comparingDouble((Site s) -> from.kilometresTo(s.location()))
                .thenComparing(Site::nodeId))
        .map(Site::nodeId)
        .toList();
  }
}
