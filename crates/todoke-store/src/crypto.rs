//! Encryption of personal data at rest.
//!
//! - The **master key** (32 random bytes) lives outside the database: in a key file made by
//!   `todoke init` (mode 0600) or in `TODOKE_MASTER_KEY`. The database stores only a check value, so a
//!   wrong key is refused instead of producing garbage. Several master keys can be held at once
//!   while one replaces another (a [`crate::keyring::KeyRing`]); each is known by its id.
//! - Each incident has its own **data key**, stored wrapped (encrypted) by the master key. Destroying
//!   it makes that incident's personal data unreadable for good (crypto-erase).
//! - Personal data is sealed with XChaCha20-Poly1305 under the data key; the associated data binds
//!   each ciphertext to its row, so a ciphertext moved to another row does not open.
//! - **Blind indexes** (HMAC-SHA256 of normalized values under a key derived from the data key) let
//!   the store match and look people up without plain text; they die with the data key too.

use crate::error::{Result, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// The first byte of every sealed value: the format, so that it can change later.
const SEALED_V1: u8 = 1;

type HmacSha256 = Hmac<Sha256>;

fn random_key() -> Zeroizing<[u8; KEY_LEN]> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    rand::rngs::OsRng.fill_bytes(key.as_mut());
    key
}

fn hkdf(ikm: &[u8], info: &str) -> Zeroizing<[u8; KEY_LEN]> {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    // A 32-byte output is always within HKDF-SHA256's limit, so expand cannot fail.
    let _ = Hkdf::<Sha256>::new(Some(b"todoke"), ikm).expand(info.as_bytes(), out.as_mut());
    out
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else { unreachable!("HMAC accepts keys of any length") };
    for part in parts {
        // Length-prefixed, so that ("ab","c") and ("a","bc") differ.
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

fn seal(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let Ok(ciphertext) = cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad }) else {
        unreachable!("XChaCha20-Poly1305 encrypts any message shorter than 256 GiB")
    };
    let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

fn open(key: &[u8; KEY_LEN], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
    let (Some(&SEALED_V1), Some(nonce), Some(ciphertext)) =
        (sealed.first(), sealed.get(1..1 + NONCE_LEN), sealed.get(1 + NONCE_LEN..))
    else {
        return Err(StoreError::Crypto("not a sealed value of a known format".into()));
    };
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad })
        .map_err(|_| StoreError::Crypto("authentication failed".into()))
}

/// The deployment's master key.
pub struct MasterKey(Zeroizing<[u8; KEY_LEN]>);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self(random_key())
    }

    /// Reads a key from its text form (base64 of 32 bytes). Of a list of keys separated by commas
    /// (`TODOKE_MASTER_KEY` during a rotation), the first, the current one.
    pub fn from_text(text: &str) -> Result<Self> {
        let text = text.split(',').next().unwrap_or_default();
        let bytes = Zeroizing::new(
            BASE64.decode(text.trim()).map_err(|_| StoreError::Key("expected base64 text of 32 bytes".into()))?,
        );
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Key(format!("expected 32 bytes, found {}", bytes.len())))?;
        Ok(Self(Zeroizing::new(key)))
    }

    /// The key's text form, for the key file.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(self.0.as_ref()))
    }

    /// Reads the key file at `path`, refusing one that others can read. A file of several keys (one
    /// a line, during a rotation) gives its first, the current one.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = read_key_file(path)?;
        let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
        Self::from_text(first).map_err(|e| StoreError::Key(format!("{}: {e}", path.display())))
    }

    /// Writes a new random key to `path` with owner-only permissions; never overwrites a file.
    pub fn create_file(path: &Path) -> Result<Self> {
        use std::io::Write as _;
        let key = Self::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .map_err(|e| StoreError::Key(format!("cannot create key file {}: {e}", path.display())))?;
        writeln!(file, "{}", key.to_text().as_str())
            .and_then(|()| file.sync_all())
            .map_err(|e| StoreError::Key(format!("cannot write key file {}: {e}", path.display())))?;
        Ok(key)
    }

    fn subkey(&self, purpose: &str) -> Zeroizing<[u8; KEY_LEN]> {
        hkdf(self.0.as_ref(), purpose)
    }

    /// A value stored in the database to recognize the key it was made with. It reveals nothing of
    /// the key.
    pub fn check_value(&self) -> String {
        hex::encode(hmac(self.subkey("todoke:key-check:v1").as_ref(), &[b"todoke"]))
    }

    /// The key's id: the first 16 hex digits of its check value, stored with every row the key
    /// protects so that the right key of a ring opens it. Short enough to read aloud, and 64 bits
    /// make two keys of one deployment sharing an id practically impossible (the full check value
    /// is compared as well when a key is registered).
    pub fn id(&self) -> String {
        let mut check = self.check_value();
        check.truncate(16);
        check
    }

    /// The key that MACs audit entries. One-way from the master key: it opens nothing, so it can
    /// outlive the master key (sealed under its successor) to keep old entries verifiable.
    pub(crate) fn audit_key(&self) -> AuditKey {
        AuditKey(self.subkey("todoke:audit-mac:v1"))
    }

    /// The MAC that makes audit entries unforgeable by someone who can write to the database but
    /// does not hold the master key.
    pub(crate) fn audit_mac(&self, entry_hash: &str) -> String {
        self.audit_key().mac(entry_hash)
    }

    /// Seals the audit key of a retired master key (`retired_id`) under this one.
    pub(crate) fn seal_audit_key(&self, retired_id: &str, key: &AuditKey) -> Vec<u8> {
        seal(&self.subkey("todoke:retired-audit-key:v1"), &retired_aad(retired_id), key.0.as_ref())
    }

    /// Opens what [`MasterKey::seal_audit_key`] sealed.
    pub(crate) fn open_audit_key(&self, retired_id: &str, sealed: &[u8]) -> Result<AuditKey> {
        let bytes =
            Zeroizing::new(open(&self.subkey("todoke:retired-audit-key:v1"), &retired_aad(retired_id), sealed)?);
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Crypto("a sealed audit key of the wrong length".into()))?;
        Ok(AuditKey(Zeroizing::new(key)))
    }

    /// Seals a user's secret (a TOTP seed) for the row `context`.
    pub(crate) fn seal_secret(&self, context: &str, secret: &[u8]) -> Vec<u8> {
        seal(&self.subkey("todoke:user-secret:v1"), context.as_bytes(), secret)
    }

    /// Opens what [`MasterKey::seal_secret`] sealed.
    pub(crate) fn open_secret(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        open(&self.subkey("todoke:user-secret:v1"), context.as_bytes(), sealed)
    }

    pub(crate) fn wrap(&self, incident_id: &str, key: &DataKey) -> Vec<u8> {
        seal(&self.subkey("todoke:wrap:v1"), &wrap_aad(incident_id), key.0.as_ref())
    }

    pub(crate) fn unwrap(&self, incident_id: &str, wrapped: &[u8]) -> Result<DataKey> {
        let bytes = Zeroizing::new(open(&self.subkey("todoke:wrap:v1"), &wrap_aad(incident_id), wrapped)?);
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Crypto("a wrapped data key of the wrong length".into()))?;
        Ok(DataKey(Zeroizing::new(key)))
    }
}

fn wrap_aad(incident_id: &str) -> Vec<u8> {
    format!("todoke:incident-key:{incident_id}").into_bytes()
}

fn retired_aad(retired_id: &str) -> Vec<u8> {
    format!("todoke:retired-audit-key:{retired_id}").into_bytes()
}

/// The MAC key of the audit chain under one master key.
pub(crate) struct AuditKey(Zeroizing<[u8; KEY_LEN]>);

impl AuditKey {
    /// The MAC of an audit entry's hash.
    pub(crate) fn mac(&self, entry_hash: &str) -> String {
        hex::encode(hmac(self.0.as_ref(), &[entry_hash.as_bytes()]))
    }
}

/// Reads a key file's text, refusing a file that others can read.
pub(crate) fn read_key_file(path: &Path) -> Result<Zeroizing<String>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        StoreError::Key(format!("cannot read key file {}: {e} (run `todoke init` to create one)", path.display()))
    })?);
    check_private(path)?;
    Ok(text)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map_err(|e| StoreError::Key(e.to_string()))?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::Key(format!(
            "key file {} can be read by others (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// One incident's data key.
pub(crate) struct DataKey(Zeroizing<[u8; KEY_LEN]>);

impl DataKey {
    pub(crate) fn generate() -> Self {
        Self(random_key())
    }

    /// Encrypts `plaintext`, bound to `context` (the table, row and purpose).
    pub(crate) fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        seal(&self.0, context.as_bytes(), plaintext)
    }

    /// Decrypts what [`DataKey::seal`] made for the same `context`.
    pub(crate) fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        open(&self.0, context.as_bytes(), sealed)
    }

    /// The blind index of a normalized value, for the purpose `tag` (e.g. `kana+birth`).
    pub(crate) fn blind_index(&self, tag: &str, parts: &[&str]) -> Vec<u8> {
        let key = hkdf(self.0.as_ref(), "todoke:blind-index:v1");
        let mut all: Vec<&[u8]> = vec![tag.as_bytes()];
        all.extend(parts.iter().map(|p| p.as_bytes()));
        hmac(key.as_ref(), &all)[..16].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let key = DataKey::generate();
        let sealed = key.seal("person:1", "山田太郎".as_bytes());
        assert_eq!(key.open("person:1", &sealed).unwrap(), "山田太郎".as_bytes());
        assert!(key.open("person:2", &sealed).is_err());
        assert!(DataKey::generate().open("person:1", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(key.open("person:1", &tampered).is_err());
    }

    #[test]
    fn data_keys_wrap_and_unwrap_only_for_their_incident() {
        let master = MasterKey::generate();
        let key = DataKey::generate();
        let wrapped = master.wrap("inc-1", &key);
        let unwrapped = master.unwrap("inc-1", &wrapped).unwrap();
        assert_eq!(unwrapped.0.as_ref(), key.0.as_ref());
        assert!(master.unwrap("inc-2", &wrapped).is_err());
        assert!(MasterKey::generate().unwrap("inc-1", &wrapped).is_err());
    }

    #[test]
    fn the_master_key_round_trips_through_text_and_is_never_printed() {
        let master = MasterKey::generate();
        let again = MasterKey::from_text(&master.to_text()).unwrap();
        assert_eq!(master.check_value(), again.check_value());
        assert_ne!(master.check_value(), MasterKey::generate().check_value());
        assert_eq!(format!("{master:?}"), "MasterKey(..)");
        assert!(MasterKey::from_text("c2hvcnQ=").is_err());
    }

    #[test]
    fn blind_indexes_depend_on_key_tag_and_value() {
        let key = DataKey::generate();
        let a = key.blind_index("kana+birth", &["やまだたろう", "1970-03-01"]);
        assert_eq!(a, key.blind_index("kana+birth", &["やまだたろう", "1970-03-01"]));
        assert_ne!(a, key.blind_index("name+birth", &["やまだたろう", "1970-03-01"]));
        assert_ne!(a, key.blind_index("kana+birth", &["やまだたろ", "う1970-03-01"]));
        assert_ne!(a, DataKey::generate().blind_index("kana+birth", &["やまだたろう", "1970-03-01"]));
    }

    #[test]
    fn key_files_are_private_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = MasterKey::create_file(&path).unwrap();
        assert_eq!(MasterKey::from_file(&path).unwrap().check_value(), key.check_value());
        assert!(MasterKey::create_file(&path).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = MasterKey::from_file(&path).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{e}");
        }
    }
}
