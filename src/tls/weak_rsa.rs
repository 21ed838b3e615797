//! Handshake signatures by RSA keys that ring refuses (under 2048 bits), checked with RustCrypto's
//! `rsa`: PKCS#1 v1.5 (TLS 1.2) and PSS (TLS 1.2 and 1.3), SHA-256/384/512.
//!
//! Used only where the certificate itself is accepted without a CA chain (`--thumbprint`,
//! `--insecure`): the signature still proves that the server holds the certificate's private
//! key, which is what makes a pinned certificate worth pinning.

use rsa::RsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use rustls_pki_types::CertificateDer;
use sha2::{Sha256, Sha384, Sha512};
use std::sync::Arc;
use x509_cert::der::{Decode, Encode};

/// The smallest RSA modulus ring verifies.
const RING_MIN_RSA_BITS: usize = 2048;

/// The server's handshake was not signed by the key of the certificate it presented.
#[derive(Debug)]
pub struct SignatureMismatch {
    scheme: SignatureScheme,
}

impl std::fmt::Display for SignatureMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server's TLS handshake is not signed ({:?}) by the key of the certificate it presents: \
             it does not hold that certificate's private key",
            self.scheme
        )
    }
}

impl std::error::Error for SignatureMismatch {}

/// The certificate's RSA public key when ring would refuse it; `None` for any other key (or a
/// certificate that does not parse, which ring then refuses on its own).
pub fn public_key(cert: &CertificateDer<'_>) -> Option<RsaPublicKey> {
    let cert = x509_cert::Certificate::from_der(cert.as_ref()).ok()?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().ok()?;
    let key = RsaPublicKey::from_public_key_der(&spki).ok()?;
    (key.n().bits() < RING_MIN_RSA_BITS).then_some(key)
}

/// Verifies a TLS handshake signature by `key`. TLS 1.3 allows only the PSS schemes.
pub fn verify(
    key: &RsaPublicKey,
    message: &[u8],
    dss: &DigitallySignedStruct,
    tls13: bool,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    use rsa::{pkcs1v15, pss};
    let sig = dss.signature();
    let scheme = dss.scheme;
    let key = key.clone();
    let ok = match scheme {
        SignatureScheme::RSA_PSS_SHA256 => check::<pss::VerifyingKey<Sha256>, pss::Signature>(
            pss::VerifyingKey::new(key),
            message,
            sig,
        ),
        SignatureScheme::RSA_PSS_SHA384 => check::<pss::VerifyingKey<Sha384>, pss::Signature>(
            pss::VerifyingKey::new(key),
            message,
            sig,
        ),
        SignatureScheme::RSA_PSS_SHA512 => check::<pss::VerifyingKey<Sha512>, pss::Signature>(
            pss::VerifyingKey::new(key),
            message,
            sig,
        ),
        SignatureScheme::RSA_PKCS1_SHA256 if !tls13 => {
            check::<pkcs1v15::VerifyingKey<Sha256>, pkcs1v15::Signature>(
                pkcs1v15::VerifyingKey::new(key),
                message,
                sig,
            )
        }
        SignatureScheme::RSA_PKCS1_SHA384 if !tls13 => {
            check::<pkcs1v15::VerifyingKey<Sha384>, pkcs1v15::Signature>(
                pkcs1v15::VerifyingKey::new(key),
                message,
                sig,
            )
        }
        SignatureScheme::RSA_PKCS1_SHA512 if !tls13 => {
            check::<pkcs1v15::VerifyingKey<Sha512>, pkcs1v15::Signature>(
                pkcs1v15::VerifyingKey::new(key),
                message,
                sig,
            )
        }
        _ => {
            return Err(rustls::Error::PeerIncompatible(
                rustls::PeerIncompatible::NoSignatureSchemesInCommon,
            ));
        }
    };
    if ok {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(SignatureMismatch { scheme })),
        )))
    }
}

fn check<K, S>(key: K, message: &[u8], sig: &[u8]) -> bool
where
    K: Verifier<S>,
    S: for<'a> TryFrom<&'a [u8]>,
{
    match S::try_from(sig) {
        Ok(sig) => key.verify(message, &sig).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::rand_core::{CryptoRng, Error, RngCore};
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};

    /// A test-only RNG for PSS salts; determinism is fine here.
    struct Counter(u8);
    impl RngCore for Counter {
        fn next_u32(&mut self) -> u32 {
            self.0 = self.0.wrapping_add(1);
            u32::from(self.0)
        }
        fn next_u64(&mut self) -> u64 {
            u64::from(self.next_u32())
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            for b in dest {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }
    impl CryptoRng for Counter {}

    fn cert1024() -> CertificateDer<'static> {
        CertificateDer::from(include_bytes!("testdata/rsa1024-cert.der").to_vec())
    }

    fn key1024() -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_der(include_bytes!("testdata/rsa1024-key.der")).unwrap()
    }

    fn signed(scheme: SignatureScheme, key: &RsaPrivateKey, msg: &[u8]) -> Vec<u8> {
        use rsa::{pkcs1v15, pss};
        let k = key.clone();
        let mut rng = Counter(7);
        match scheme {
            SignatureScheme::RSA_PKCS1_SHA256 => {
                pkcs1v15::SigningKey::<Sha256>::new(k).sign(msg).to_vec()
            }
            SignatureScheme::RSA_PKCS1_SHA384 => {
                pkcs1v15::SigningKey::<Sha384>::new(k).sign(msg).to_vec()
            }
            SignatureScheme::RSA_PKCS1_SHA512 => {
                pkcs1v15::SigningKey::<Sha512>::new(k).sign(msg).to_vec()
            }
            SignatureScheme::RSA_PSS_SHA256 => pss::SigningKey::<Sha256>::new(k)
                .sign_with_rng(&mut rng, msg)
                .to_vec(),
            SignatureScheme::RSA_PSS_SHA384 => pss::SigningKey::<Sha384>::new(k)
                .sign_with_rng(&mut rng, msg)
                .to_vec(),
            other => panic!("{other:?}"),
        }
    }

    fn dss(scheme: SignatureScheme, sig: Vec<u8>) -> DigitallySignedStruct {
        // DigitallySignedStruct has no public constructor: decode its wire form.
        use rustls::internal::msgs::codec::Codec;
        let mut wire = u16::from(scheme).to_be_bytes().to_vec();
        wire.extend_from_slice(&(sig.len() as u16).to_be_bytes());
        wire.extend_from_slice(&sig);
        DigitallySignedStruct::read_bytes(&wire).unwrap()
    }

    #[test]
    fn only_keys_ring_refuses_are_taken() {
        assert!(public_key(&cert1024()).is_some());
        let strong = CertificateDer::from(include_bytes!("testdata/rsa2048-cert.der").to_vec());
        assert!(public_key(&strong).is_none());
        assert!(public_key(&CertificateDer::from(vec![1, 2, 3])).is_none());
    }

    #[test]
    fn pkcs1_and_pss_signatures_verify_and_others_do_not() {
        let key = key1024();
        let public = public_key(&cert1024()).unwrap();
        assert_eq!(
            public,
            key.to_public_key(),
            "the fixture's key and certificate match"
        );
        let msg = b"handshake transcript";
        for scheme in [
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::RSA_PKCS1_SHA384,
            SignatureScheme::RSA_PKCS1_SHA512,
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PSS_SHA384,
        ] {
            let sig = signed(scheme, &key, msg);
            assert!(
                verify(&public, msg, &dss(scheme, sig.clone()), false).is_ok(),
                "{scheme:?}"
            );
            let pss = matches!(
                scheme,
                SignatureScheme::RSA_PSS_SHA256 | SignatureScheme::RSA_PSS_SHA384
            );
            // TLS 1.3 allows PSS only.
            assert_eq!(
                verify(&public, msg, &dss(scheme, sig.clone()), true).is_ok(),
                pss
            );
            // Another message, or a damaged signature, does not verify.
            assert!(verify(&public, b"other", &dss(scheme, sig.clone()), false).is_err());
            let mut bad = sig;
            bad[10] ^= 1;
            assert!(verify(&public, msg, &dss(scheme, bad), false).is_err());
        }
    }

    #[test]
    fn a_signature_by_another_key_is_a_mismatch() {
        let msg = b"handshake transcript";
        let other =
            RsaPrivateKey::from_pkcs8_der(include_bytes!("testdata/other1024-key.der")).unwrap();
        let sig = signed(SignatureScheme::RSA_PSS_SHA256, &other, msg);
        let public = public_key(&cert1024()).unwrap();
        let err = verify(
            &public,
            msg,
            &dss(SignatureScheme::RSA_PSS_SHA256, sig),
            true,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("does not hold that certificate's private key")
                || format!("{err:?}").contains("SignatureMismatch"),
            "{err}"
        );
    }
}
