package dev.comments.command.thread;

import static dev.comments.command.thread.ThreadEvents.deleted;
import static dev.comments.command.thread.ThreadEvents.flagged;
import static dev.comments.command.thread.ThreadEvents.locked;
import static dev.comments.command.thread.ThreadEvents.posted;
import static dev.comments.command.thread.ThreadEvents.reply;
import static dev.comments.command.thread.ThreadEvents.voted;
import static dev.comments.events.VoteDirection.DOWN;
import static dev.comments.events.VoteDirection.NONE;
import static dev.comments.events.VoteDirection.UP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.comments.command.store.EventSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.Test;

class ThreadSnapshotTest {
  private final Serializer serializer = EventSerialization.newSerializer();

  private static CommentThread busyThread() {
    CommentThread thread = new CommentThread();
    MetaData none = MetaData.emptyInstance();
    thread.on(posted("c1"), keyed("k-1", "h-1"), 0L);
    thread.on(reply("c2", "c1"), none, 1L);
    thread.on(reply("c3", "c2"), keyed("k-2", "h-2"), 2L);
    thread.on(deleted("c2"), none, 3L);
    thread.on(voted("c1", "bob", UP, NONE), keyed("k-3", "h-3"), 4L);
    thread.on(voted("c3", "carl", DOWN, NONE), none, 5L);
    thread.on(flagged("c1", "bob", "spam"), none, 6L);
    thread.on(locked(), none, 7L);
    return thread;
  }

  private static MetaData keyed(String key, String requestHash) {
    return MetaData.with(KeyedCommands.KEY, key).and(KeyedCommands.REQUEST_HASH, requestHash);
  }

  @Test
  void a_thread_comes_back_from_its_stored_snapshot_with_every_field_equal() {
    CommentThread thread = busyThread();

    SerializedObject<byte[]> stored = serializer.serialize(thread, byte[].class);
    CommentThread restored = serializer.deserialize(stored);

    assertThat(stored.getType().getRevision()).isEqualTo(ThreadSnapshot.REVISION);
    assertThat(restored).usingRecursiveComparison().isEqualTo(thread);
    assertThat(restored.snapshot().comments()).hasSize(3);
    assertThat(restored.snapshot().appliedKeys())
        .extracting(ThreadSnapshot.KeyState::key)
        .as("keys applied under idempotency keys, oldest first, so retries settle after a restart")
        .containsExactly("k-1", "k-2", "k-3");
  }

  @Test
  void a_snapshot_of_another_revision_is_not_used() {
    SerializedObject<byte[]> stored = serializer.serialize(busyThread(), byte[].class);
    var filter = EventSerialization.currentSnapshotsOnly();

    assertThat(filter.allow(snapshotData(stored, ThreadSnapshot.REVISION))).isTrue();
    assertThat(filter.allow(snapshotData(stored, "0"))).isFalse();
  }

  /**
   * A field the snapshot does not carry would come back empty after a restart; this names the
   * fields the snapshot carries, so a new one fails here until ThreadSnapshot (and its REVISION)
   * carries it too.
   */
  @Test
  void the_snapshot_carries_every_field_of_the_thread() {
    assertThat(
            Arrays.stream(CommentThread.class.getDeclaredFields())
                .filter(f -> !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName))
        // trustedAuthors is rebuilt from the comments' statuses, which the snapshot carries.
        .containsExactlyInAnyOrder(
            "streamId", "comments", "votes", "flags", "trustedAuthors", "locked", "appliedKeys");
  }

  private static org.axonframework.eventhandling.DomainEventData<byte[]> snapshotData(
      SerializedObject<byte[]> payload, String revision) {
    var type =
        new org.axonframework.serialization.SimpleSerializedType(
            payload.getType().getName(), revision);
    return new org.axonframework.eventhandling.GenericDomainEventEntry<>(
        "Snapshot",
        "demo/launch-day",
        7,
        "e-1",
        java.time.Instant.EPOCH,
        type.getName(),
        type.getRevision(),
        payload.getData(),
        new byte[0]);
  }
}
