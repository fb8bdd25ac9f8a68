//! `todoke incident import | list | show | erase`.

use crate::cli::{AssessFlags, IncidentCmd};
use crate::context::Ctx;
use crate::lang::Lang;
use anyhow::{Context as _, Result, bail};
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use todoke_core::facts::parse_facts;
use todoke_core::{Incident, IncidentRecord};
use todoke_rules::Options;
use todoke_store::{Db, IncidentStore, PersonStore, Store};

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: IncidentCmd) -> Result<ExitCode> {
    match cmd {
        IncidentCmd::FromNotice(_) => unreachable!("from-notice is handled before the store is opened"),
        IncidentCmd::Import { file } => import(ctx, store, &file).await,
        IncidentCmd::List { json } => list(ctx, store, json).await,
        IncidentCmd::Show { id, json } => show(ctx, store, &id, json).await,
        IncidentCmd::Assess { id, flags } => assess_stored(ctx, store, &id, &flags).await,
        IncidentCmd::Update { id, file } => update(ctx, store, &id, &file).await,
        IncidentCmd::Erase { id, yes } => erase(ctx, store, &id, yes).await,
    }?;
    Ok(ExitCode::SUCCESS)
}

/// Reads and checks a facts file; errors name the file, line, key and what was expected.
pub fn read_facts(ctx: &Ctx, file: &Path) -> Result<Incident> {
    let text = std::fs::read_to_string(file).with_context(|| {
        format!("{} {}", ctx.say("事実ファイルを読めません:", "cannot read facts file"), file.display())
    })?;
    parse_facts(&text)
        .with_context(|| format!("{}: {}", file.display(), ctx.say("事実ファイルの誤り", "bad facts file")))
}

async fn import<D: Db>(ctx: &Ctx, store: &Store<D>, file: &Path) -> Result<()> {
    let facts = read_facts(ctx, file)?;
    let id = store.create_incident(&ctx.actor, &facts).await?;
    println!(
        "{} {} ({} {}, {} {}, {} {})",
        ctx.say("登録しました:", "imported:"),
        facts.title,
        ctx.say("当事者", "parties"),
        facts.parties.len(),
        ctx.say("時系列", "timeline events"),
        facts.timeline.len(),
        ctx.say("タスク", "tasks"),
        facts.tasks.len()
    );
    println!("{id}");
    Ok(())
}

async fn list<D: Db>(ctx: &Ctx, store: &Store<D>, json: bool) -> Result<()> {
    let incidents = store.incidents().await?;
    let mut out = std::io::stdout().lock();
    if incidents.is_empty() && !json {
        eprintln!(
            "{}",
            ctx.say(
                "事案はまだありません (todoke incident import FILE.toml)",
                "no incidents yet (todoke incident import FILE.toml)"
            )
        );
    }
    for i in incidents {
        if json {
            writeln!(out, "{}", serde_json::to_string(&i)?)?;
            continue;
        }
        let known = i.first_known_on.map_or_else(|| "----------".to_string(), |d| d.to_string());
        let persons = i.persons.map_or_else(|| ctx.say("不明", "unknown").to_string(), |n| n.to_string());
        let erased = if i.erased { ctx.say(" [消去済]", " [erased]") } else { "" };
        writeln!(
            out,
            "{}\t{known}\t{}\t{}\t{} {}\t{} {persons}{erased}",
            i.id,
            i.title,
            i.owner,
            ctx.say("当事者", "parties"),
            i.parties,
            ctx.say("本人数", "persons"),
        )?;
    }
    Ok(())
}

async fn show<D: Db>(ctx: &Ctx, store: &Store<D>, id: &str, json: bool) -> Result<()> {
    let id = store.find_incident(id).await?;
    let record = store.incident(id).await?;
    let stored_people = store.count_people(id).await?;
    if json {
        let mut value = serde_json::to_value(&record)?;
        value["stored_people"] = stored_people.into();
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    print_record(ctx, &record, stored_people)?;
    Ok(())
}

fn yes_no(ctx: &Ctx, value: Option<bool>) -> &'static str {
    match value {
        Some(true) => ctx.say("はい", "yes"),
        Some(false) => ctx.say("いいえ", "no"),
        None => ctx.say("(未記載)", "(not stated)"),
    }
}

fn print_record(ctx: &Ctx, record: &IncidentRecord, stored_people: u64) -> Result<()> {
    let f = &record.facts;
    let mut out = std::io::stdout().lock();
    let ja = ctx.lang == crate::lang::Lang::Ja;
    writeln!(out, "{}", f.title)?;
    writeln!(out, "  id: {}", record.id)?;
    if let Some(summary) = &f.summary {
        writeln!(out, "  {}", summary)?;
    }
    let event = if ja { f.event.label_ja() } else { f.event.key() };
    let cause = if ja { f.cause.label_ja() } else { f.cause.key() };
    let suspected = if f.suspected { ctx.say("（おそれ）", " (suspected)") } else { "" };
    writeln!(out, "  {}: {event}{suspected}  {}: {cause}", ctx.say("事態", "event"), ctx.say("原因", "cause"))?;
    let items: Vec<&str> = f.data_items.iter().map(|d| d.name.as_str()).collect();
    writeln!(out, "  {}: {}", ctx.say("項目", "data items"), items.join("、"))?;
    writeln!(
        out,
        "  {}: {}  {}: {}  {}: {}",
        ctx.say("要配慮", "sensitive"),
        yes_no(ctx, f.sensitive),
        ctx.say("財産的被害のおそれ", "financial risk"),
        yes_no(ctx, f.financial_risk),
        ctx.say("不正の目的", "malicious"),
        yes_no(ctx, f.malicious),
    )?;
    let persons = f.persons.map_or_else(|| ctx.say("不明", "unknown").to_string(), |n| n.to_string());
    writeln!(out, "  {}: {persons}", ctx.say("本人の数", "persons"))?;
    if f.occurred_from.is_some() || f.occurred_to.is_some() {
        let d = |d: Option<todoke_core::Date>| d.map_or_else(|| "?".to_string(), |d| d.to_string());
        writeln!(out, "  {}: {} – {}", ctx.say("発生期間", "occurred"), d(f.occurred_from), d(f.occurred_to))?;
    }
    writeln!(out, "\n{} ({})", ctx.say("当事者", "Parties"), f.parties.len())?;
    for p in &f.parties {
        let (role, org_type) =
            if ja { (p.role.label_ja(), p.org_type.label_ja()) } else { (p.role.key(), p.org_type.key()) };
        let persons = p.persons.map(|n| format!("  {n}")).unwrap_or_default();
        writeln!(
            out,
            "  {}  [{role} / {org_type}]  {} {}{persons}",
            p.name,
            ctx.say("知った日", "known on"),
            p.known_on
        )?;
    }
    if !f.timeline.is_empty() {
        writeln!(out, "\n{} ({})", ctx.say("時系列", "Timeline"), f.timeline.len())?;
        for e in &f.timeline {
            let technique = e.technique.as_ref().map(|t| format!(" [{}]", t.as_str())).unwrap_or_default();
            let kind = if ja { e.kind.label_ja() } else { e.kind.key() };
            writeln!(out, "  {}  {kind}  {}{technique}", e.at, e.text)?;
        }
    }
    if !f.tasks.is_empty() {
        writeln!(out, "\n{} ({})", ctx.say("タスク・再発防止策", "Tasks and prevention measures"), f.tasks.len())?;
        for t in &f.tasks {
            let (kind, status) =
                if ja { (t.kind.label_ja(), t.status.label_ja()) } else { (t.kind.key(), t.status.key()) };
            let due = t.due.map(|d| format!("  {} {d}", ctx.say("期限", "due"))).unwrap_or_default();
            writeln!(out, "  [{status}] {kind}: {}{due}", t.title)?;
        }
    }
    writeln!(out, "\n{}: {stored_people}", ctx.say("登録済みの対象者", "Stored affected people"))?;
    if let Some(at) = record.erased_at {
        writeln!(out, "{} {at}", ctx.say("個人データ消去済み:", "Personal data erased at"))?;
    }
    Ok(())
}

async fn assess_stored<D: Db>(ctx: &Ctx, store: &Store<D>, id: &str, flags: &AssessFlags) -> Result<()> {
    let id = store.find_incident(id).await?;
    let options = super::assess::options(ctx, flags)?;
    let outcome = todoke_app::assess_stored(store, &ctx.actor, id, &options).await?;
    super::assess::print(ctx, &outcome.assessment, flags.json)?;
    if !flags.json {
        print_changes(ctx, &outcome);
    }
    Ok(())
}

async fn update<D: Db>(ctx: &Ctx, store: &Store<D>, id: &str, file: &Path) -> Result<()> {
    let id = store.find_incident(id).await?;
    let facts = read_facts(ctx, file)?;
    let options = Options { japanese: ctx.lang == Lang::Ja, ..Options::default() };
    let outcome = todoke_app::update_facts(store, &ctx.actor, id, &facts, &options).await?;
    println!("{} {}", ctx.say("事実を更新しました:", "facts updated:"), facts.title);
    print_changes(ctx, &outcome);
    Ok(())
}

fn print_changes(ctx: &Ctx, outcome: &todoke_app::AssessOutcome) {
    let Some(at) = &outcome.previous_at else {
        println!("\n{}", ctx.say("初回の評価を記録しました", "first assessment recorded"));
        return;
    };
    if outcome.changes.is_empty() {
        println!(
            "\n{} ({at})",
            ctx.say("前回の評価から変わったことはありません", "nothing changed since the previous assessment")
        );
        return;
    }
    println!("\n{} ({at}):", ctx.say("前回の評価からの変更", "changes since the previous assessment"));
    for change in &outcome.changes {
        println!("  * {change}");
    }
}

async fn erase<D: Db>(ctx: &Ctx, store: &Store<D>, id: &str, yes: bool) -> Result<()> {
    let id = store.find_incident(id).await?;
    let record = store.incident(id).await?;
    if !yes && std::io::stdin().is_terminal() {
        eprint!(
            "{} 「{}」 {} [y/N] ",
            ctx.say("事案", "Destroy the data key of"),
            record.facts.title,
            ctx.say(
                "のデータ鍵を破棄し、対象者データを読めなくします。元に戻せません。続けますか?",
                "? Its people become unreadable for good."
            )
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "はい") {
            bail!("{}", ctx.say("中止しました", "cancelled"));
        }
    }
    let reason = ctx.say("利用者の指示による消去", "erased on request");
    let certificate = store.erase_incident(&ctx.actor, id, reason).await?;
    println!("{} {id}", ctx.say("データ鍵を破棄しました (crypto-erase):", "data key destroyed (crypto-erase):"));
    // The certificate as JSON: its digest is in the audit log (action incident.erase), so a kept
    // copy can be checked against it.
    println!("{}", serde_json::to_string(&certificate)?);
    Ok(())
}
