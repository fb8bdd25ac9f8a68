//! `todoke serve --demo`: the main job starts on a fresh folder, prints how to sign in, and answers.

use crate::Env;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};

#[test]
fn serve_demo_starts_and_prints_the_accounts() {
    let env = Env::sqlite();
    let mut child = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .args(["--database", &env.database, "serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(env.dir.path())
        .env_remove("TODOKE_MASTER_KEY")
        .env_remove("TODOKE_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port: u16 = first.strip_prefix("todoke: http://localhost:").unwrap().trim_end_matches('/').parse().unwrap();
    let accounts: Vec<String> = lines.by_ref().skip(1).take(6).map(Result::unwrap).collect();
    for login in ["admin", "foundation", "kasukabe", "koshigaya", "callcenter", "auditor"] {
        assert!(accounts.iter().any(|l| l.trim_start().starts_with(login)), "{login} in {accounts:?}");
    }
    // The demo cities' synthetic lists were imported: a person to try "am I affected?" with.
    let try_line = lines.next().unwrap().unwrap();
    let person = try_line.strip_prefix("対象者照会を試すには: ").unwrap_or_else(|| panic!("{try_line}"));
    let parts: Vec<&str> = person.split(' ').collect();
    assert!(person.ends_with("(春日部市)") && parts.len() >= 3, "{person}");
    assert!(parts[parts.len() - 2].parse::<jiff::civil::Date>().is_ok(), "a birth date in {person}");
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(response.starts_with("HTTP/1.1 200") && response.ends_with("ok"), "{response}");
    assert!(env.dir.path().join("todoke.key").exists(), "the first start made the key file");
}

/// The organization's settings are read before the server starts: a file that cannot be used
/// stops it with the file's name and line, before any account is made.
#[test]
fn serve_checks_the_organization_files_first() {
    let env = Env::sqlite();
    let missing = env.dir.path().join("missing-profile.toml");
    let missing = missing.to_str().unwrap();
    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--profile", missing]);
    assert!(err.contains(missing), "{err}");
    let plan = env.dir.path().join("PLAN.toml");
    std::fs::write(&plan, "[parties.\"春日部市\"]\nchannels = [\"pigeon\"]\n").unwrap();
    let plan = plan.to_str().unwrap();
    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--plan-config", plan]);
    assert!(err.contains("PLAN.toml") && err.contains("pigeon"), "{err}");
}
