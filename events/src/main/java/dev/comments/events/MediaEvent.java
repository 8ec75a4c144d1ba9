package dev.comments.events;

/**
 * Everything that can happen to an uploaded media item. Tenant-scoped, not thread-scoped: one
 * stream per item ({@code media:tenant/mediaId}), so every node learns of it from the log.
 */
public sealed interface MediaEvent extends LoggedEvent permits MediaUploaded, MediaRemoved {
  String mediaId();

  @Override
  default TenantStream stream() {
    return TenantStream.media(tenant(), mediaId());
  }
}
