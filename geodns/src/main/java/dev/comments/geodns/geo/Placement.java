package dev.comments.geodns.geo;

import java.util.List;

/**
 * Where the index places an address: the node ids from nearest to farthest.
 *
 * @param prefixLength the length of the database network holding the address, or -1 when the
 *     address fell in no network and the fallback ranking was used
 */
public record Placement(List<String> ranking, int prefixLength, boolean fallback) {}
