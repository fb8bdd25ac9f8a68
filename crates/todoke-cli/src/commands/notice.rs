//! `todoke notice read | eval` and `todoke incident from-notice`: published breach notices read
//! into facts (CONTRACTS.md §2), scored against labels, and turned into a draft facts file. None of
//! them opens the database.

use crate::cli::{FromNoticeArgs, NoticeCmd};
use crate::context::Ctx;
use anyhow::{Context as _, Result, bail};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;
use todoke_notice::{NoticeFacts, draft_facts, read_notice};

pub fn run(ctx: &Ctx, cmd: NoticeCmd) -> Result<ExitCode> {
    match cmd {
        NoticeCmd::Read { files, json } => read(ctx, &files, json),
        NoticeCmd::Eval { labels, files, min } => eval(ctx, &labels, &files, min),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn read_file(ctx: &Ctx, path: &Path) -> Result<Vec<NoticeFacts>> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("{} {}", ctx.say("公表文を読めません:", "cannot read notice"), path.display()))?;
    Ok(read_notice(&bytes, &file_name(path)))
}

fn read(ctx: &Ctx, files: &[std::path::PathBuf], json: bool) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    for path in files {
        for facts in read_file(ctx, path)? {
            if json {
                writeln!(out, "{}", serde_json::to_string(&facts)?)?;
                continue;
            }
            print_facts(ctx, &mut out, &facts)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_facts(ctx: &Ctx, out: &mut impl std::io::Write, f: &NoticeFacts) -> Result<()> {
    let unknown = ctx.say("不明", "unknown");
    let s = |v: &Option<String>| v.clone().unwrap_or_else(|| unknown.to_string());
    let b = |v: Option<bool>| match v {
        Some(true) => ctx.say("はい", "yes").to_string(),
        Some(false) => ctx.say("いいえ", "no").to_string(),
        None => unknown.to_string(),
    };
    let d = &f.incident_dates;
    writeln!(out, "{} [{}..{}]", f.source, f.span[0], f.span[1])?;
    writeln!(out, "  {}: {} ({})", ctx.say("組織", "organization"), s(&f.organization), s(&f.org_type))?;
    writeln!(
        out,
        "  {}: {}  {}: {}",
        ctx.say("原因", "cause"),
        s(&f.cause),
        ctx.say("委託先の関与", "vendor"),
        b(f.vendor_involved)
    )?;
    writeln!(
        out,
        "  {}: {}  {}: {} – {}  {}: {}",
        ctx.say("発覚", "discovered"),
        s(&d.discovered),
        ctx.say("発生", "occurred"),
        s(&d.occurred_from),
        s(&d.occurred_to),
        ctx.say("公表", "published"),
        s(&d.published)
    )?;
    let count = f
        .affected_count
        .map_or_else(|| unknown.to_string(), |n| format!("{n} {}", f.count_unit.as_deref().unwrap_or("")));
    writeln!(out, "  {}: {count}", ctx.say("件数・人数", "affected"))?;
    writeln!(out, "  {}: {}", ctx.say("項目", "data items"), f.data_items.join("、"))?;
    writeln!(
        out,
        "  {}: {}  {}: {}  {}: {}",
        ctx.say("要配慮", "sensitive"),
        b(f.sensitive),
        ctx.say("財産的被害", "financial"),
        b(f.financial_risk),
        ctx.say("不正の目的", "malicious"),
        b(f.malicious)
    )?;
    writeln!(
        out,
        "  {}: {} {}  {}: {}",
        ctx.say("委員会への報告", "PPC report"),
        b(f.ppc_reported),
        f.ppc_report_dates.join(", "),
        ctx.say("本人通知", "individual notice"),
        b(f.individual_notice)
    )?;
    for m in &f.prevention_measures {
        writeln!(out, "  {}: {m}", ctx.say("再発防止策", "prevention"))?;
    }
    Ok(())
}

fn eval(ctx: &Ctx, labels: &Path, files: &[std::path::PathBuf], min: Option<f64>) -> Result<ExitCode> {
    let text = std::fs::read_to_string(labels)
        .with_context(|| format!("{} {}", ctx.say("ラベルを読めません:", "cannot read labels"), labels.display()))?;
    let labels_parsed = todoke_notice::eval::parse_labels(&text).with_context(|| labels.display().to_string())?;
    let mut results = Vec::new();
    for path in files {
        results.extend(read_file(ctx, path)?);
    }
    let report = todoke_notice::eval::evaluate(&labels_parsed, &results);
    println!("{report}");
    if let Some(min) = min
        && report.overall() < min
    {
        bail!(
            "{} {:.3} < {min}",
            ctx.say("総合スコアが下限を下回りました:", "overall score below the floor:"),
            report.overall()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the draft facts file of one incident of a notice (to a temporary name, then renamed).
pub fn from_notice(ctx: &Ctx, args: &FromNoticeArgs) -> Result<ExitCode> {
    let incidents = read_file(ctx, &args.file)?;
    if incidents.is_empty() {
        bail!("{}: {}", args.file.display(), ctx.say("事案が見つかりません", "no incident found"));
    }
    let n = args.incident.unwrap_or(1);
    let Some(facts) = n.checked_sub(1).and_then(|i| incidents.get(i)) else {
        bail!(
            "{}: --incident {n}: {} {}",
            args.file.display(),
            ctx.say("事案の数は", "the notice holds"),
            incidents.len()
        );
    };
    if incidents.len() > 1 && args.incident.is_none() {
        eprintln!(
            "{} {} ({})",
            ctx.say(
                "この公表文には複数の事案があります。1件目を書きます:",
                "the notice holds several incidents; writing the first of"
            ),
            incidents.len(),
            ctx.say("--incident N で選べます", "choose with --incident N")
        );
    }
    let draft = draft_facts(facts);
    match &args.out {
        None => print!("{draft}"),
        Some(out) => {
            let tmp = out.with_extension("toml.tmp");
            std::fs::write(&tmp, draft).with_context(|| format!("{}", tmp.display()))?;
            std::fs::rename(&tmp, out).with_context(|| format!("{}", out.display()))?;
            eprintln!("{} {}", ctx.say("下書きを書きました:", "draft written:"), out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
