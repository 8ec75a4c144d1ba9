package dev.comments.query;

import dev.comments.events.moderation.ModeratorAppointed;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Each tenant's moderators, as this node knows them: answered from memory, so checking a
 * moderator's token on every request costs no store round trip, and a dismissal read from the
 * moderators' topic refuses the token at once.
 */
public interface Moderators {
  Optional<ModeratorAppointed> find(String tenant, String moderatorId);

  /** The tenant's moderators, oldest appointment first. */
  List<ModeratorAppointed> of(String tenant);

  /**
   * Waits until this node knows {@code moderatorId} as appointed ({@code appointed}) or dismissed;
   * false if time ran out. The primary answers an appointment or dismissal only once its own node
   * shows it, so the next request there sees it.
   */
  boolean await(String tenant, String moderatorId, boolean appointed, Duration timeout)
      throws InterruptedException;

  /** No moderators: for nodes and tests without the moderators' topic. */
  Moderators NONE =
      new Moderators() {
        @Override
        public Optional<ModeratorAppointed> find(String tenant, String moderatorId) {
          return Optional.empty();
        }

        @Override
        public List<ModeratorAppointed> of(String tenant) {
          return List.of();
        }

        @Override
        public boolean await(
            String tenant, String moderatorId, boolean appointed, Duration timeout) {
          return !appointed;
        }
      };
}
