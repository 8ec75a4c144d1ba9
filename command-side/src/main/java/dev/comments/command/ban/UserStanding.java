package dev.comments.command.ban;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;
import static org.axonframework.modelling.command.AggregateLifecycle.getVersion;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.Rejection;
import dev.comments.events.BanEvent;
import dev.comments.events.TenantStream;
import dev.comments.events.UserBanned;
import dev.comments.events.UserUnbanned;
import dev.comments.events.command.BanUser;
import dev.comments.events.command.UnbanUser;
import java.time.Instant;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;

/**
 * One user's standing in one tenant (identifier {@code ban:tenant/userId}): whether and until when
 * they are banned. A ban replaces the one before (a longer or shorter one, or for good); an unban
 * of a user not banned at that moment is refused.
 */
public final class UserStanding {
  @AggregateIdentifier private String streamId;
  private boolean banned;
  private Instant until;

  UserStanding() {}

  /** The stream of a user's standing. */
  public static String streamIdOf(String tenant, String userId) {
    return new TenantStream(BanEvent.KIND, tenant, userId).streamId();
  }

  @CommandHandler
  @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
  public long handle(BanUser cmd) {
    apply(
        new UserBanned(
            cmd.tenant(), cmd.userId(), cmd.moderatorId(), cmd.reason(), cmd.until(), cmd.at()));
    return getVersion();
  }

  @CommandHandler
  public long handle(UnbanUser cmd) {
    if (!bannedAt(cmd.at())) {
      throw notBanned(cmd.tenant(), cmd.userId());
    }
    apply(new UserUnbanned(cmd.tenant(), cmd.userId(), cmd.moderatorId(), cmd.reason(), cmd.at()));
    return getVersion();
  }

  static CommandRejectedException notBanned(String tenant, String userId) {
    return new CommandRejectedException(
        Rejection.NOT_BANNED, "user " + userId + " is not banned in tenant " + tenant);
  }

  private boolean bannedAt(Instant at) {
    return banned && (until == null || until.isAfter(at));
  }

  @EventSourcingHandler
  void on(UserBanned e) {
    streamId = e.stream().streamId();
    banned = true;
    until = e.until();
  }

  @EventSourcingHandler
  void on(UserUnbanned e) {
    banned = false;
    until = null;
  }
}
