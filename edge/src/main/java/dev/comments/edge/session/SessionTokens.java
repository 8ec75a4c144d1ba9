package dev.comments.edge.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.comments.edge.http.ApiException;
import dev.comments.edge.security.DerivedKeys;
import dev.comments.edge.security.KeyRing;
import dev.comments.edge.security.SigningKey;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Issues and verifies anonymous session tokens: JWS HS256 with {@code kid} = the signing key's id,
 * {@code sub} = session id, {@code aud} = tenant, {@code name} = display name, {@code iat} and
 * {@code exp}. New tokens are signed with the ring's current key; verification accepts HS256 only
 * (never {@code none}, never another algorithm), a {@code kid} the ring accepts at that instant
 * (the current key, or a previous one within its window), the MAC, the expiry against the injected
 * clock and the tenant. Each failure has its own 401 code.
 */
public final class SessionTokens {
  static final String PURPOSE = "comments/session-token/v1";
  private static final int SESSION_ID_BYTES = 18; // 144 bits, 24 url-safe characters
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{22,64}");
  private static final int MAX_TOKEN_LENGTH = 4096;
  private static final int VERIFIED_TOKENS = 10_000;

  private final KeyRing keys;
  private final String signingKeyId;
  private final JWSSigner signer;
  private final Map<String, JWSVerifier> verifiers;
  private final Duration ttl;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** A token verified in full: the session it carries, and the key it was signed with. */
  private record Verified(Session session, String keyId) {}

  /**
   * Tokens verified in full, by their exact text: a reader sends the same token with every request,
   * and parsing and checking it (JSON, HMAC) cost a third of a page read's CPU. What changes with
   * time is checked again at each use: the expiry, and whether the key is still accepted.
   */
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder().maximumSize(VERIFIED_TOKENS).build();

  public SessionTokens(KeyRing keys, Duration ttl, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.signingKeyId = keys.current().id();
    Map<String, JWSVerifier> byId = new HashMap<>();
    try {
      this.signer = new MACSigner(derived(keys.current()));
      byId.put(keys.current().id(), new MACVerifier(derived(keys.current())));
      for (KeyRing.PreviousKey previous : keys.previous()) {
        byId.put(previous.key().id(), new MACVerifier(derived(previous.key())));
      }
    } catch (JOSEException e) {
      throw new IllegalArgumentException("session key rejected", e);
    }
    this.verifiers = Map.copyOf(byId);
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public IssuedSession issue(String tenant, String displayName) {
    // JWT times are whole seconds: truncate so that expiresAt says exactly what exp says.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant expiresAt = now.plus(ttl);
    String sessionId = newSessionId();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(sessionId)
            .audience(tenant)
            .claim("name", displayName)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expiresAt))
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(JOSEObjectType.JWT)
                .keyID(signingKeyId)
                .build(),
            claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("could not sign a session token", e);
    }
    return new IssuedSession(
        jwt.serialize(), new Session(tenant, sessionId, displayName, expiresAt));
  }

  /**
   * @throws ApiException {@code 401} {@code session_invalid}, {@code session_expired} or {@code
   *     session_wrong_tenant}
   */
  public Session verify(String token, String tenant) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw invalid("the session token is too long");
    }
    Verified known = verified.getIfPresent(token);
    if (known != null) {
      Instant now = clock.instant();
      if (known.session().tenant().equals(tenant)
          && known.session().expiresAt().isAfter(now)
          && keys.verifying(known.keyId(), now).isPresent()) {
        return known.session();
      }
      // Verified again in full, which says why it is refused now.
    }
    Verified checked = verifyInFull(token, tenant);
    verified.put(token, checked);
    return checked.session();
  }

  private Verified verifyInFull(String token, String tenant) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
        throw invalid("the session token must be signed with HS256");
      }
      String keyId = jwt.getHeader().getKeyID();
      if (keyId == null) {
        throw invalid("the session token names no key");
      }
      if (keys.verifying(keyId, clock.instant()).isEmpty()) {
        throw invalid("the session token was signed with a key this service does not accept");
      }
      if (!jwt.verify(verifiers.get(keyId))) {
        throw invalid("the session token's signature does not match");
      }
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw invalid("the session token is malformed");
    }
    Date expiry = claims.getExpirationTime();
    if (expiry == null) {
      throw invalid("the session token has no expiry");
    }
    if (!expiry.toInstant().isAfter(clock.instant())) {
      throw unauthorized(
          "session_expired", "the session expired; create a new one with POST …/sessions");
    }
    List<String> audience = claims.getAudience();
    // tenant first: a signed "aud": [null] is a list holding null (found by fuzzing).
    if (audience.size() != 1 || !tenant.equals(audience.getFirst())) {
      throw unauthorized("session_wrong_tenant", "the session token was issued for another tenant");
    }
    String sessionId = claims.getSubject();
    String name;
    try {
      name = claims.getStringClaim("name");
    } catch (ParseException e) {
      throw invalid("the session token's name is not a string");
    }
    if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
      throw invalid("the session token names no valid session");
    }
    if (!DisplayName.isValid(name)) {
      throw invalid("the session token carries no valid display name");
    }
    return new Verified(
        new Session(tenant, sessionId, name, expiry.toInstant()), jwt.getHeader().getKeyID());
  }

  private static byte[] derived(SigningKey key) {
    return DerivedKeys.derive(key.secret(), PURPOSE);
  }

  private String newSessionId() {
    byte[] bytes = new byte[SESSION_ID_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static ApiException invalid(String message) {
    return unauthorized("session_invalid", message);
  }

  static ApiException unauthorized(String code, String message) {
    return new ApiException(
        401, code, message, Map.of("WWW-Authenticate", "Bearer realm=\"comments\""));
  }
}
