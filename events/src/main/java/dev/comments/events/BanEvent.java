package dev.comments.events;

/**
 * Everything that can happen to a user's standing in a tenant. Tenant-scoped, not thread-scoped:
 * one stream per user ({@code ban:tenant/userId}), so every node learns of a ban from the log and
 * refuses the user's writes on its own.
 */
public sealed interface BanEvent extends LoggedEvent permits UserBanned, UserUnbanned {
  String KIND = "ban";

  /** The banned user's id, as comments name their author. */
  String userId();

  @Override
  default TenantStream stream() {
    return new TenantStream(KIND, tenant(), userId());
  }
}
