package dev.comments.infra.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The secrets of a local deployment (a dev node, or every node of a local cluster): one per purpose
 * ({@code session-secret}, {@code consistency-secret}, {@code cluster-secret}) and the admin key of
 * the demo tenant ({@code admin-key}), made once per data directory and kept there, readable by the
 * owner only. A file from an older version gains the secrets it lacks; the shared {@code
 * moderator-key} an older version made stays in the file but is no longer given to the node.
 */
public final class DevSecrets {
  /** The id of every dev key: a dev deployment never rotates, it starts afresh. */
  public static final String KEY_ID = "dev-1";

  public static final String SESSION = "session-secret";
  public static final String CONSISTENCY = "consistency-secret";
  public static final String CLUSTER = "cluster-secret";
  public static final String ADMIN = "admin-key";

  private DevSecrets() {}

  public static Properties load(Path file) throws IOException {
    Properties secrets = new Properties();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        secrets.load(in);
      }
    }
    SecureRandom random = new SecureRandom();
    boolean added = false;
    for (String name : List.of(SESSION, CONSISTENCY, CLUSTER)) {
      if (secrets.getProperty(name) == null) {
        secrets.setProperty(name, Base64.getEncoder().encodeToString(bytes(random, 32)));
        added = true;
      }
    }
    if (secrets.getProperty(ADMIN) == null) {
      secrets.setProperty(
          ADMIN, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(random, 24)));
      added = true;
    }
    if (added) {
      store(file, secrets);
    }
    return secrets;
  }

  /** The {@code comments.*} settings that give a node these secrets, for {@code tenant}. */
  public static Map<String, String> nodeSettings(Properties secrets, String tenant) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("comments.sessions.keys.current.id", KEY_ID);
    settings.put("comments.sessions.keys.current.secret", secrets.getProperty(SESSION));
    settings.put("comments.consistency.keys.current.id", KEY_ID);
    settings.put("comments.consistency.keys.current.secret", secrets.getProperty(CONSISTENCY));
    settings.put("comments.cluster.keys.current.id", KEY_ID);
    settings.put("comments.cluster.keys.current.secret", secrets.getProperty(CLUSTER));
    settings.put(
        "comments.tenants." + tenant + ".moderation.admin-key", secrets.getProperty(ADMIN));
    return settings;
  }

  private static void store(Path file, Properties secrets) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (!Files.exists(file)) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      secrets.store(out, "made by comments; keep private");
    }
  }

  private static byte[] bytes(SecureRandom random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }
}
