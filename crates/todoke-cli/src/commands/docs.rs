//! `todoke docs render` and `todoke letters`: documents of a stored case (PPC reports, letters,
//! notices, invoices, status reports) in Markdown, HTML or PDF, and one letter page per person of a
//! people plan's `post` channel (CONTRACTS.md §4).
//!
//! This is the I/O around todoke-docs: it reads the case, the organization's profile and templates,
//! the plan's CSV and the fonts, and writes the output under a temporary name renamed at the end, so
//! that a half-written PDF is never taken for a finished one. Names and addresses are never printed.

use crate::context::Ctx;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use todoke_core::{Clock as _, Date, Incident, ReportKind, SystemClock};
use todoke_docs::{Case, ChannelCounts, DocKind, Fonts, Format, Profile, Recipient, Templates};
use todoke_rules::{Options, Packs};
use todoke_store::{CaseRecordStore, Db, IncidentStore, Store};

#[derive(Debug, Subcommand)]
pub enum DocsCmd {
    /// Renders one document of a stored case.
    Render(Box<RenderArgs>),
    /// Lists the document kinds and the template names an organization can replace.
    Kinds,
}

/// What every document command shares: the organization's wording and the day.
#[derive(Debug, Args)]
pub struct Look {
    /// A folder of templates replacing the built-in ones by name (e.g. notice_letter.md); see
    /// `todoke docs kinds`.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The organization's profile (TOML: [sender] name, department, signature, [sender.desk] phone…,
    /// [parties."NAME"] per-party letterhead, [invoice] unit costs).
    #[arg(long, env = "TODOKE_PROFILE", value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// The document's date (default: today in Japan).
    #[arg(long, value_name = "DATE")]
    pub date: Option<Date>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The incident id (or a unique prefix of it).
    #[arg(long)]
    pub incident: String,
    /// The party the document is for (its name in the facts).
    #[arg(long)]
    pub party: String,
    /// preliminary_report, final_report, follow_up_report, joint_request, joint_reply, notice_letter,
    /// public_notice, press_release, invoice or status_report.
    #[arg(long, value_parser = DocKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>())]
    pub kind: String,
    /// md, html or pdf.
    #[arg(long, value_parser = ["md", "html", "pdf"], default_value = "md")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The edition (第N報) of a public notice, press release or status report.
    #[arg(long, default_value_t = 1)]
    pub edition: u32,
    /// The previous edition's Markdown: a section telling what changed is added. For a final report
    /// the stored preliminary report's content is used when this is not given.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// A people plan folder (`todoke people plan --out DIR`): notice counts per channel for the
    /// invoice and the report's item 6.
    #[arg(long, value_name = "DIR")]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub look: Look,
}

#[derive(Debug, Args)]
pub struct LettersArgs {
    /// The people plan folder (`todoke people plan --out DIR`).
    #[arg(long, value_name = "DIR")]
    pub plan: PathBuf,
    /// The party whose letters these are; its post list is DIR/<party>/post.csv.
    #[arg(long)]
    pub party: String,
    /// The PDF to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The incident id (or a unique prefix of it); may be left out when the database holds one.
    #[arg(long)]
    pub incident: Option<String>,
    #[command(flatten)]
    pub look: Look,
}

pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: DocsCmd) -> Result<ExitCode> {
    match cmd {
        DocsCmd::Render(args) => render(ctx, store, *args).await,
        DocsCmd::Kinds => {
            for kind in DocKind::ALL {
                println!("{}\t{}\t{}", kind.key(), kind.template_name(), kind_label(*kind));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn kind_label(kind: DocKind) -> &'static str {
    match kind {
        DocKind::PreliminaryReport => "個人情報保護委員会への速報",
        DocKind::FinalReport => "個人情報保護委員会への確報",
        DocKind::FollowUpReport => "個人情報保護委員会への続報",
        DocKind::JointRequest => "委託元への連名報告の依頼",
        DocKind::JointReply => "連名報告の依頼への回答書",
        DocKind::NoticeLetter => "本人通知",
        DocKind::PublicNotice => "公表（ウェブ掲載）",
        DocKind::PressRelease => "報道発表資料",
        DocKind::Invoice => "費用の請求書",
        DocKind::StatusReport => "重大事象発生報告書（上位者への報告）",
    }
}

async fn render<D: Db>(ctx: &Ctx, store: &Store<D>, args: RenderArgs) -> Result<ExitCode> {
    let kind = DocKind::from_key(&args.kind).context("kind")?;
    let format = Format::from_key(&args.format).context("format")?;
    let id = store.find_incident(&args.incident).await?;
    let incident = store.incident(id).await?.facts;
    let (profile, templates, today) = look(ctx, &args.look)?;
    let assessment = assessment(&incident, today)?;
    let counts = args.plan.as_deref().map(|dir| plan_counts(ctx, dir, &args.party)).transpose()?;
    let case = Case {
        incident: &incident,
        assessment: Some(&assessment),
        party: &args.party,
        profile: &profile,
        today,
        edition: args.edition,
        counts: counts.as_ref(),
        recipient: None,
    };
    let mut markdown = todoke_docs::render_markdown(kind, &case, &templates)?;
    // The final report's item 6 states what the stored notice campaign did, from its figures.
    if kind == DocKind::FinalReport {
        let party_id = store.parties(id).await?.into_iter().find(|p| p.party.name == args.party).map(|p| p.id);
        let dashboards = todoke_app::campaign::dashboards(store, id).await?;
        if let Some(text) =
            dashboards.iter().find(|d| Some(d.party) == party_id).and_then(todoke_app::campaign::item6_text)
        {
            markdown = todoke_app::campaign::with_item6(&markdown, &text);
        }
    }

    // The earlier edition to compare with: the file given, or for a final report the stored 速報.
    let previous = match &args.previous {
        Some(path) => Some(std::fs::read_to_string(path).with_context(|| path.display().to_string())?),
        None if kind == DocKind::FinalReport => {
            let parties = store.parties(id).await?;
            let party_id = parties.iter().find(|p| p.party.name == args.party).map(|p| p.id);
            store
                .reports(id)
                .await?
                .into_iter()
                .map(|(_, r)| r)
                .rfind(|r| {
                    Some(r.party) == party_id && r.kind == ReportKind::Preliminary && !r.content.trim().is_empty()
                })
                .map(|r| r.content)
        }
        None => None,
    };
    if let Some(previous) = previous {
        let title = match kind {
            DocKind::FinalReport => "速報からの変更点".to_string(),
            _ if args.edition > 1 => format!("第{}報からの変更点", args.edition - 1),
            _ => "前回からの変更点".to_string(),
        };
        let changes = todoke_docs::diff_markdown(&title, &previous, &markdown);
        markdown.push('\n');
        markdown.push_str(&changes);
    }

    let fonts = if format == Format::Pdf { Some(load_fonts(ctx)?) } else { None };
    let out = todoke_docs::finish(kind, &case, &markdown, format, fonts.as_ref())?;
    write_atomically(&args.out, &out.into_bytes())?;
    eprintln!("{} {}", ctx.say("書き出しました:", "written:"), args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn letters<D: Db>(ctx: &Ctx, store: &Store<D>, args: LettersArgs) -> Result<ExitCode> {
    let id = match &args.incident {
        Some(id) => store.find_incident(id).await?,
        None => {
            let all = store.incidents().await?;
            match all.as_slice() {
                [only] => only.id,
                [] => bail!(
                    "{}",
                    ctx.say("事案がありません (todoke incident import)", "no incidents (todoke incident import)")
                ),
                _ => bail!(
                    "{}",
                    ctx.say(
                        "事案が複数あります: --incident ID で指定してください",
                        "several incidents: name one with --incident ID"
                    )
                ),
            }
        }
    };
    let incident = store.incident(id).await?.facts;
    if !incident.parties.iter().any(|p| p.name == args.party) {
        let names: Vec<&str> = incident.parties.iter().map(|p| p.name.as_str()).collect();
        bail!(
            "{} {} ({})",
            ctx.say("事案に当事者がありません:", "no such party in the incident:"),
            args.party,
            names.join("、")
        );
    }
    let (profile, templates, today) = look(ctx, &args.look)?;
    let assessment = assessment(&incident, today)?;
    let people = read_post_list(ctx, &args.plan, &args.party)?;
    if people.is_empty() {
        bail!("{}", ctx.say("郵送の対象者がいません", "nobody to write to on the post channel"));
    }
    let fonts = load_fonts(ctx)?;
    let base = Case {
        incident: &incident,
        assessment: Some(&assessment),
        party: &args.party,
        profile: &profile,
        today,
        edition: 1,
        counts: None,
        recipient: None,
    };
    // A template may address each person by name in the body; then every letter is rendered on its
    // own, otherwise one body serves all (and Typst lays it out once).
    let personal = templates_mention_recipient(&args.look)?;
    let bodies: Vec<String> = if personal {
        people
            .iter()
            .map(|p| {
                todoke_docs::render_markdown(DocKind::NoticeLetter, &Case { recipient: Some(p), ..base }, &templates)
            })
            .collect::<Result<_, _>>()?
    } else {
        vec![todoke_docs::render_markdown(DocKind::NoticeLetter, &base, &templates)?]
    };
    let letters = people.iter().enumerate().map(|(i, p)| {
        let body = bodies.get(i).or(bodies.first()).map_or("", String::as_str);
        (p, body)
    });
    let pdf = todoke_docs::letters_pdf(letters, &fonts)?;
    write_atomically(&args.out, &pdf)?;
    eprintln!(
        "{} {} ({} {})",
        ctx.say("書き出しました:", "written:"),
        args.out.display(),
        people.len(),
        ctx.say("通", "letters")
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether the organization's letter template names the recipient in the body.
fn templates_mention_recipient(look: &Look) -> Result<bool> {
    let Some(dir) = &look.templates else { return Ok(false) };
    let path = dir.join("notice_letter.md");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.contains("recipient")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| path.display().to_string()),
    }
}

/// The profile, the templates and the day.
pub(crate) fn look(ctx: &Ctx, look: &Look) -> Result<(Profile, Templates, Date)> {
    let profile = match &look.profile {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("{} {}", ctx.say("プロファイルを読めません:", "cannot read profile"), path.display())
            })?;
            Profile::from_toml(&text).with_context(|| path.display().to_string())?
        }
        None => Profile::default(),
    };
    let templates = match &look.templates {
        Some(dir) => {
            let mut overrides = Vec::new();
            let entries = std::fs::read_dir(dir).with_context(|| {
                format!(
                    "{} {}",
                    ctx.say("テンプレートのフォルダを読めません:", "cannot read templates folder"),
                    dir.display()
                )
            })?;
            for entry in entries {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "md") {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
                    overrides.push((name, text));
                }
            }
            Templates::with_overrides(overrides).with_context(|| dir.display().to_string())?
        }
        None => Templates::default(),
    };
    let today = match look.date {
        Some(day) => day,
        // Japan keeps +09:00 all year.
        None => SystemClock.now().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9))).date(),
    };
    Ok((profile, templates, today))
}

fn assessment(incident: &Incident, today: Date) -> Result<todoke_rules::Assessment> {
    let options = Options { as_of: Some(today), ..Options::default() };
    Ok(todoke_rules::assess(incident, &Packs::embedded()?, &options)?)
}

/// The party's notices per channel from DIR/summary.json (CONTRACTS.md §3).
fn plan_counts(ctx: &Ctx, dir: &Path, party: &str) -> Result<ChannelCounts> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("{} {}", ctx.say("計画の集計を読めません:", "cannot read the plan summary"), path.display())
    })?;
    let summary: serde_json::Value = serde_json::from_str(&text).with_context(|| path.display().to_string())?;
    let channels = summary
        .get("parties")
        .and_then(|p| p.get(party))
        .and_then(|p| p.get("channels"))
        .and_then(serde_json::Value::as_object)
        .with_context(|| {
            format!("{}: {} {party}", path.display(), ctx.say("当事者の集計がありません:", "no counts for"))
        })?;
    let channels: BTreeMap<String, u64> =
        channels.iter().filter_map(|(k, v)| v.as_u64().map(|n| (k.clone(), n))).filter(|(_, n)| *n > 0).collect();
    Ok(ChannelCounts { channels })
}

/// The people of DIR/<party>/post.csv: UTF-8 (with or without BOM), headers in Japanese or English.
fn read_post_list(ctx: &Ctx, dir: &Path, party: &str) -> Result<Vec<Recipient>> {
    let path = dir.join(party).join("post.csv");
    let file = std::fs::File::open(&path).with_context(|| {
        format!("{} {}", ctx.say("郵送リストを開けません:", "cannot open the post list"), path.display())
    })?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(std::io::BufReader::new(file));
    let headers = reader.headers().with_context(|| path.display().to_string())?.clone();
    let column = |names: &[&str]| {
        headers.iter().position(|h| {
            let h = h.trim_start_matches('\u{feff}').trim();
            names.iter().any(|n| h.eq_ignore_ascii_case(n))
        })
    };
    let name = column(&["氏名", "name", "名前"]).with_context(|| {
        format!("{}: {}", path.display(), ctx.say("氏名（name）の列がありません", "no 氏名/name column"))
    })?;
    let postal = column(&["郵便番号", "postal_code", "〒"]);
    let address = column(&["住所", "address"]);
    let mut people = Vec::new();
    for (line, record) in reader.records().enumerate() {
        // Line numbers only, never the content: rows hold personal data.
        let record = record.with_context(|| format!("{}:{}", path.display(), line + 2))?;
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i)).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
        };
        let Some(person_name) = get(Some(name)) else { continue };
        people.push(Recipient { name: person_name, postal_code: get(postal), address: get(address), reference: None });
    }
    Ok(people)
}

/// The IPAex fonts (`todoke_app::fonts`).
pub(crate) fn load_fonts(ctx: &Ctx) -> Result<Fonts> {
    todoke_app::fonts::system_fonts()
        .with_context(|| ctx.say("PDFに必要なフォントが読めません", "cannot load the fonts PDFs need").to_string())
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().context("--out names no file")?;
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string()).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
