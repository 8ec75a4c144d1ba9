package dev.comments.command.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.command.store.EventSerialization;
import dev.comments.events.TenantStream;
import dev.comments.events.command.RegisterMedia;
import dev.comments.events.command.RemoveMedia;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The check a post makes of the media it names, against real {@link MediaItem} aggregates. */
class MediaReferencesTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String PNG = "3f9a0c2e7b6d41e58a1f0d2c9b8e7a61";
  private static final String GIF = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

  private Configuration axon;
  private MediaReferences references;

  @BeforeEach
  void startAxon() {
    Serializer serializer = EventSerialization.newSerializer();
    axon =
        DefaultConfigurer.defaultConfiguration(false)
            .configureSerializer(c -> serializer)
            .configureEventSerializer(c -> serializer)
            .configureMessageSerializer(c -> serializer)
            .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
            .configureAggregate(
                AggregateConfigurer.defaultConfiguration(MediaItem.class)
                    .configureCommandTargetResolver(c -> new MediaCommandTargetResolver()))
            .start();
    references = new MediaReferences(axon.commandGateway(), Clock.fixed(T0, ZoneOffset.UTC));
  }

  @AfterEach
  void stopAxon() {
    axon.shutdown();
  }

  private void upload(String tenant, String mediaId) {
    axon.commandGateway()
        .sendAndWait(
            GenericCommandMessage.asCommandMessage(
                new RegisterMedia(
                    tenant, mediaId, "ab".repeat(32), "image/png", 68, 1, 1, "s-1", T0)));
  }

  private void remove(String tenant, String mediaId) {
    axon.commandGateway()
        .sendAndWait(
            GenericCommandMessage.asCommandMessage(new RemoveMedia(tenant, mediaId, "mod", T0)));
  }

  private long eventsOf(String tenant, String mediaId) {
    return axon.eventStore()
        .readEvents(TenantStream.media(tenant, mediaId).streamId())
        .asStream()
        .count();
  }

  @Test
  void accepts_media_uploaded_in_the_same_tenant_and_logs_nothing() {
    upload("demo", PNG);
    upload("demo", GIF);

    assertThatCode(() -> references.check("demo", List.of(PNG, GIF))).doesNotThrowAnyException();
    assertThat(eventsOf("demo", PNG)).isEqualTo(1);
  }

  @Test
  void accepts_no_media_without_asking_anything() {
    assertThatCode(() -> references.check("demo", List.of())).doesNotThrowAnyException();
  }

  @Test
  void refuses_media_never_uploaded_as_unknown_media() {
    upload("demo", PNG);

    assertThatThrownBy(() -> references.check("demo", List.of(PNG, GIF)))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> {
              assertThat(e.rejection()).isEqualTo(Rejection.UNKNOWN_MEDIA);
              assertThat(e.getMessage()).contains(GIF).contains("demo");
            });
  }

  @Test
  void refuses_media_of_another_tenant_as_unknown_media() {
    upload("other", PNG);

    assertThatThrownBy(() -> references.check("demo", List.of(PNG)))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> assertThat(e.rejection()).isEqualTo(Rejection.UNKNOWN_MEDIA));
  }

  @Test
  void refuses_removed_media_as_media_removed() {
    upload("demo", PNG);
    remove("demo", PNG);

    assertThatThrownBy(() -> references.check("demo", List.of(PNG)))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> {
              assertThat(e.rejection()).isEqualTo(Rejection.MEDIA_REMOVED);
              assertThat(e.rejection().code()).isEqualTo("media_removed");
            });
    assertThat(eventsOf("demo", PNG)).isEqualTo(2);
  }

  @Test
  void refuses_an_id_of_another_form_as_unknown_media_without_repeating_it() {
    assertThatThrownBy(() -> references.check("demo", List.of("../x/<script>")))
        .isInstanceOfSatisfying(
            CommandRejectedException.class,
            e -> {
              assertThat(e.rejection()).isEqualTo(Rejection.UNKNOWN_MEDIA);
              assertThat(e.getMessage()).doesNotContain("script");
            });
  }

  @Test
  void refuses_more_media_than_a_comment_shows_or_an_id_twice() {
    assertThatThrownBy(() -> references.check("demo", List.of(PNG, PNG)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                references.check(
                    "demo", List.of(PNG, GIF, "1".repeat(32), "2".repeat(32), "3".repeat(32))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
