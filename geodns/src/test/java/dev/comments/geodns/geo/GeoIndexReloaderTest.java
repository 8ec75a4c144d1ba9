package dev.comments.geodns.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.geodns.Fleet;
import dev.comments.geodns.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeoIndexReloaderTest {
  private static final List<Site> SITES = Fleet.sites(Fleet.threeRegions());
  // In the City test database (Oxford) but not in the GeoLite2 one: it moves to the fallback.
  private static final String OXFORD = "2.2.3.1";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private Path install(String name) throws Exception {
    Path target = dir.resolve("GeoIP.mmdb");
    Path staged = dir.resolve("staged.mmdb");
    Files.copy(Fleet.database(name), staged, StandardCopyOption.REPLACE_EXISTING);
    // A rename, as geoipupdate does: the reader never sees a half-written file.
    Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  private GeoIndexReloader reloader(Path database) {
    return new GeoIndexReloader(
        database, Fleet.SINGAPORE, SITES, Duration.ofDays(7), clock, meters);
  }

  private String nearest(GeoIndexReloader reloader, String address) throws Exception {
    return reloader.current().place(InetAddress.getByName(address)).ranking().getFirst();
  }

  private double failing() {
    return meters.get("geodns.index.rebuild.failing").gauge().value();
  }

  @Test
  void refuses_to_start_on_a_broken_database() throws Exception {
    Path broken = install("GeoIP2-City-Test-Invalid-Node-Count.mmdb");
    assertThatThrownBy(() -> reloader(broken))
        .isInstanceOf(IndexBuildException.class)
        .hasMessageContaining(broken.toString());
  }

  @Test
  void refuses_to_start_without_a_database() {
    assertThatThrownBy(() -> reloader(dir.resolve("missing.mmdb")))
        .isInstanceOf(IndexBuildException.class)
        .hasMessageContaining("missing.mmdb");
  }

  @Test
  void follows_the_file_when_it_changes() throws Exception {
    Path database = install("GeoIP2-City-Test.mmdb");
    try (GeoIndexReloader reloader = reloader(database)) {
      assertThat(nearest(reloader, OXFORD)).isEqualTo("eu-central");
      assertThat(reloader.reloadIfDue()).as("nothing changed yet").isFalse();

      install("GeoLite2-City-Test.mmdb");

      assertThat(reloader.reloadIfDue()).isTrue();
      assertThat(nearest(reloader, OXFORD)).isEqualTo("ap-southeast");
      assertThat(meters.get("geodns.index.rebuilds").tag("outcome", "success").counter().count())
          .isEqualTo(1);
    }
  }

  @Test
  void rebuilds_on_schedule_even_when_the_file_is_unchanged() throws Exception {
    try (GeoIndexReloader reloader = reloader(install("GeoIP2-City-Test.mmdb"))) {
      Instant first = reloader.current().builtAt();
      clock.advance(Duration.ofDays(6));
      assertThat(reloader.reloadIfDue()).isFalse();
      clock.advance(Duration.ofDays(1));
      assertThat(reloader.reloadIfDue()).isTrue();
      assertThat(reloader.current().builtAt()).isEqualTo(first.plus(Duration.ofDays(7)));
    }
  }

  @Test
  void keeps_the_old_index_and_raises_the_metric_when_a_rebuild_fails() throws Exception {
    Path database = install("GeoIP2-City-Test.mmdb");
    try (GeoIndexReloader reloader = reloader(database)) {
      GeoIndex before = reloader.current();
      for (String broken :
          List.of(
              "GeoIP2-City-Test-Broken-Double-Format.mmdb",
              "GeoIP2-City-Test-Invalid-Node-Count.mmdb")) {
        install(broken);
        assertThat(reloader.reloadIfDue()).as(broken).isFalse();
        assertThat(reloader.current()).isSameAs(before);
        assertThat(nearest(reloader, OXFORD)).isEqualTo("eu-central");
        assertThat(failing()).isEqualTo(1.0);
      }
      assertThat(meters.get("geodns.index.rebuilds").tag("outcome", "failure").counter().count())
          .isEqualTo(2);
      assertThat(reloader.reloadIfDue()).as("a broken version is tried once").isFalse();

      install("GeoIP2-City-Test.mmdb");
      assertThat(reloader.reloadIfDue()).isTrue();
      assertThat(failing()).isZero();
    }
  }

  @Test
  void answers_from_a_whole_index_while_another_is_built() throws Exception {
    Path database = install("GeoIP2-City-Test.mmdb");
    try (GeoIndexReloader reloader = reloader(database);
        ExecutorService pool = Executors.newFixedThreadPool(2)) {
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch reading = new CountDownLatch(1);
      Future<Integer> reads =
          pool.submit(
              () -> {
                int count = 0;
                InetAddress london = InetAddress.getByName("81.2.69.142");
                while (!done.get()) {
                  // Every index, old or new, places London; a half-built one would not.
                  assertThat(reloader.current().place(london).ranking().getFirst())
                      .isEqualTo("eu-central");
                  count++;
                  reading.countDown();
                }
                return count;
              });
      reading.await();
      for (int i = 0; i < 20; i++) {
        install(i % 2 == 0 ? "GeoLite2-City-Test.mmdb" : "GeoIP2-City-Test.mmdb");
        assertThat(reloader.reload()).isTrue();
      }
      done.set(true);
      assertThat(reads.get()).isPositive();
    }
  }

  @Test
  void re_ranks_at_once_when_a_node_joins() throws Exception {
    try (GeoIndexReloader reloader = reloader(install("GeoIP2-City-Test.mmdb"))) {
      List<Site> withLondon =
          Fleet.sites(
              List.of(
                  Fleet.euCentral(),
                  Fleet.usWest(),
                  Fleet.apSoutheast(),
                  Fleet.node("eu-west", "global", new Coordinates(51.5, -0.12), "192.0.2.9")));
      assertThat(
              reloader
                  .current(withLondon)
                  .place(InetAddress.getByName("81.2.69.142"))
                  .ranking()
                  .getFirst())
          .isEqualTo("eu-west");
    }
  }
}
