package dev.comments.geodns.geo;

import java.util.Map;
import java.util.Optional;

/**
 * Rough centres of the continents, for networks a database places only by continent (every network
 * of a Country database, and some of a City database). Closer than the fallback, which knows
 * nothing about the address at all.
 */
final class Continents {
  private static final Map<String, Coordinates> CENTRES =
      Map.of(
          "AF", new Coordinates(2.0, 17.0),
          "AN", new Coordinates(-80.0, 0.0),
          "AS", new Coordinates(34.0, 100.0),
          "EU", new Coordinates(50.0, 10.0),
          "NA", new Coordinates(45.0, -100.0),
          "OC", new Coordinates(-25.0, 135.0),
          "SA", new Coordinates(-15.0, -60.0));

  private Continents() {}

  static Optional<Coordinates> centre(String code) {
    return Optional.ofNullable(code == null ? null : CENTRES.get(code));
  }
}
