//! `todoke init`: the master key file and the database schema.

use crate::cli::Global;
use crate::context::{Ctx, Database, MASTER_KEY_VAR, open_database, open_store};
use anyhow::Result;
use std::process::ExitCode;
use todoke_store::MasterKey;

pub async fn run(ctx: &Ctx, global: &Global) -> Result<ExitCode> {
    let key = if let Ok(text) = std::env::var(MASTER_KEY_VAR) {
        println!("{} {MASTER_KEY_VAR}", ctx.say("マスター鍵: 環境変数", "master key: environment variable"));
        MasterKey::from_text(&text)?
    } else if global.key_file.exists() {
        println!(
            "{} {}",
            ctx.say("マスター鍵: 既存の鍵ファイル", "master key: existing key file"),
            global.key_file.display()
        );
        MasterKey::from_file(&global.key_file)?
    } else {
        let key = MasterKey::create_file(&global.key_file)?;
        println!(
            "{} {}",
            ctx.say("マスター鍵を作成しました (0600):", "created the master key (0600):"),
            global.key_file.display()
        );
        println!(
            "{}",
            ctx.say(
                "  この鍵がなければ個人データは読めません。データベースとは別の場所にバックアップしてください。",
                "  Without this key the personal data cannot be read. Back it up apart from the database."
            )
        );
        key
    };
    match open_database(&global.database).await? {
        Database::Sqlite(db) => open_store(db, key).await?.close().await,
        Database::Postgres(db) => open_store(db, key).await?.close().await,
    }
    println!("{} {}", ctx.say("データベースの準備ができました:", "database ready:"), redact(&global.database));
    println!(
        "{}",
        ctx.say(
            "次は: todoke incident import examples/<事案>.toml",
            "next: todoke incident import examples/<case>.toml"
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates the key file when neither it nor TODOKE_MASTER_KEY exists, so that the first start of the
/// server needs no other step.
pub fn ensure_key(ctx: &Ctx, global: &Global) -> Result<()> {
    if std::env::var(MASTER_KEY_VAR).is_err() && !global.key_file.exists() {
        MasterKey::create_file(&global.key_file)?;
        eprintln!(
            "{} {}",
            ctx.say("マスター鍵を作成しました (0600):", "created the master key (0600):"),
            global.key_file.display()
        );
    }
    Ok(())
}

/// A database URL without its password, for printing.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_printed() {
        assert_eq!(redact("postgres://todoke:secret@127.0.0.1:5432/db"), "postgres://todoke:***@127.0.0.1:5432/db");
        assert_eq!(redact("sqlite://todoke.db"), "sqlite://todoke.db");
    }
}
