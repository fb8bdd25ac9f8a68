//! `todoke assess FILE.toml`: the rules engine on a facts file, as a table or as the JSON of
//! CONTRACTS.md §1.

use crate::cli::{AssessArgs, AssessFlags};
use crate::commands::incident::read_facts;
use crate::context::Ctx;
use crate::lang::Lang;
use anyhow::{Result, bail};
use std::io::Write as _;
use std::process::ExitCode;
use todoke_rules::{Assessment, Options, Packs, Status, assess};

pub fn run(ctx: &Ctx, args: &AssessArgs) -> Result<ExitCode> {
    let facts = read_facts(ctx, &args.file)?;
    let assessment = assess(&facts, &Packs::embedded()?, &options(ctx, &args.flags)?)?;
    print(ctx, &assessment, args.flags.json)?;
    Ok(ExitCode::SUCCESS)
}

/// The engine's options from the flags.
pub fn options(ctx: &Ctx, flags: &AssessFlags) -> Result<Options> {
    let mut options = Options { japanese: ctx.lang == Lang::Ja, as_of: flags.as_of, ..Options::default() };
    for point in &flags.assume {
        match point.as_str() {
            "public-consignee-attack=yes" => options.public_consignee_attack = true,
            "public-consignee-attack=no" => options.public_consignee_attack = false,
            "next-day=open" => options.literal_next_day = false,
            "next-day=literal" => options.literal_next_day = true,
            "public-holiday-roll=yes" => options.public_holiday_roll = true,
            "public-holiday-roll=no" => options.public_holiday_roll = false,
            other => bail!(
                "--assume {other}: expected public-consignee-attack=yes|no, public-holiday-roll=yes|no or next-day=open|literal"
            ),
        }
    }
    Ok(options)
}

/// Prints an assessment as JSON or as a table.
pub fn print(ctx: &Ctx, assessment: &Assessment, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(assessment)?);
        Ok(())
    } else {
        print_table(ctx, assessment)
    }
}

fn print_table(ctx: &Ctx, a: &Assessment) -> Result<()> {
    let ja = ctx.lang == Lang::Ja;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", a.title)?;
    if let Some(as_of) = a.as_of {
        writeln!(out, "{} {as_of}", ctx.say("基準日", "as of"))?;
    }
    for p in &a.parties {
        let verdict = match (p.voluntary, p.reportable) {
            (true, _) => ctx.say("努力義務", "effort duty only"),
            (false, true) => ctx.say("報告対象", "reportable"),
            (false, false) => ctx.say("報告対象外", "not reportable"),
        };
        writeln!(out, "\n■ {}  [{}]  {verdict}", p.party, p.regime_name)?;
        writeln!(out, "  {} {}", ctx.say("知った日", "known on"), p.known_on)?;
        if !p.categories.is_empty() {
            let cats: Vec<&str> = p.categories.iter().map(|c| c.key()).collect();
            writeln!(out, "  {}: {}", ctx.say("該当", "categories"), cats.join(", "))?;
        }
        for o in &p.obligations {
            let when = match (&o.due, &o.window) {
                (Some(due), _) => due.clone(),
                (None, Some(w)) => format!("{} 〜 {}{}", w.from, w.to, ctx.say("（目安）", " (guidance)")),
                (None, None) => ctx.say("速やかに", "without undue delay").to_string(),
            };
            let guidance = o.due.is_none();
            let status = match (o.status, o.days_left) {
                (Some(Status::Overdue), Some(d)) if guidance => {
                    format!("  {} {}{}", ctx.say("目安を", "guidance passed"), -d, ctx.say("日経過", " days ago"))
                }
                (Some(Status::Overdue), Some(d)) => format!("  ⚠ {}{}", -d, ctx.say("日超過", " days overdue")),
                (Some(Status::Open), Some(d)) => format!("  {} {d}{}", ctx.say("あと", "in"), ctx.say("日", " days")),
                _ => String::new(),
            };
            writeln!(
                out,
                "  - {}  →{}  {when}  {}{status}",
                o.kind.label(ja),
                todoke_rules::recipient_label(&o.recipient, ja),
                o.basis
            )?;
            if let Some(r) = &o.relieved_by {
                writeln!(out, "      {} {r}", ctx.say("免除:", "relieved by:"))?;
            }
            if !o.joint_with.is_empty() {
                writeln!(out, "      {} {}", ctx.say("連名:", "jointly with:"), o.joint_with.join("、"))?;
            }
            for assumption in &o.assumptions {
                writeln!(out, "      {} {assumption}", ctx.say("前提:", "assumes:"))?;
            }
        }
        for line in &p.explanation {
            writeln!(out, "  · {line}")?;
        }
    }
    Ok(())
}
