package dev.comments.command.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.comments.events.Author;
import dev.comments.events.CommentEdited;
import dev.comments.events.CommentPosted;
import dev.comments.events.CommentStatus;
import dev.comments.events.HostPage;
import dev.comments.events.codec.EventTypes;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.extensions.mongo.DefaultMongoTemplate;
import org.axonframework.extensions.mongo.eventsourcing.eventstore.MongoEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Events stored by earlier versions of the code read as the current version out of the store. */
class ContractUpcasterTest {
  private MongoServer server;
  private MongoClient client;
  private MongoDatabase database;
  private MongoEventStorageEngine engine;

  @BeforeEach
  void startStore() {
    server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", 0);
    client = MongoClients.create("mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
    database = client.getDatabase("events");
    Serializer serializer = EventSerialization.newSerializer();
    engine =
        MongoEventStorageEngine.builder()
            .mongoTemplate(DefaultMongoTemplate.builder().mongoDatabase(database).build())
            .eventSerializer(serializer)
            .snapshotSerializer(serializer)
            .upcasterChain(new ContractUpcaster())
            .build();
  }

  @AfterEach
  void stopStore() {
    client.close();
    server.shutdownNow();
  }

  private void store(String revision, String payload) {
    store(CommentPosted.class, revision, payload);
  }

  private void store(Class<?> type, String revision, String payload) {
    database
        .getCollection("domainevents")
        .insertOne(
            new Document("aggregateIdentifier", "demo/legacy")
                .append("type", "CommentThread")
                .append("sequenceNumber", 0L)
                .append("serializedPayload", payload)
                .append("timestamp", "2026-03-01T10:22:00Z")
                .append("payloadType", type.getName())
                .append("payloadRevision", revision)
                .append("serializedMetaData", "{}")
                .append("eventIdentifier", UUID.randomUUID().toString()));
  }

  private CommentPosted readBack() {
    return (CommentPosted) readBackAny();
  }

  private Object readBackAny() {
    List<? extends DomainEventMessage<?>> events =
        engine.readEvents("demo/legacy", 0).asStream().toList();
    assertThat(events).hasSize(1);
    return events.getFirst().getPayload();
  }

  @Test
  void a_comment_edited_stored_at_version_1_reads_as_an_edit_that_keeps_the_media() {
    store(
        CommentEdited.class,
        "1",
        """
        {"tenant":"demo","thread":"legacy","commentId":"c-1","editorId":"s-42",\
        "text":"Fixed","editedAt":"2026-03-01T10:17:00Z"}""");

    assertThat(readBackAny())
        .isEqualTo(
            new CommentEdited(
                "demo",
                "legacy",
                "c-1",
                "s-42",
                "Fixed",
                Instant.parse("2026-03-01T10:17:00Z"),
                null));
  }

  @Test
  void a_comment_posted_stored_at_version_3_reads_with_no_media() {
    store(
        "3",
        """
        {"tenant":"demo","thread":"legacy","commentId":"c-3","parentId":null,\
        "author":{"kind":"anonymous","id":"s-44","name":"Lin"},"text":"Held",\
        "postedAt":"2026-03-01T10:22:00Z","status":"pending"}""");

    assertThat(readBack())
        .isEqualTo(
            new CommentPosted(
                "demo",
                "legacy",
                "c-3",
                null,
                Author.anonymous("s-44", "Lin"),
                "Held",
                Instant.parse("2026-03-01T10:22:00Z"),
                CommentStatus.PENDING,
                List.of(),
                null));
  }

  @Test
  void a_comment_posted_stored_at_version_1_climbs_every_step_to_the_current_version() {
    store(
        "1",
        """
        {"tenant":"demo","thread":"legacy","commentId":"c-1","parentId":null,\
        "authorId":"s-42","text":"First!","postedAt":"2026-03-01T10:15:30Z"}""");

    CommentPosted posted = readBack();

    assertThat(EventTypes.of(CommentPosted.class).version()).isEqualTo(5);
    assertThat(posted.author()).isEqualTo(Author.anonymous("s-42", Author.ANONYMOUS_NAME));
    assertThat(posted.status()).isEqualTo(CommentStatus.APPROVED);
    assertThat(posted.media()).isEmpty();
    assertThat(posted.page()).isNull();
  }

  @Test
  void a_comment_posted_stored_at_version_4_keeps_its_media_and_reads_with_no_page() {
    store(
        "4",
        """
        {"tenant":"demo","thread":"legacy","commentId":"c-4","parentId":null,\
        "author":{"kind":"anonymous","id":"s-45","name":"Grace"},"text":"Look",\
        "postedAt":"2026-03-01T10:23:00Z","status":"approved",\
        "media":["3f9a0c2e7b6d41e58a1f0d2c9b8e7a61"]}""");

    CommentPosted posted = readBack();

    assertThat(posted.media()).containsExactly("3f9a0c2e7b6d41e58a1f0d2c9b8e7a61");
    assertThat(posted.page()).isNull();
  }

  @Test
  void a_comment_posted_stored_at_the_current_version_keeps_its_page() {
    store(
        "5",
        """
        {"tenant":"demo","thread":"legacy","commentId":"c-5","parentId":null,\
        "author":{"kind":"anonymous","id":"s-46","name":"Ada"},"text":"Where?",\
        "postedAt":"2026-03-01T10:24:00Z","status":"pending","media":[],\
        "page":{"url":"https://news.example.com/launch","title":"Launch day"}}""");

    assertThat(readBack().page())
        .isEqualTo(new HostPage("https://news.example.com/launch", "Launch day"));
  }
}
