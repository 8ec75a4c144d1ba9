package dev.comments.geodns.geo;

/** A point on the Earth in degrees; the index ranks nodes by great-circle distance between two. */
public record Coordinates(double latitude, double longitude) {
  private static final double EARTH_RADIUS_KM = 6371.0088;

  public Coordinates {
    if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
      throw new IllegalArgumentException(
          "coordinates out of range: " + latitude + ", " + longitude);
    }
  }

  /** Haversine distance: accurate to well under 1 % for ranking, and stable near antipodes. */
  public double kilometresTo(Coordinates other) {
    double lat1 = Math.toRadians(latitude);
    double lat2 = Math.toRadians(other.latitude);
    double dLat = lat2 - lat1;
    double dLon = Math.toRadians(other.longitude - longitude);
    double h =
        Math.sin(dLat / 2) * Math.sin(dLat / 2)
            + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /** Parses {@code "lat,lon"}, as settings write it. */
  public static Coordinates parse(String text) {
    String[] parts = text.split(",", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("coordinates must be \"lat,lon\": " + text);
    }
    return new Coordinates(
        Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()));
  }
}
