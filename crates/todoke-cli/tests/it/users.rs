//! `todoke user add`: an organization's staff get their accounts from the command line.

use crate::Env;
use todoke_core::Role;
use todoke_store::{OrgStore, UserStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_added_with_a_role_in_an_organization_and_a_password_shown_once() {
    let env = Env::sqlite();
    env.ok(&["init"]);
    let args = ["user", "add", "yamada", "--name", "春日部市 健康課 山田", "--org", "春日部市"];
    let out = env.ok(&[&args[..], &["--org-type", "public_body", "--role", "consignor_officer"]].concat());
    let line = out.lines().find(|l| l.contains("yamada")).unwrap_or_else(|| panic!("{out}"));
    let password = line.split_whitespace().nth(2).unwrap();
    assert_eq!(password.len(), 16, "{line}");
    let store = env.store_sqlite().await;
    let user = store.user_by_login("yamada").await.unwrap().unwrap();
    let org = store.organizations().await.unwrap().into_iter().find(|o| o.name == "春日部市").unwrap();
    assert_eq!(org.org_type, todoke_core::OrgType::PublicBody);
    assert_eq!(store.members(org.id).await.unwrap(), vec![(user, Role::ConsignorOfficer)]);
    let credentials = todoke_store::AuthStore::credentials(&store, "yamada").await.unwrap().unwrap();
    assert!(todoke_app::verify_password(credentials.password_hash.as_deref().unwrap(), password));

    let taken = env.fails(&[&args[..], &["--role", "consignor_officer"]].concat());
    assert!(taken.contains("`yamada` is taken"), "{taken}");
    let bad = env.fails(&["user", "add", "Yamada!", "--name", "x", "--org", "春日部市", "--role", "auditor"]);
    assert!(bad.contains("login: expected"), "{bad}");
    let role = env.fails(&["user", "add", "sato", "--name", "x", "--org", "春日部市", "--role", "boss"]);
    assert!(role.contains("boss"), "{role}");

    // Taken out again: no role left there; a second time is an error naming why.
    env.ok(&["user", "remove", "yamada", "--org", "春日部市"]);
    assert!(store.members(org.id).await.unwrap().is_empty());
    let again = env.fails(&["user", "remove", "yamada", "--org", "春日部市"]);
    assert!(again.contains("not a member"), "{again}");
}
