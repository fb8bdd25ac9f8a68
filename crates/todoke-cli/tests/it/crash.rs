//! Crash safety (issue 9): the real binary killed with SIGKILL in the middle of a people import, a
//! report filing, a run of audited changes (casebook additions), an e-mail campaign and the printing
//! of letters, at increasing points of its run (people imports and report filings on PostgreSQL too). After each kill nothing is half-written, running the command again completes it without
//! adding anything twice, and the audit chain verifies.

use crate::Env;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use todoke_store::{Db, PgDb, SqliteDb, Tx, Value};

/// Where the kills land, as shares of a whole run: from the start-up to just after the end (a
/// command killed when it had already finished, then run again, must not add anything twice).
const SHARES: [f64; 6] = [0.1, 0.3, 0.5, 0.7, 0.9, 1.1];

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Run {
    /// It finished (successfully) before the kill, after this long.
    Finished(Duration),
    /// It was killed.
    Killed,
}

/// Starts `todoke ARGS` and kills it with SIGKILL after `delay`, unless it finished first.
fn run_killed_after(env: &Env, args: &[&str], delay: Duration) -> Run {
    let stderr = env.dir.path().join("stderr.txt");
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .arg("--database")
        .arg(&env.database)
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("TODOKE_DATABASE_URL")
        .env("TODOKE_MASTER_KEY", &env.master_key)
        .env_remove("TODOKE_LANG")
        .env_remove("TODOKE_KEY_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let said = std::fs::read_to_string(&stderr).unwrap_or_default();
            assert!(status.success(), "todoke {args:?} failed: {said}");
            return Run::Finished(start.elapsed());
        }
        if start.elapsed() >= delay {
            // `Child::kill` is SIGKILL on Unix: no destructor, no rollback, no flush runs.
            child.kill().unwrap();
            let status = child.wait().unwrap();
            return if status.success() { Run::Finished(start.elapsed()) } else { Run::Killed };
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `todoke ARGS` to its end and returns how long it took.
fn timed(env: &Env, args: &[&str]) -> Duration {
    match run_killed_after(env, args, Duration::from_secs(600)) {
        Run::Finished(took) => took,
        Run::Killed => unreachable!("not killed"),
    }
}

/// The first column of the first row of `sql` on the database, as a restarted process sees it (0
/// when the table is not there yet).
fn count(env: &Env, sql: &'static str, args: &[&str]) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let args: Vec<Value> = args.iter().map(|a| Value::from(*a)).collect();
    runtime.block_on(async {
        if env.database.starts_with("postgres") {
            first_number(&PgDb::open(&env.database).await.unwrap(), sql, &args).await
        } else {
            first_number(&SqliteDb::open(&env.database).await.unwrap(), sql, &args).await
        }
    })
}

async fn first_number<D: Db>(db: &D, sql: &'static str, args: &[Value]) -> i64 {
    let mut tx = db.begin_read().await.unwrap();
    // Killed before its migrations committed, a first run leaves no tables at all.
    let n = match tx.fetch_one(sql, args).await {
        Ok(row) => row.int(0).unwrap(),
        Err(e) if e.to_string().contains("no such table") || e.to_string().contains("does not exist") => 0,
        Err(e) => panic!("{sql}: {e}"),
    };
    drop(tx);
    db.close().await;
    n
}

fn audit_verifies(env: &Env) {
    let said = env.ok(&["audit", "verify"]);
    assert!(said.contains("改ざんされていません"), "{said}");
}

/// The number after `label` in a line of output (`登録しました: 812  登録済み: 0 …`).
fn number_after(said: &str, label: &str) -> i64 {
    let rest = &said[said.find(label).unwrap_or_else(|| panic!("no `{label}` in {said}")) + label.len()..];
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

fn saitama() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saitama-foundation-ransomware.toml")
}

/// The consignor cities of the seed case (every party but the first, the foundation).
fn cities(n: usize) -> Vec<String> {
    let facts = todoke_core::facts::parse_facts(&std::fs::read_to_string(saitama()).unwrap()).unwrap();
    facts.parties.into_iter().skip(1).take(n).map(|p| p.name).collect()
}

/// A city's list of `rows` synthetic people (no party column: the import names the party).
fn list(dir: &Path, city: &str, rows: usize) -> String {
    let mut csv = String::from("氏名,フリガナ,生年月日,郵便番号,住所\n");
    for i in 0..rows {
        let birth = format!("{}-{:02}-{:02}", 1940 + i % 60, 1 + i % 12, 1 + i % 28);
        csv.push_str(&format!("試験 太郎{i},シケン タロウ{i},{birth},344-0067,{city}中央{i}-1\n"));
    }
    let path = dir.join(format!("{city}.csv"));
    std::fs::write(&path, csv).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_killed_people_import_leaves_all_or_nothing_and_a_rerun_adds_nothing_twice() {
    killed_people_imports(&Env::sqlite());
}

#[tokio::test]
async fn a_killed_people_import_leaves_all_or_nothing_on_postgres() {
    crate::on_postgres(killed_people_imports).await;
}

fn killed_people_imports(env: &Env) {
    let incident = env.import(&saitama());
    let cities = cities(SHARES.len() + 1);
    let import = |city: &str| -> Vec<String> {
        let file = list(env.dir.path(), city, 1000);
        ["people", "import", "--incident", &incident, "--party", city, &file].map(str::to_string).to_vec()
    };
    let stored = |city: &str| {
        count(
            env,
            "select count(*) from affected_person a join party p on p.party_id = a.party_id where p.name = $1",
            &[city],
        )
    };
    // A whole import first, to know how long one takes.
    let args = import(&cities[0]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let whole = timed(env, &args);
    assert_eq!(stored(&cities[0]), 1000);

    let mut killed = 0;
    for (city, share) in cities.iter().skip(1).zip(SHARES) {
        let args = import(city);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = run_killed_after(env, &args, whole.mul_f64(share));
        killed += usize::from(run == Run::Killed);
        let after_kill = stored(city);
        assert!(after_kill == 0 || after_kill == 1000, "{city} after a kill at {share}: {after_kill} of 1000 stored");
        // The run again stores what the killed one did not, and nothing twice.
        let said = env.ok(&args);
        assert_eq!(number_after(&said, "登録しました:"), 1000 - after_kill, "{city}: {said}");
        assert_eq!(number_after(&said, "登録済み:"), after_kill, "{city}: {said}");
        assert_eq!(stored(city), 1000);
        audit_verifies(env);
    }
    assert!(killed >= SHARES.len() / 2, "only {killed} of the runs were killed ({whole:?} a run)");
}

#[test]
fn a_killed_report_filing_is_recorded_once() {
    killed_report_filings(&Env::sqlite());
}

#[tokio::test]
async fn a_killed_report_filing_is_recorded_once_on_postgres() {
    crate::on_postgres(killed_report_filings).await;
}

fn killed_report_filings(env: &Env) {
    let incident = env.import(&saitama());
    let cities = cities(SHARES.len() + 1);
    let file = |city: &str| -> Vec<String> {
        ["report", "file", "--incident", &incident, "--party", city, "--kind", "final", "--on", "2024-03-01"]
            .map(str::to_string)
            .to_vec()
    };
    let filed = |city: &str| {
        count(
            env,
            "select count(*) from report r join party p on p.party_id = r.party_id \
             where p.name = $1 and r.kind = 'final' and r.submitted_on is not null",
            &[city],
        )
    };
    let args = file(&cities[0]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let whole = timed(env, &args);
    assert_eq!(filed(&cities[0]), 1);

    for (city, share) in cities.iter().skip(1).zip(SHARES) {
        let args = file(city);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_killed_after(env, &args, whole.mul_f64(share));
        let after_kill = filed(city);
        assert!(after_kill <= 1, "{city} after a kill at {share}: {after_kill} reports");
        // Not knowing whether the filing was recorded, the officer files it again: one report.
        env.ok(&args);
        assert_eq!(filed(city), 1, "{city} after a kill at {share} and a second filing");
        env.ok(&args);
        assert_eq!(filed(city), 1, "{city}: the same filing a third time");
        audit_verifies(env);
    }
    let listed = env.ok(&["report", "list", "--incident", &incident]);
    assert_eq!(listed.lines().count(), SHARES.len() + 1, "{listed}");
}

/// A notice of its own for each number: another town, another day, another count.
fn notice(i: usize) -> String {
    format!(
        "令和6年8月{day}日\n\n個人情報を含む書類の紛失について\n\nテスト{i}町 総務課\n\n\
         このたび、住民{n}名の氏名、住所を記載した書類を紛失する事案が発生しました。\
         関係する皆様に深くお詫び申し上げます。\n\n1 概要\n令和6年8月{day}日、庁舎内で書類の紛失が判明しました。\n",
        day = i % 28 + 1,
        n = i + 2,
    )
}

#[test]
fn killed_runs_of_audited_changes_leave_the_chain_whole() {
    let env = Env::sqlite();
    let notices = env.dir.path().join("notices");
    std::fs::create_dir(&notices).unwrap();
    let files: Vec<String> = (0..24)
        .map(|i| {
            let path = notices.join(format!("notice-{i:02}.txt"));
            std::fs::write(&path, notice(i)).unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    let all = files.len() as i64;
    let mut args = vec!["casebook", "add"];
    args.extend(files.iter().map(String::as_str));
    let kept = || count(&env, "select count(*) from casebook_notice", &[]);
    let audited = || count(&env, "select count(*) from audit_entry where action = 'casebook.add'", &[]);

    // Each run goes on where the killed one stopped (a kept notice is not added again); the kills
    // come later and later, from the start-up (migrations) to well into the additions.
    let mut seen = Vec::new();
    for delay in [40, 80, 160, 320, 640, 1280] {
        let run = run_killed_after(&env, &args, Duration::from_millis(delay));
        let (notices, entries) = (kept(), audited());
        assert_eq!(notices, entries, "a kept notice without its audit entry, or the reverse (kill at {delay} ms)");
        assert!(seen.last().is_none_or(|last| *last <= notices), "notices lost: {seen:?} then {notices}");
        seen.push(notices);
        audit_verifies(&env);
        if matches!(run, Run::Finished(_)) {
            break;
        }
    }
    assert!(seen.iter().any(|n| *n > 0 && *n < all), "no kill landed in the middle of the additions: {seen:?}");
    // The run again keeps the rest, once; the search index caught up with what the kills left.
    env.ok(&args);
    assert_eq!((kept(), audited()), (all, all));
    let again = env.ok(&args);
    assert!(again.contains(&format!("既存 {all}")), "{again}");
    let found = env.ok(&["casebook", "search", "紛失", "--limit", "1000", "--json"]);
    assert_eq!(found.lines().count() as i64, all, "every kept notice is found");
    audit_verifies(&env);
}

/// An e-mail campaign killed at increasing points, run again each time: no address ever receives
/// its notice twice; every notice the store calls sent did arrive; a notice whose SMTP transaction
/// a kill cut short is left "sending" (its fate unknown), never resent by a plain re-run — only
/// `--resend-unknown` sends those, and only they can arrive twice. The audit chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_email_campaign_never_sends_a_notice_twice() {
    use std::collections::HashMap;
    use todoke_core::NotificationStatus;
    use todoke_store::{IncidentStore, NotificationStore, PersonStore};

    let smtp = todoke_app::testkit::SmtpReceiver::start().await;
    let env = Env::sqlite();
    let incident = env.import(&saitama());
    let id: todoke_core::IncidentId = incident.parse().unwrap();
    let store = env.store_sqlite().await;
    let party = store.parties(id).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
    let people: Vec<todoke_core::AffectedPerson> = (0..300)
        .map(|i| todoke_core::AffectedPerson {
            name: format!("試験 太郎{i}"),
            name_kana: Some(format!("シケン タロウ{i}")),
            birth_date: Some(jiff::civil::date(1940 + i % 60, 1 + (i % 12) as i8, 1 + (i % 28) as i8)),
            email: Some(format!("person{i}@example.jp")),
            ..Default::default()
        })
        .collect();
    store.add_people(&todoke_store::testkit::actor(), id, party.id, &people).await.unwrap();
    store.close().await;

    let port = smtp.port.to_string();
    let campaign = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["campaign", "email", "--incident", &incident, "--party", "春日部市", "--smtp-host"];
        args.extend(["127.0.0.1", "--smtp-port", &port, "--smtp-security", "none", "--rate", "400"]);
        args.extend(["--from", "notice@city.kasukabe.example.jp", "--retry-delay", "0", "--date", "2024-03-01"]);
        args.extend(extra);
        args.into_iter().map(str::to_string).collect()
    };
    let arrivals = || {
        let mut by_address: HashMap<String, usize> = HashMap::new();
        for message in smtp.received() {
            for to in message.recipients {
                *by_address.entry(to).or_default() += 1;
            }
        }
        by_address
    };
    let statuses = || async {
        let store = env.store_sqlite().await;
        let notices = store.notifications(id, Some(party.id), None).await.unwrap();
        let mut out = Vec::new();
        for n in notices {
            let to = store.notification_recipient(id, n.id).await.unwrap().email.unwrap();
            out.push((to, n.status));
        }
        store.close().await;
        out
    };

    let mut killed = 0;
    for delay_ms in [150u64, 300, 450, 600, 750] {
        let args = campaign(&[]);
        let env_ref = &env;
        let run = tokio::task::block_in_place(|| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run_killed_after_any(env_ref, &args, Duration::from_millis(delay_ms))
        });
        killed += usize::from(run == Run::Killed);
        let arrived = arrivals();
        assert!(arrived.values().all(|&n| n == 1), "a notice arrived twice after a kill at {delay_ms} ms");
        for (to, status) in statuses().await {
            match status {
                NotificationStatus::Sent => assert!(arrived.contains_key(&to), "{to} is sent but never arrived"),
                NotificationStatus::Sending | NotificationStatus::Pending => {}
                other => panic!("{to}: unexpected {other:?}"),
            }
        }
    }
    assert!(killed > 0, "no run was killed: the test proves nothing");

    // A plain run finishes the rest and leaves the unknown ones alone.
    tokio::task::block_in_place(|| {
        let args = campaign(&[]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_killed_after_any(&env, &args, Duration::from_secs(600))
    });
    let unknown: Vec<String> =
        statuses().await.into_iter().filter(|(_, s)| *s == NotificationStatus::Sending).map(|(to, _)| to).collect();
    assert!(arrivals().values().all(|&n| n == 1));
    assert_eq!(
        statuses().await.iter().filter(|(_, s)| *s == NotificationStatus::Sent).count() + unknown.len(),
        300,
        "every notice is sent, or left in doubt by a kill"
    );
    // Resending the unknown ones: only they may arrive twice.
    tokio::task::block_in_place(|| {
        let args = campaign(&["--resend-unknown"]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_killed_after_any(&env, &args, Duration::from_secs(600))
    });
    let arrived = arrivals();
    assert_eq!(arrived.len(), 300, "every address reached");
    assert!(arrived.iter().all(|(to, &n)| n == 1 || unknown.contains(to)), "only a notice in doubt went twice");
    assert!(statuses().await.iter().all(|(_, s)| *s == NotificationStatus::Sent));
    audit_verifies(&env);
}

/// Like [`run_killed_after`], for a command whose finishing exit code may be non-zero (a campaign
/// that leaves notices in doubt says so with exit code 1).
fn run_killed_after_any(env: &Env, args: &[&str], delay: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .arg("--database")
        .arg(&env.database)
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("TODOKE_DATABASE_URL")
        .env("TODOKE_MASTER_KEY", &env.master_key)
        .env_remove("TODOKE_LANG")
        .env_remove("TODOKE_KEY_FILE")
        .env_remove("TODOKE_SMTP_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(matches!(status.code(), Some(0 | 1)), "todoke {args:?} ended with {status}");
            return Run::Finished(start.elapsed());
        }
        if start.elapsed() >= delay {
            child.kill().unwrap();
            return if child.wait().unwrap().success() { Run::Finished(start.elapsed()) } else { Run::Killed };
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Letters printed batch by batch: killed once its first batch is kept, the run again prints only
/// the batches still missing, and every letter is in the PDFs once.
#[test]
fn a_killed_letters_run_resumes_at_its_first_missing_batch() {
    const PEOPLE: usize = 30;
    let env = Env::sqlite();
    let incident = env.import(&saitama());
    let mut csv = String::from("氏名,カナ,生年月日,郵便番号,住所\n");
    for i in 0..PEOPLE {
        csv.push_str(&format!("試験 太郎,シケン タロウ,{}-04-01,344-0067,埼玉県春日部市中央{}丁目\n", 1940 + i, i + 1));
    }
    std::fs::write(env.dir.path().join("list.csv"), csv).unwrap();
    env.ok(&["people", "import", "--incident", &incident, "--party", "春日部市", "list.csv"]);
    let args =
        ["campaign", "letters", "--incident", &incident, "--party", "春日部市", "--out", "letters", "--batch", "10"];
    let batches = || count(&env, "select count(*) from letter_batch", &[]);

    let mut child = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .arg("--database")
        .arg(&env.database)
        .args(args)
        .current_dir(env.dir.path())
        .env_remove("TODOKE_DATABASE_URL")
        .env("TODOKE_MASTER_KEY", &env.master_key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let killed = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        if batches() >= 1 {
            child.kill().unwrap();
            child.wait().unwrap();
            break true;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "no batch within five minutes");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(killed, "the run was cut short after its first batch");
    let kept = batches();
    assert!((1..3).contains(&kept), "{kept} batches kept when killed");

    let said = env.ok(&args);
    assert_eq!(batches(), 3, "{said}");
    let mut text = String::new();
    for n in 1..=3 {
        let path = env.dir.path().join(format!("letters/letters-{n:03}.pdf"));
        let out = Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
        assert!(out.status.success(), "{}", path.display());
        text.push_str(&String::from_utf8(out.stdout).unwrap());
    }
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for i in 0..PEOPLE {
        let address = format!("埼玉県春日部市中央{}丁目", i + 1);
        // 中央1丁目 is also the start of 中央10丁目…: count whole addresses followed by the name.
        assert_eq!(squeezed.matches(&format!("{address}試験太郎様")).count(), 1, "{address} once");
    }
    audit_verifies(&env);
}
