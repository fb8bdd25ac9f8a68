//! End-to-end tests of the `todoke` binary: every example imports on SQLite and PostgreSQL, bad
//! input gets a one-line reason, the audit chain catches tampering, crypto-erase works, a process killed
//! mid-way leaves nothing half-written (crash.rs), and `serve` speaks TLS (tls.rs).

mod assess;
mod audit;
mod backup;
mod campaign;
mod casebook;
mod crash;
mod docs;
mod examples;
mod incident;
mod key;
mod notice;
mod people;
mod remind;
mod serve;
mod tls;
mod users;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch folder with its own key, database and language settings.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub database: String,
    pub master_key: String,
}

/// Runs `body` on a new PostgreSQL database of its own (off the async workers: it runs the binary
/// and waits), or says it was skipped when no test server is configured.
pub async fn on_postgres(body: impl FnOnce(&Env) + Send + 'static) {
    let Some(db) = todoke_store::testkit::PgTestDb::create().await else {
        eprintln!("skipped: {} is not set", todoke_store::testkit::PG_URL_VAR);
        return;
    };
    let env = Env::postgres(&db.url);
    tokio::task::spawn_blocking(move || body(&env)).await.unwrap();
    // The database is dropped only now, after the body.
    drop(db);
}

impl Env {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite://{}", dir.path().join("todoke.db").display());
        let master_key = todoke_store::MasterKey::generate().to_text().to_string();
        Self { dir, database, master_key }
    }

    pub fn postgres(url: &str) -> Self {
        Self { database: url.to_string(), ..Self::sqlite() }
    }

    /// Runs `todoke --database URL ARGS` in the folder, with the key in the environment.
    pub fn todoke(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_todoke"))
            .arg("--database")
            .arg(&self.database)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("TODOKE_DATABASE_URL")
            .env("TODOKE_MASTER_KEY", &self.master_key)
            .env_remove("TODOKE_LANG")
            .env_remove("TODOKE_KEY_FILE")
            .output()
            .unwrap()
    }

    /// Runs `todoke ARGS` and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.todoke(args);
        assert!(out.status.success(), "todoke {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `todoke ARGS` and expects failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.todoke(args);
        assert!(!out.status.success(), "todoke {args:?} should have failed: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8(out.stderr).unwrap()
    }

    /// Imports a facts file and returns the id from the last line.
    pub fn import(&self, file: &Path) -> String {
        let out = self.ok(&["incident", "import", file.to_str().unwrap()]);
        out.lines().last().unwrap().to_string()
    }

    pub async fn store_sqlite(&self) -> todoke_store::Store<todoke_store::SqliteDb> {
        let db = todoke_store::SqliteDb::open(&self.database).await.unwrap();
        self.store(db).await
    }

    pub async fn store<D: todoke_store::Db>(&self, db: D) -> todoke_store::Store<D> {
        let key = todoke_store::MasterKey::from_text(&self.master_key).unwrap();
        todoke_store::Store::open(db, key, std::sync::Arc::new(todoke_core::SystemClock)).await.unwrap()
    }
}

/// The project's example facts files.
pub fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}
