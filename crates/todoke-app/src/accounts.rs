//! Accounts: Argon2id password hashes, the first administrator, and the demo case with its users.

use crate::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rand::RngCore as _;
use todoke_core::{OrgType, Role};
use todoke_store::{Actor, AuthStore, IncidentStore, OrgStore, UserStore};

/// The organization of the deployment's administrators, who manage accounts but see no case of
/// another organization.
pub const SYSTEM_ORG: &str = "todoke 管理";

/// Argon2id with the OWASP minimum: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of a password's Argon2id hash.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Stored(e.to_string()))
}

/// Whether `password` matches `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A random password of 16 URL-safe characters (96 bits).
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A user just made, with the password to sign in with (shown this once).
#[derive(Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The sign-in name.
    pub login: String,
    /// The password, shown once.
    pub password: String,
    /// What the user is, in a few words.
    pub about: String,
}

impl std::fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoUser").field("login", &self.login).finish_non_exhaustive()
    }
}

async fn new_user<S>(
    store: &S,
    actor: &Actor,
    login: &str,
    name: &str,
    org: &str,
    org_type: OrgType,
    role: Role,
) -> Result<DemoUser, AppError>
where
    S: UserStore + OrgStore + AuthStore + Sync,
{
    let org = store.ensure_organization(actor, org, org_type).await?;
    let user = store.create_user(actor, login, name).await?;
    let password = random_password();
    store.set_password_hash(actor, user.id, &hash_password(&password)?).await?;
    store.add_membership(actor, user.id, org.id, role).await?;
    Ok(DemoUser { login: login.into(), password, about: format!("{name}（{}）", org.name) })
}

/// Makes a user with a role in an organization (made when new, of `org_type`), with a random
/// password; returns it with the password, shown once.
pub async fn add_user<S>(
    store: &S,
    actor: &Actor,
    login: &str,
    name: &str,
    (org, org_type): (&str, OrgType),
    role: Role,
) -> Result<DemoUser, AppError>
where
    S: UserStore + OrgStore + AuthStore + Sync,
{
    let login = login.trim();
    let fine = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_');
    if login.is_empty() || login.len() > 64 || !login.chars().all(fine) {
        return Err(AppError::Invalid(format!(
            "login: expected 1 to 64 of a-z, 0-9, '.', '-' and '_', found `{login}`"
        )));
    }
    if name.trim().is_empty() {
        return Err(AppError::Invalid("name: the name others see is needed".into()));
    }
    // The deployment's own organization holds its administrators and auditors only.
    if org.trim().is_empty() || org.trim() == SYSTEM_ORG && !matches!(role, Role::Admin | Role::Auditor) {
        return Err(AppError::Invalid(format!("org: expected an organization's name, found `{}`", org.trim())));
    }
    if store.user_by_login(login).await?.is_some() {
        return Err(AppError::Invalid(format!("login: `{login}` is taken")));
    }
    new_user(store, actor, login, name.trim(), org.trim(), org_type, role).await
}

/// Takes the user `login` out of the organization named `org` and ends their sessions, so that
/// they lose what it gave them at once. Nobody takes themselves out (an administrator would lock
/// the organization out of its own accounts).
pub async fn remove_member<S>(store: &S, actor: &Actor, login: &str, org: &str) -> Result<(), AppError>
where
    S: UserStore + OrgStore + AuthStore + Sync,
{
    let user = store.user_by_login(login).await?.ok_or_else(|| AppError::NoSuchUser(login.to_string()))?;
    if *actor == Actor::user(user.id) {
        return Err(AppError::Invalid(format!("login: `{login}` is you; ask another administrator")));
    }
    let org = store
        .organizations()
        .await?
        .into_iter()
        .find(|o| o.name == org.trim())
        .ok_or_else(|| AppError::Invalid(format!("org: no organization `{}`", org.trim())))?;
    if !store.remove_membership(actor, user.id, org.id).await? {
        return Err(AppError::Invalid(format!("login: `{login}` is not a member of {}", org.name)));
    }
    store.delete_user_sessions(user.id).await?;
    Ok(())
}

/// Makes the first administrator when the deployment has none; returns it with its password.
pub async fn ensure_admin<S>(store: &S, actor: &Actor) -> Result<Option<DemoUser>, AppError>
where
    S: UserStore + OrgStore + AuthStore + Sync,
{
    if store.user_by_login("admin").await?.is_some() {
        return Ok(None);
    }
    let admin = new_user(store, actor, "admin", "管理者", SYSTEM_ORG, OrgType::Business, Role::Admin).await?;
    Ok(Some(admin))
}

/// Sets a new random password for a user; returns it.
pub async fn reset_password<S>(store: &S, actor: &Actor, login: &str) -> Result<String, AppError>
where
    S: UserStore + AuthStore + Sync,
{
    let user = store.user_by_login(login).await?.ok_or_else(|| AppError::NoSuchUser(login.to_string()))?;
    let password = random_password();
    store.set_password_hash(actor, user.id, &hash_password(&password)?).await?;
    Ok(password)
}

/// The seed case: the foundation's ransomware and its consignor cities.
const DEMO_CASE: &str = include_str!("../../../examples/saitama-foundation-ransomware.toml");

/// Loads the seed case with one user for each role at the foundation (staff, call center, auditor)
/// and one officer for two of its consignor cities, unless the case is already there. Returns the users made, with their passwords.
pub async fn load_demo<S>(store: &S, actor: &Actor) -> Result<Vec<DemoUser>, AppError>
where
    S: UserStore + OrgStore + AuthStore + IncidentStore + Sync,
{
    let facts = todoke_core::facts::parse_facts(DEMO_CASE).map_err(|e| AppError::Stored(e.to_string()))?;
    if store.incidents().await?.iter().any(|i| i.title == facts.title) {
        return Ok(Vec::new());
    }
    store.create_incident(actor, &facts).await?;
    let foundation = facts.handler().map(|p| p.name.clone()).unwrap_or_default();
    Ok(vec![
        new_user(
            store,
            actor,
            "foundation",
            "事業団 個人情報保護担当",
            &foundation,
            OrgType::Business,
            Role::HandlerStaff,
        )
        .await?,
        new_user(store, actor, "kasukabe", "春日部市 健康課", "春日部市", OrgType::PublicBody, Role::ConsignorOfficer)
            .await?,
        new_user(store, actor, "koshigaya", "越谷市 担当", "越谷市", OrgType::PublicBody, Role::ConsignorOfficer)
            .await?,
        new_user(store, actor, "callcenter", "事業団 コールセンター", &foundation, OrgType::Business, Role::CallCenter)
            .await?,
        new_user(store, actor, "auditor", "事業団 内部監査", &foundation, OrgType::Business, Role::Auditor).await?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong"));
        assert!(!verify_password("not a hash", "x"));
        assert_ne!(random_password(), random_password());
        assert_eq!(random_password().len(), 16);
    }
}
