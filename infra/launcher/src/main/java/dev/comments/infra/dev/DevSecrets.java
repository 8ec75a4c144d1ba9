package dev.comments.infra.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The secrets of a local deployment (a dev node, or every node of a local cluster): the session
 * secret ({@code session-secret}) and the moderator key of the demo tenant ({@code moderator-key}),
 * made once per data directory and kept there, readable by the owner only.
 */
public final class DevSecrets {
  private DevSecrets() {}

  public static Properties load(Path file) throws IOException {
    Properties secrets = new Properties();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        secrets.load(in);
      }
      return secrets;
    }
    SecureRandom random = new SecureRandom();
    secrets.setProperty("session-secret", Base64.getEncoder().encodeToString(bytes(random, 32)));
    secrets.setProperty(
        "moderator-key", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 24)));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (OutputStream out = Files.newOutputStream(file)) {
      secrets.store(out, "made by comments; keep private");
    }
    return secrets;
  }

  private static byte[] bytes(SecureRandom random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }
}
