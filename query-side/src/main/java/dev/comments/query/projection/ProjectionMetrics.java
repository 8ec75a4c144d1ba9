package dev.comments.query.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/** The projection consumer's meters, tagged with the topic they consume. */
public final class ProjectionMetrics {
  final Counter applied;
  final Counter duplicates;
  final Counter undecodable;
  final Counter gaps;
  final Counter failures;
  final Timer replicationDelay;

  public ProjectionMetrics(MeterRegistry registry, String topic, ConsumerStatus status) {
    Tags tags = Tags.of("topic", topic);
    Gauge.builder("comments.projection.lag.events", status, ConsumerStatus::lagEvents)
        .description("events in the log not yet applied, over all partitions")
        .tags(tags)
        .register(registry);
    Gauge.builder("comments.projection.lag.seconds", status, s -> s.lag().toMillis() / 1000.0)
        .description(
            "staleness bound: time since the latest moment whose log contents are all applied")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    Gauge.builder("comments.projection.stale", status, s -> s.stale() ? 1 : 0)
        .description("1 while reads are flagged stale (log unreached for 3 s or lag above 10 s)")
        .tags(tags)
        .register(registry);
    applied =
        Counter.builder("comments.projection.applied")
            .description("events applied to the projections")
            .tags(tags)
            .register(registry);
    duplicates =
        Counter.builder("comments.projection.duplicates")
            .description("events skipped because they had been applied already")
            .tags(tags)
            .register(registry);
    undecodable =
        Counter.builder("comments.projection.undecodable")
            .description("log records that could not be decoded and were skipped")
            .tags(tags)
            .register(registry);
    gaps =
        Counter.builder("comments.projection.gaps")
            .description(
                "events applied although an earlier sequence number of their thread is missing")
            .tags(tags)
            .register(registry);
    failures =
        Counter.builder("comments.projection.failures")
            .description("batches that failed (store or log unavailable) and were retried")
            .tags(tags)
            .register(registry);
    // A histogram, not a gauge: replication lag is judged by its tail, and buckets aggregate
    // across scrapes and nodes where precomputed percentiles cannot.
    replicationDelay =
        Timer.builder("comments.projection.replication.delay")
            .description("time from an event's write on the primary to its application here")
            .publishPercentileHistogram()
            .tags(tags)
            .register(registry);
  }
}
