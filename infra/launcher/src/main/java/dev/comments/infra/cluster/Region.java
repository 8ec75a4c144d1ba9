package dev.comments.infra.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A region of a local cluster, where its data centre would be. The catalogue is {@code
 * regions.properties}; the simulated latency between two regions follows from their distance.
 */
public record Region(String name, double latitude, double longitude) {
  private static final double EARTH_RADIUS_KM = 6371.0;

  /**
   * Light in fibre covers about 200 km per ms; real routes run about 1.7 times the great circle.
   */
  static final double KM_PER_MS = 117.0;

  /** The region of this name from the catalogue. */
  public static Region named(String name) {
    Properties catalogue = catalogue();
    String where = catalogue.getProperty(name);
    if (where == null) {
      throw new IllegalArgumentException(
          "unknown region '" + name + "'; known: " + String.join(", ", names(catalogue)));
    }
    String[] parts = where.split(",", -1);
    return new Region(name, Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
  }

  /** The great-circle distance to {@code other}, in km (haversine). */
  public double distanceKm(Region other) {
    double lat1 = Math.toRadians(latitude);
    double lat2 = Math.toRadians(other.latitude);
    double dLat = lat2 - lat1;
    double dLon = Math.toRadians(other.longitude - longitude);
    double a =
        Math.pow(Math.sin(dLat / 2), 2)
            + Math.cos(lat1) * Math.cos(lat2) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
  }

  /** The one-way network latency to {@code other} that the cluster simulates. */
  public Duration oneWayLatency(Region other) {
    return Duration.ofMillis(Math.round(distanceKm(other) / KM_PER_MS));
  }

  private static Properties catalogue() {
    Properties properties = new Properties();
    try (InputStream in = Region.class.getResourceAsStream("/regions.properties")) {
      if (in == null) {
        throw new IllegalStateException("regions.properties is missing from the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }

  private static List<String> names(Properties catalogue) {
    List<String> names = new ArrayList<>(catalogue.stringPropertyNames());
    names.sort(null);
    return names;
  }
}
