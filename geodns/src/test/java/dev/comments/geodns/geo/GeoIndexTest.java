package dev.comments.geodns.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.geodns.Fleet;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GeoIndexTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private final GeoIndex index =
      GeoIndex.build(Fleet.cityDatabase(), Fleet.sites(Fleet.threeRegions()), Fleet.SINGAPORE, NOW);

  private List<String> ranking(String address) throws Exception {
    return index.place(InetAddress.getByName(address)).ranking();
  }

  @Test
  void ranks_london_eu_central_then_us_west_then_ap_southeast() throws Exception {
    // London is 640 km from Frankfurt, 7,900 from Oregon, 10,900 from Singapore.
    assertThat(ranking("81.2.69.142")).containsExactly("eu-central", "us-west", "ap-southeast");
  }

  @Test
  void ranks_sweden_first_to_eu_central() throws Exception {
    assertThat(ranking("89.160.20.112")).first().isEqualTo("eu-central");
  }

  @Test
  void ranks_washington_state_first_to_us_west() throws Exception {
    // Over the pole, Milton (WA) is 8,200 km from Frankfurt and 13,000 from Singapore.
    assertThat(ranking("216.160.83.56")).containsExactly("us-west", "eu-central", "ap-southeast");
  }

  @Test
  void ranks_changchun_and_tokyo_first_to_ap_southeast() throws Exception {
    assertThat(ranking("175.16.199.0")).first().isEqualTo("ap-southeast");
    assertThat(ranking("2001:218::1")).first().isEqualTo("ap-southeast");
  }

  @Test
  void finds_ipv4_and_ipv6_networks_at_their_edges() throws Exception {
    // 81.2.69.142/31 in the test database: both ends inside, the next address outside.
    Placement first = index.place(InetAddress.getByName("81.2.69.142"));
    Placement last = index.place(InetAddress.getByName("81.2.69.143"));
    assertThat(first.prefixLength()).isEqualTo(31);
    assertThat(last).isEqualTo(first);
    assertThat(index.place(InetAddress.getByName("81.2.69.141")).fallback()).isTrue();
    // 2001:218::/32: its last address is inside.
    assertThat(index.place(InetAddress.getByName("2001:218:ffff:ffff:ffff:ffff:ffff:ffff")))
        .isEqualTo(index.place(InetAddress.getByName("2001:218::")));
    assertThat(index.place(InetAddress.getByName("2001:218::")).prefixLength()).isEqualTo(32);
  }

  @Test
  void places_addresses_missing_from_the_database_at_the_fallback() throws Exception {
    for (String unknown :
        List.of("127.0.0.1", "10.1.2.3", "::1", "0.0.0.0", "255.255.255.255", "ffff::1")) {
      Placement placement = index.place(InetAddress.getByName(unknown));
      assertThat(placement.fallback()).as(unknown).isTrue();
      assertThat(placement.prefixLength()).isEqualTo(-1);
      assertThat(placement.ranking()).first().isEqualTo("ap-southeast");
    }
  }

  @Test
  void re_ranks_over_new_sites_without_reading_the_database() throws Exception {
    GeoIndex withLondon =
        index.withSites(
            List.of(
                new Site("eu-central", Fleet.FRANKFURT),
                new Site("eu-west", new Coordinates(51.5, -0.1))));
    assertThat(withLondon.place(InetAddress.getByName("81.2.69.142")).ranking())
        .containsExactly("eu-west", "eu-central");
    assertThat(withLondon.networkCount()).isEqualTo(index.networkCount());
  }

  @Test
  void shares_one_ranking_among_the_many_locations_that_rank_alike() {
    assertThat(index.locationCount()).isGreaterThan(20);
    // Three sites can be ranked in at most 3! ways.
    assertThat(index.rankingCount()).isLessThanOrEqualTo(6);
  }

  @Test
  void refuses_each_broken_test_database_with_its_path_and_cause() {
    for (String broken :
        List.of(
            "GeoIP2-City-Test-Broken-Double-Format.mmdb",
            "GeoIP2-City-Test-Invalid-Node-Count.mmdb")) {
      assertThatThrownBy(
              () -> GeoIndex.build(Fleet.database(broken), List.of(), Fleet.FRANKFURT, NOW))
          .isInstanceOf(IndexBuildException.class)
          .hasMessageContaining(broken)
          .hasMessageContaining("cannot build the GeoIP index");
    }
  }
}
