package dev.comments.geodns.geo;

/**
 * A node as the index sees it: where it is, not whether it is up. Rankings are precomputed over
 * sites, so a node's state can change on every query without touching the index.
 */
public record Site(String nodeId, Coordinates location) {}
