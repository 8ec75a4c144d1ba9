package dev.comments.command;

import dev.comments.events.moderation.ModeratorAppointed;

/**
 * A tenant's moderators, recorded for every node: once a method returns, the change is durable and
 * on its way to every node, where the moderator's token is accepted (or, once dismissed, refused).
 */
public interface ModeratorRecords {
  /**
   * @throws SessionRecords.Unavailable when the appointment could not be made durable
   */
  void appoint(ModeratorAppointed appointed);

  /**
   * @throws SessionRecords.Unavailable when the dismissal could not be made durable
   */
  void dismiss(String tenant, String moderatorId);

  /** For nodes and tests without moderators: every change is unavailable. */
  ModeratorRecords NONE =
      new ModeratorRecords() {
        @Override
        public void appoint(ModeratorAppointed appointed) {
          throw new SessionRecords.Unavailable("this node records no moderators", null);
        }

        @Override
        public void dismiss(String tenant, String moderatorId) {
          throw new SessionRecords.Unavailable("this node records no moderators", null);
        }
      };
}
