package dev.comments.command.media;

import dev.comments.command.CommandRejectedException;
import dev.comments.command.MediaCommands;
import dev.comments.command.Rejection;
import dev.comments.events.ReadPreference;
import dev.comments.events.command.MediaCommand;
import dev.comments.events.command.RegisterMedia;
import dev.comments.events.command.RemoveMedia;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateNotFoundException;

/**
 * Uploads stream into {@link MediaBlobs} one chunk at a time, checked as they come ({@link
 * ImageInspector}: type by magic bytes, dimensions, the end marker) and hashed (SHA-256, the CDN's
 * ETag); a refused or cut upload leaves nothing behind. Only a complete, accepted file is
 * registered with its {@link MediaItem}, which logs {@code MediaUploaded}.
 */
public final class AxonMediaCommands implements MediaCommands {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final CommandGateway gateway;
  private final MediaBlobs blobs;
  private final MediaLimits limits;
  private final Clock clock;

  public AxonMediaCommands(
      CommandGateway gateway, MediaBlobs blobs, MediaLimits limits, Clock clock) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Uploaded upload(
      String tenant,
      String uploadedBy,
      String declaredType,
      long declaredLength,
      InputStream body) {
    ImageFormat declared =
        ImageFormat.ofDeclared(declaredType)
            .orElseThrow(
                () ->
                    new CommandRejectedException(
                        Rejection.MEDIA_TYPE_UNSUPPORTED,
                        "Content-Type '"
                            + declaredType
                            + "' is not accepted; send image/png, image/jpeg, image/gif or"
                            + " image/webp"));
    if (declaredLength > limits.maxBytes()) {
      throw tooLarge();
    }
    String mediaId = newId();
    String fileId = tenant + "/" + mediaId;
    MessageDigest sha256 = sha256();
    byte[] chunk = new byte[MediaBlobs.CHUNK_SIZE];
    byte[] tail = new byte[ImageInspector.TAIL];
    int tailLength = 0;
    long total = 0;
    int chunks = 0;
    ImageHeader header = null;
    String contentHash;
    try {
      while (true) {
        int length = readChunk(body, chunk);
        if (length == 0) {
          break;
        }
        total += length;
        if (total > limits.maxBytes()) {
          throw tooLarge();
        }
        if (header == null) {
          header = ImageInspector.header(chunk, length, length < chunk.length);
          check(header, declared);
        }
        sha256.update(chunk, 0, length);
        tailLength = keepTail(tail, tailLength, chunk, length);
        blobs.writeChunk(fileId, chunks, chunk, length);
        chunks++;
        if (length < chunk.length) {
          break;
        }
      }
      if (header == null) {
        throw new CommandRejectedException(Rejection.MEDIA_TRUNCATED, "the body is empty");
      }
      ImageInspector.checkEnd(header, tail, tailLength, total);
      contentHash = HexFormat.of().formatHex(sha256.digest());
      blobs.complete(fileId, total, header.format().mediaType(), contentHash, clock.millis());
    } catch (RuntimeException e) {
      blobs.delete(fileId, chunks);
      throw e;
    }
    try {
      send(
          new RegisterMedia(
              tenant,
              mediaId,
              contentHash,
              header.format().mediaType(),
              total,
              header.width(),
              header.height(),
              uploadedBy,
              clock.instant()));
    } catch (RuntimeException e) {
      blobs.delete(fileId, chunks);
      throw e;
    }
    return new Uploaded(
        mediaId, contentHash, header.format().mediaType(), total, header.width(), header.height());
  }

  @Override
  public void remove(String tenant, String mediaId, String moderatorId) {
    send(new RemoveMedia(tenant, mediaId, moderatorId, clock.instant()));
    blobs.deleteStored(tenant + "/" + mediaId, ReadPreference.PRIMARY);
  }

  @Override
  public Optional<Origin> open(String tenant, String mediaId, ReadPreference readPreference) {
    String fileId = tenant + "/" + mediaId;
    return blobs
        .find(fileId, readPreference)
        .map(file -> new Origin(file, blobs.open(fileId, file.length(), readPreference)));
  }

  private void check(ImageHeader header, ImageFormat declared) {
    if (header.format() != declared) {
      throw new CommandRejectedException(
          Rejection.MEDIA_TYPE_MISMATCH,
          "the body is "
              + header.format().mediaType()
              + " but Content-Type says "
              + declared.mediaType());
    }
    if (header.width() < 1 || header.height() < 1) {
      throw new CommandRejectedException(
          Rejection.MEDIA_TRUNCATED, "the image's header names no size");
    }
    if (header.width() > limits.maxSide()
        || header.height() > limits.maxSide()
        || (long) header.width() * header.height() > limits.maxPixels()) {
      throw new CommandRejectedException(
          Rejection.MEDIA_DIMENSIONS_TOO_LARGE,
          "the image is "
              + header.width()
              + "×"
              + header.height()
              + "; at most "
              + limits.maxSide()
              + " a side and "
              + limits.maxPixels()
              + " pixels are taken");
    }
  }

  private void send(MediaCommand command) {
    try {
      gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command));
    } catch (AggregateNotFoundException missing) {
      throw new CommandRejectedException(
          Rejection.MEDIA_NOT_FOUND,
          "no media " + command.mediaId() + " in tenant " + command.tenant());
    } catch (CommandExecutionException e) {
      if (e.getCause() instanceof CommandRejectedException rejected) {
        throw rejected;
      }
      throw e;
    }
  }

  private CommandRejectedException tooLarge() {
    return new CommandRejectedException(
        Rejection.MEDIA_TOO_LARGE, "an upload may be at most " + limits.maxBytes() + " bytes");
  }

  /** Reads until the chunk is full or the body ends; a body cut off by its client is truncated. */
  private static int readChunk(InputStream body, byte[] chunk) {
    try {
      return body.readNBytes(chunk, 0, chunk.length);
    } catch (IOException e) {
      throw new CommandRejectedException(
          Rejection.MEDIA_TRUNCATED, "the upload was cut short: " + e.getMessage());
    }
  }

  private static int keepTail(byte[] tail, int tailLength, byte[] chunk, int length) {
    if (length >= tail.length) {
      System.arraycopy(chunk, length - tail.length, tail, 0, tail.length);
      return tail.length;
    }
    int keep = Math.min(tailLength, tail.length - length);
    System.arraycopy(tail, tailLength - keep, tail, 0, keep);
    System.arraycopy(chunk, 0, tail, keep, length);
    return keep + length;
  }

  /** Hex, not base64url: the edge's request-target check refuses {@code _} in any path. */
  private static String newId() {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
