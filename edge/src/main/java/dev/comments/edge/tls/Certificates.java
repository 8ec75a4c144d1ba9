package dev.comments.edge.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates a node makes for itself: a self-signed one for a dev node, or a small certificate
 * authority that issues one certificate per node of a local cluster. Keys are ECDSA P-256 (fast
 * handshakes, accepted by every current client); Bouncy Castle builds the X.509 structures.
 */
public final class Certificates {
  public static final String CERTIFICATE_FILE = "certificate.pem";
  public static final String PRIVATE_KEY_FILE = "private-key.pem";
  public static final Duration VALIDITY = Duration.ofDays(397);

  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A certificate and its key. */
  public record Issued(X509Certificate certificate, KeyPair keys) {
    /** Writes {@link #CERTIFICATE_FILE} and {@link #PRIVATE_KEY_FILE} into {@code dir}. */
    public void writeTo(Path dir) {
      PemFiles.writePrivateKey(dir.resolve(PRIVATE_KEY_FILE), keys.getPrivate());
      PemFiles.write(dir.resolve(CERTIFICATE_FILE), certificate);
    }

    public String fingerprint() {
      return Certificates.fingerprint(certificate);
    }
  }

  /** A self-signed server (and client) certificate for these names and addresses. */
  public static Issued selfSigned(List<String> names, List<InetAddress> addresses) {
    KeyPair keys = newKeys();
    X500Name subject = new X500Name("CN=" + commonName(names, addresses));
    return new Issued(sign(subject, keys, subject, keys, names, addresses, false), keys);
  }

  /** A certificate authority to issue the certificates of a deployment's nodes. */
  public static Issued authority(String name) {
    KeyPair keys = newKeys();
    X500Name subject = new X500Name("CN=" + name);
    return new Issued(sign(subject, keys, subject, keys, List.of(), List.of(), true), keys);
  }

  /** A node's certificate, issued by {@code authority}. */
  public static Issued issue(Issued authority, List<String> names, List<InetAddress> addresses) {
    KeyPair keys = newKeys();
    X500Name subject = new X500Name("CN=" + commonName(names, addresses));
    X500Name issuer =
        X500Name.getInstance(authority.certificate().getSubjectX500Principal().getEncoded());
    return new Issued(sign(subject, keys, issuer, authority.keys(), names, addresses, false), keys);
  }

  /**
   * The certificate in {@code dir}, made self-signed for these names and addresses if there is none
   * yet: a node keeps its certificate across restarts, so clients that pinned it stay happy.
   */
  public static X509Certificate selfSignedIn(
      Path dir, List<String> names, List<InetAddress> addresses) {
    Path certificate = dir.resolve(CERTIFICATE_FILE);
    if (!Files.exists(certificate) || !Files.exists(dir.resolve(PRIVATE_KEY_FILE))) {
      selfSigned(names, addresses).writeTo(dir);
    }
    return PemFiles.readCertificates(certificate).getFirst();
  }

  /** The SHA-256 fingerprint, as browsers and {@code openssl x509 -fingerprint} show it. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String commonName(List<String> names, List<InetAddress> addresses) {
    if (!names.isEmpty()) {
      return names.getFirst();
    }
    return addresses.isEmpty() ? "comments node" : addresses.getFirst().getHostAddress();
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 on this JDK", e);
    }
  }

  private static X509Certificate sign(
      X500Name subject,
      KeyPair subjectKeys,
      X500Name issuer,
      KeyPair issuerKeys,
      List<String> names,
      List<InetAddress> addresses,
      boolean authority) {
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(127, RANDOM),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(VALIDITY)),
              subject,
              subjectKeys.getPublic());
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(subjectKeys.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
      if (authority) {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        builder.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        // Both: a node's certificate also identifies it when it calls another node (mutual TLS).
        builder.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
          alternatives.add(new GeneralName(GeneralName.dNSName, name.toLowerCase(Locale.ROOT)));
        }
        for (InetAddress address : addresses) {
          alternatives.add(new GeneralName(GeneralName.iPAddress, address.getHostAddress()));
        }
        if (!alternatives.isEmpty()) {
          builder.addExtension(
              Extension.subjectAlternativeName,
              false,
              new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        }
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a certificate", e);
    }
  }
}
