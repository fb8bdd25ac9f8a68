//! `todoke casebook add | search | show | correct | stats | export | reindex`: published notices kept,
//! searched, corrected, counted and exported.

use crate::context::Ctx;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use todoke_app::casebook::{self as app, facts_of};
use todoke_casebook::SearchIndex;
use todoke_store::{CasebookStore, Db, IncidentStore, Store};

#[derive(Debug, Subcommand)]
pub enum CasebookCmd {
    /// Reads notices (text or HTML, UTF-8 or Shift_JIS) into the casebook; each incident of a file
    /// joins the incident of the notices it relates to (第2報, a consignor naming its handler).
    Add {
        /// The notices.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        index: IndexArg,
        /// Prints one JSON object per incident read.
        #[arg(long)]
        json: bool,
    },
    /// Searches the notices (Japanese full text; every word given must match), best first.
    Search {
        /// The words to find, e.g. "不正アクセス 病院".
        #[arg(required = true)]
        query: Vec<String>,
        /// How many results at most.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        index: IndexArg,
        /// Prints one JSON object per result.
        #[arg(long)]
        json: bool,
    },
    /// Shows a notice: its facts as read, the corrections, and its text.
    Show {
        /// The notice id.
        id: todoke_core::NoticeId,
        /// Prints JSON.
        #[arg(long)]
        json: bool,
    },
    /// Corrects what was read from a notice, e.g. `cause=ransomware affected_count=18950
    /// incident_dates.discovered=2024-01-29`; `FIELD=null` makes it unknown again.
    Correct {
        /// The notice id.
        id: todoke_core::NoticeId,
        /// FIELD=VALUE settings (fields of CONTRACTS.md §2).
        #[arg(required = true, value_name = "FIELD=VALUE")]
        settings: Vec<String>,
    },
    /// Counts incidents (notices of one incident once) by cause, organization type and month.
    Stats {
        /// Prints JSON.
        #[arg(long)]
        json: bool,
    },
    /// Exports every incident of the casebook, or one stored case.
    Export {
        /// In the JSON of the VERIS Community Database (schema 1.3.7), one incident a line.
        #[arg(long, required = true)]
        veris: bool,
        /// Exports this stored case (id or unique prefix) instead of the casebook.
        #[arg(long, conflicts_with = "out")]
        incident: Option<String>,
        /// Writes one file per incident (INCIDENT_ID.json) into this folder instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rebuilds the search index from the database.
    Reindex {
        #[command(flatten)]
        index: IndexArg,
    },
}

/// Where the search index lives.
#[derive(Debug, Args)]
pub struct IndexArg {
    /// The search index folder (default: beside an SQLite database, or ./todoke-casebook).
    #[arg(long = "index", env = "TODOKE_CASEBOOK_INDEX", value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// The index folder: given, or `PATH.casebook` beside an SQLite file, or `./todoke-casebook`.
fn index_dir(arg: &IndexArg, database: &str) -> PathBuf {
    if let Some(dir) = &arg.dir {
        return dir.clone();
    }
    match database.strip_prefix("sqlite://").or_else(|| database.strip_prefix("sqlite:")) {
        Some(path) => PathBuf::from(format!("{}.casebook", path.split('?').next().unwrap_or(path))),
        None if !database.contains("://") => PathBuf::from(format!("{database}.casebook")),
        None => PathBuf::from("todoke-casebook"),
    }
}

/// A bar for rebuilding the index, on a terminal only.
fn index_bar(prefix: &str) -> ProgressBar {
    let target =
        if std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
    let bar = ProgressBar::with_draw_target(None, target);
    if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} ETA {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(prefix.to_string());
    bar
}

async fn open_index<D: Db>(ctx: &Ctx, store: &Store<D>, dir: &Path) -> Result<SearchIndex> {
    let bar = index_bar(ctx.say("索引を作成中", "indexing"));
    let index = app::open_index(store, dir, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .with_context(|| format!("search index {}", dir.display()))?;
    bar.finish_and_clear();
    Ok(index)
}

fn or_unknown(value: Option<&str>) -> &str {
    value.unwrap_or("-")
}

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, database: &str, cmd: CasebookCmd) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match cmd {
        CasebookCmd::Add { files, index, json } => {
            let index = open_index(ctx, store, &index_dir(&index, database)).await?;
            let (mut new, mut kept) = (0, 0);
            for file in &files {
                let bytes = std::fs::read(file).with_context(|| file.display().to_string())?;
                let source =
                    file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
                let added = app::add_notice(store, &index, &ctx.actor, &bytes, &source).await?;
                if added.is_empty() {
                    eprintln!(
                        "todoke: {}: {}",
                        file.display(),
                        ctx.say("事案を読み取れませんでした", "no incident found")
                    );
                }
                for a in added {
                    if a.new {
                        new += 1
                    } else {
                        kept += 1
                    }
                    if json {
                        let v = serde_json::json!({ "id": a.id, "group": a.group, "new": a.new, "source": source, "facts": a.facts });
                        writeln!(out, "{v}")?;
                    } else {
                        let state = if a.new { ctx.say("追加", "added") } else { ctx.say("既存", "already kept") };
                        let org = or_unknown(a.facts.organization.as_deref());
                        let cause = or_unknown(a.facts.cause.as_deref());
                        writeln!(
                            out,
                            "{}\t{state}\t{org}\t{cause}\t{}: {}",
                            a.id,
                            ctx.say("事案", "incident"),
                            a.group
                        )?;
                    }
                }
            }
            if !json {
                writeln!(out, "{} {new} / {} {kept}", ctx.say("追加", "added"), ctx.say("既存", "already kept"))?;
            }
        }
        CasebookCmd::Search { query, limit, index, json } => {
            let index = open_index(ctx, store, &index_dir(&index, database)).await?;
            let query = query.join(" ");
            let found = app::search(store, &index, &query, limit).await?;
            for f in &found {
                if json {
                    let v = serde_json::json!({
                        "id": f.notice.id, "group": f.notice.group, "score": f.score, "source": f.notice.source,
                        "snippet": f.snippet, "facts": f.facts,
                    });
                    writeln!(out, "{v}")?;
                } else {
                    let org = or_unknown(f.facts.organization.as_deref());
                    let when = or_unknown(f.notice.profile.month.as_deref());
                    writeln!(
                        out,
                        "{:.2}\t{}\t{org}\t{when}\t{}\n\t{}",
                        f.score, f.notice.id, f.notice.source, f.snippet
                    )?;
                }
            }
            if found.is_empty() && !json {
                eprintln!("todoke: {}", ctx.say("該当する公表事例はありません", "no notice matches"));
            }
        }
        CasebookCmd::Show { id, json } => {
            let notice = store.notice(id).await?.with_context(|| format!("no notice `{id}` in the casebook"))?;
            let facts = facts_of(&notice);
            if json {
                let v = serde_json::json!({
                    "id": notice.id, "group": notice.group, "source": notice.source, "added_at": notice.added_at,
                    "facts": facts, "read": serde_json::from_str::<serde_json::Value>(&notice.facts)?,
                    "corrections": notice.corrections.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose()?,
                    "text": notice.body,
                });
                writeln!(out, "{v}")?;
            } else {
                writeln!(
                    out,
                    "{}: {}  ({}: {})",
                    ctx.say("出典", "source"),
                    notice.source,
                    ctx.say("事案", "incident"),
                    notice.group
                )?;
                writeln!(out, "{}", serde_json::to_string_pretty(&facts)?)?;
                if let Some(c) = &notice.corrections {
                    writeln!(out, "{}: {c}", ctx.say("訂正", "corrections"))?;
                }
                writeln!(out, "\n{}", notice.body)?;
            }
        }
        CasebookCmd::Correct { id, settings } => {
            let notice = app::correct(store, &ctx.actor, id, &settings).await?;
            writeln!(out, "{} {}", ctx.say("訂正しました:", "corrected:"), notice.corrections.unwrap_or_default())?;
        }
        CasebookCmd::Stats { json } => {
            let stats = todoke_casebook::stats::stats(&app::incidents(store).await?);
            if json {
                writeln!(out, "{}", serde_json::to_string(&stats)?)?;
            } else {
                writeln!(
                    out,
                    "{} {}  {} {}",
                    ctx.say("公表事例", "notices"),
                    stats.notices,
                    ctx.say("事案", "incidents"),
                    stats.incidents
                )?;
                for (title, map) in [
                    (ctx.say("原因別", "by cause"), &stats.by_cause),
                    (ctx.say("組織種別", "by organization type"), &stats.by_org_type),
                    (ctx.say("月別", "by month"), &stats.by_month),
                ] {
                    writeln!(out, "\n{title}")?;
                    for (key, n) in map {
                        writeln!(out, "  {key}\t{n}")?;
                    }
                }
            }
        }
        CasebookCmd::Export { veris, incident, out: folder } => {
            if !veris {
                bail!("choose a format: --veris");
            }
            let now = jiff::Timestamp::now().to_string();
            if let Some(incident) = incident {
                let id = store.find_incident(&incident).await?;
                let record = store.incident(id).await?;
                writeln!(out, "{}", todoke_casebook::veris::case_to_veris(id, &record.facts, &now))?;
                return Ok(ExitCode::SUCCESS);
            }
            let incidents = app::incidents(store).await?;
            if let Some(folder) = &folder {
                std::fs::create_dir_all(folder).with_context(|| folder.display().to_string())?;
            }
            for incident in &incidents {
                let record = todoke_casebook::veris::to_veris(incident, &now);
                match &folder {
                    Some(folder) => {
                        let path = folder.join(format!("{}.json", incident.group));
                        std::fs::write(&path, serde_json::to_string_pretty(&record)?)
                            .with_context(|| path.display().to_string())?;
                    }
                    None => writeln!(out, "{record}")?,
                }
            }
            if let Some(folder) = folder {
                eprintln!(
                    "{} {} → {}",
                    incidents.len(),
                    ctx.say("件を書き出しました", "incidents written"),
                    folder.display()
                );
            }
        }
        CasebookCmd::Reindex { index } => {
            let dir = index_dir(&index, database);
            if dir.exists() {
                std::fs::remove_dir_all(&dir).with_context(|| dir.display().to_string())?;
            }
            let index = open_index(ctx, store, &dir).await?;
            writeln!(out, "{} {}", index.len(), ctx.say("件を索引しました", "notices indexed"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_sits_beside_an_sqlite_file() {
        let none = IndexArg { dir: None };
        assert_eq!(index_dir(&none, "sqlite://data/todoke.db"), PathBuf::from("data/todoke.db.casebook"));
        assert_eq!(index_dir(&none, "todoke.db"), PathBuf::from("todoke.db.casebook"));
        assert_eq!(index_dir(&none, "postgres://u:p@h/db"), PathBuf::from("todoke-casebook"));
        let given = IndexArg { dir: Some("/srv/index".into()) };
        assert_eq!(index_dir(&given, "todoke.db"), PathBuf::from("/srv/index"));
    }
}
