package dev.comments.infra.dns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The MaxMind test database the launcher ships (MIT licence, beside it in {@code geoip/}): enough
 * for the embedded default and local clusters, which place a handful of test networks, and the same
 * one the DNS tests use. Production names a licensed database in {@code comments.dns.database}.
 */
public final class DevGeoDatabase {
  static final String RESOURCE = "/geoip/GeoIP2-City-Test.mmdb";
  public static final String FILE_NAME = "GeoIP2-City-Test.mmdb";

  private DevGeoDatabase() {}

  /**
   * Writes it into {@code dir} (by a rename, as the DNS server's reloader wants) and returns the
   * file.
   */
  public static Path writeInto(Path dir) {
    try (InputStream in = DevGeoDatabase.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      Files.createDirectories(dir);
      Path file = dir.resolve(FILE_NAME);
      Path temporary = Files.createTempFile(dir, FILE_NAME, ".tmp");
      Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
