package dev.comments.geodns.geo;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.geoip2.record.Continent;
import com.maxmind.geoip2.record.Location;
import java.util.Optional;

/**
 * The two fields of a City or Country record that placing a network needs, decoded with GeoIP2's
 * own record types. Decoding the whole {@code CityResponse} (names in eight languages,
 * subdivisions, postal codes) for every network would multiply the build's time and garbage for
 * nothing.
 */
public record GeoRecord(Location location, Continent continent) {
  @MaxMindDbConstructor
  public GeoRecord(
      @MaxMindDbParameter(name = "location") Location location,
      @MaxMindDbParameter(name = "continent") Continent continent) {
    this.location = location;
    this.continent = continent;
  }

  /** The city's point when the database has one, else the continent's centre. */
  Optional<Coordinates> coordinates() {
    if (location != null && location.latitude() != null && location.longitude() != null) {
      return Optional.of(new Coordinates(location.latitude(), location.longitude()));
    }
    return Continents.centre(continent == null ? null : continent.code());
  }
}
