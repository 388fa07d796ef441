//! Our access tokens: JWTs signed with Ed25519 (`alg: EdDSA`, `typ: at+jwt`), checked as
//! RFC 8725 asks: one pinned algorithm, explicit `typ`, required claims, `kid` looked up only
//! in our own key set, and key-carrying headers (`jku`, `x5u`, `jwk`, `x5c`) refused.

use std::collections::HashMap;

use axis_identity::{AccessClaims, AccessTokenCodec, TokenError};
use axis_kernel::{Role, SessionId, UserId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// RFC 8725 asks for a small clock-skew allowance; we cap it at 30 s.
pub const MAX_LEEWAY_SECS: i64 = 30;

#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub issuer: String,
    pub audience: String,
    pub leeway_secs: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key is not an Ed25519 private key in PKCS#8 PEM form")]
    NotEd25519Pkcs8,
    #[error("leeway must be between 0 and {MAX_LEEWAY_SECS} seconds")]
    Leeway,
}

struct VerificationKey {
    key: DecodingKey,
    x: String,
}

/// Signs with one key and verifies with the keys it knows by `kid`.
pub struct Ed25519Codec {
    kid: String,
    signing: EncodingKey,
    verification: HashMap<String, VerificationKey>,
    settings: JwtSettings,
    validation: Validation,
}

/// The wire form of our claims; every field is required.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireClaims {
    iss: String,
    aud: String,
    sub: Uuid,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: Uuid,
    sid: Uuid,
    role: Role,
    ver: i32,
}

/// RFC 7638 thumbprint of an Ed25519 public key: a stable `kid`.
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// A new Ed25519 private key in PKCS#8 PEM form (for `axis keygen`).
pub fn generate_signing_key_pem() -> Result<String, KeyError> {
    let mut seed = [0u8; 32];
    crate::random::fill(&mut seed);
    let key = SigningKey::from_bytes(&seed);
    key.to_pkcs8_pem(LineEnding::LF).map(|pem| pem.to_string()).map_err(|_| KeyError::NotEd25519Pkcs8)
}

impl Ed25519Codec {
    pub fn from_pem(pem: &str, settings: JwtSettings) -> Result<Self, KeyError> {
        if !(0..=MAX_LEEWAY_SECS).contains(&settings.leeway_secs) {
            return Err(KeyError::Leeway);
        }
        let key = SigningKey::from_pkcs8_pem(pem).map_err(|_| KeyError::NotEd25519Pkcs8)?;
        let der = key.to_pkcs8_der().map_err(|_| KeyError::NotEd25519Pkcs8)?;
        let signing = EncodingKey::from_ed_der(der.as_bytes());
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        let kid = thumbprint(&x);
        let decoding = DecodingKey::from_ed_components(&x).map_err(|_| KeyError::NotEd25519Pkcs8)?;

        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
        // Time claims are checked against our clock below, with our leeway.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.leeway = 0;

        let mut verification = HashMap::new();
        verification.insert(kid.clone(), VerificationKey { key: decoding, x });
        Ok(Self { kid, signing, verification, settings, validation })
    }

    /// The public keys as a JWK Set, for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        let mut keys: Vec<_> = self
            .verification
            .iter()
            .map(|(kid, key)| {
                json!({"kty": "OKP", "crv": "Ed25519", "x": key.x, "kid": kid, "use": "sig", "alg": "EdDSA"})
            })
            .collect();
        keys.sort_by(|a, b| a["kid"].as_str().cmp(&b["kid"].as_str()));
        json!({ "keys": keys })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }
}

impl AccessTokenCodec for Ed25519Codec {
    fn issue(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
        header.kid = Some(self.kid.clone());
        let wire = WireClaims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: claims.sub.0,
            iat: claims.iat,
            nbf: claims.nbf,
            exp: claims.exp,
            jti: claims.jti,
            sid: claims.sid.0,
            role: claims.role,
            ver: claims.ver,
        };
        jsonwebtoken::encode(&header, &wire, &self.signing).map_err(|_| TokenError::Signing)
    }

    fn verify(&self, token: &str, now: OffsetDateTime) -> Result<AccessClaims, TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid("malformed header"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid("algorithm"));
        }
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
            return Err(TokenError::Invalid("typ"));
        }
        if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() || header.x5c.is_some() {
            return Err(TokenError::Invalid("key-carrying header"));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.verification.get(kid))
            .ok_or(TokenError::Invalid("unknown kid"))?;
        let data = jsonwebtoken::decode::<WireClaims>(token, &key.key, &self.validation)
            .map_err(|_| TokenError::Invalid("signature or claims"))?;
        let claims = data.claims;
        let now = now.unix_timestamp();
        let leeway = self.settings.leeway_secs;
        if now > claims.exp + leeway {
            return Err(TokenError::Invalid("expired"));
        }
        if claims.nbf > now + leeway || claims.iat > now + leeway {
            return Err(TokenError::Invalid("not yet valid"));
        }
        Ok(AccessClaims {
            sub: UserId(claims.sub),
            sid: SessionId(claims.sid),
            role: claims.role,
            ver: claims.ver,
            jti: claims.jti,
            iat: claims.iat,
            nbf: claims.nbf,
            exp: claims.exp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> JwtSettings {
        JwtSettings { issuer: "axis".into(), audience: "axis-api".into(), leeway_secs: 30 }
    }

    fn claims(now: i64) -> AccessClaims {
        AccessClaims {
            sub: UserId::new(),
            sid: SessionId::new(),
            role: Role::Analyst,
            ver: 2,
            jti: Uuid::now_v7(),
            iat: now,
            nbf: now,
            exp: now + 900,
        }
    }

    #[test]
    fn round_trip_and_expiry_boundary() {
        let codec = Ed25519Codec::from_pem(&generate_signing_key_pem().unwrap(), settings()).unwrap();
        let now = OffsetDateTime::now_utc();
        let issued = claims(now.unix_timestamp());
        let token = codec.issue(&issued).unwrap();
        assert_eq!(codec.verify(&token, now).unwrap(), issued);
        let exp = issued.exp;
        let at = |secs: i64| OffsetDateTime::from_unix_timestamp(secs).unwrap();
        assert!(codec.verify(&token, at(exp + 29)).is_ok(), "inside the leeway");
        assert_eq!(codec.verify(&token, at(exp + 31)), Err(TokenError::Invalid("expired")));
    }

    #[test]
    fn another_key_is_refused() {
        let ours = Ed25519Codec::from_pem(&generate_signing_key_pem().unwrap(), settings()).unwrap();
        let theirs = Ed25519Codec::from_pem(&generate_signing_key_pem().unwrap(), settings()).unwrap();
        let now = OffsetDateTime::now_utc();
        let token = theirs.issue(&claims(now.unix_timestamp())).unwrap();
        assert_eq!(ours.verify(&token, now), Err(TokenError::Invalid("unknown kid")));
    }

    #[test]
    fn jwks_lists_the_public_key_only() {
        let codec = Ed25519Codec::from_pem(&generate_signing_key_pem().unwrap(), settings()).unwrap();
        let jwks = codec.jwks();
        let key = &jwks["keys"][0];
        assert_eq!(key["kid"], codec.kid());
        assert_eq!(key["kty"], "OKP");
        assert!(key.get("d").is_none(), "no private part");
    }

    #[test]
    fn leeway_over_thirty_seconds_is_refused() {
        let mut s = settings();
        s.leeway_secs = 31;
        assert!(matches!(
            Ed25519Codec::from_pem(&generate_signing_key_pem().unwrap(), s),
            Err(KeyError::Leeway)
        ));
    }
}
