package dev.comments.edge.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * Certificates and keys as PEM files, read and written with Bouncy Castle's PEM parser, which knows
 * every form operators hand over (PKCS#8, PKCS#1 RSA, SEC1 EC keys), so we parse no ASN.1 by hand.
 */
public final class PemFiles {
  private PemFiles() {}

  /** Every certificate in the file, in order (the leaf first, for a chain). */
  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(reader)) {
      for (Object item = pem.readObject(); item != null; item = pem.readObject()) {
        if (item instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the certificates in " + file, e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a usable certificate in " + file, e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no PEM certificate in " + file);
    }
    return List.copyOf(certificates);
  }

  /** The one private key in the file. */
  public static PrivateKey readPrivateKey(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser pem = new PEMParser(reader)) {
      for (Object item = pem.readObject(); item != null; item = pem.readObject()) {
        switch (item) {
          case PEMKeyPair pair -> {
            return converter.getPrivateKey(pair.getPrivateKeyInfo());
          }
          case PrivateKeyInfo info -> {
            return converter.getPrivateKey(info);
          }
          default -> {
            // EC parameters and the like come before the key; skip them.
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the private key in " + file, e);
    }
    throw new IllegalArgumentException("no unencrypted PEM private key in " + file);
  }

  /** Writes the key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), the form every tool reads. */
  public static void writePrivateKey(Path file, PrivateKey key) {
    try {
      write(file, new JcaPKCS8Generator(key, null));
    } catch (PemGenerationException e) {
      throw new IllegalArgumentException("cannot encode the private key", e);
    }
  }

  /** Writes the objects as PEM, atomically: a reader sees the old file or the whole new one. */
  public static void write(Path file, Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        pem.writeObject(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path partial = Files.createTempFile(dir, file.getFileName().toString(), ".partial");
      Files.writeString(partial, text.toString(), StandardCharsets.US_ASCII);
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
