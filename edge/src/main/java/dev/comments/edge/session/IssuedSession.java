package dev.comments.edge.session;

/** A new session and the signed token that carries it. */
public record IssuedSession(String token, Session session) {}
