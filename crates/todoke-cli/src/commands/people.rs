//! `todoke people plan | import | generate`: affected-person lists (CONTRACTS.md §3 and §4).
//! `plan --input` and `generate` need no database; `import` and `plan --incident` open the store.

use crate::context::Ctx;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;
use todoke_core::AffectedPerson;
use todoke_people::generate::{GenEncoding, GenerateOptions, generate};
use todoke_people::{
    Channel, ColumnMapping, Input, OutputEncoding, PlanConfig, PlanOptions, PlanOutcome, Progress, Rejected,
};
use todoke_store::{Db, IncidentStore, PersonStore, Store};

#[derive(Debug, Subcommand)]
pub enum PeopleCmd {
    /// Plans the notices: merges duplicates, removes exclusions, chooses each person's channel and
    /// counts the costs per party; writes DIR/summary.json, DIR/<party>/<channel>.csv, DIR/rejected.csv.
    Plan(PlanArgs),
    /// Stores a party's affected people in a case, encrypted; re-running it adds nothing twice.
    Import {
        /// The incident id (or a unique prefix of it).
        #[arg(long)]
        incident: String,
        /// The party whose list this is (its name in the incident's facts).
        #[arg(long)]
        party: String,
        /// A mapping file for other headers (TOML: "お名前" = "name").
        #[arg(long)]
        columns: Option<PathBuf>,
        /// The lists (CSV in UTF-8 or Shift_JIS, or .xlsx).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Writes synthetic lists with their ground truth (truth.json), for tests and benchmarks.
    Generate(GenerateArgs),
}

impl PeopleCmd {
    /// Whether the command needs the database.
    pub fn needs_store(&self) -> bool {
        match self {
            PeopleCmd::Plan(args) => args.incident.is_some(),
            PeopleCmd::Import { .. } => true,
            PeopleCmd::Generate(_) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EncodingArg {
    /// UTF-8 with a BOM.
    Utf8,
    /// Shift_JIS (CP932), for mailing software.
    Sjis,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// A list of people to notify (repeat, or give several).
    #[arg(long, num_args = 1.., required_unless_present = "incident")]
    pub input: Vec<PathBuf>,
    /// Plans from the people stored in this incident instead of files.
    #[arg(long, conflicts_with = "input")]
    pub incident: Option<String>,
    /// Lists of people not to notify (deceased, already notified).
    #[arg(long, num_args = 1..)]
    pub exclude: Vec<PathBuf>,
    /// Channels and costs per party (PLAN.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The output folder (replaced as a whole when everything is written).
    #[arg(long)]
    pub out: PathBuf,
    /// The party of lists without a 委託元/party column.
    #[arg(long)]
    pub party: Option<String>,
    /// The encoding of the CSV files written.
    #[arg(long, value_enum, default_value = "utf8")]
    pub encoding: EncodingArg,
    /// A mapping file for other headers (TOML: "お名前" = "name").
    #[arg(long)]
    pub columns: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GenEncodingArg {
    /// UTF-8 with a BOM.
    Utf8,
    /// Shift_JIS.
    Sjis,
    /// UTF-8 with BOM, Shift_JIS and UTF-8 without BOM, file by file.
    Mixed,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Data rows in all people files.
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    /// The folder to write (people-N.csv, deceased.csv, notified.csv, truth.json).
    #[arg(long)]
    pub out: PathBuf,
    /// The parties, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "春日部市,越谷市,草加市")]
    pub parties: Vec<String>,
    /// The share of rows that repeat a person already listed.
    #[arg(long, default_value_t = 0.1)]
    pub duplicates: f64,
    /// The share of people on the deceased list.
    #[arg(long, default_value_t = 0.01)]
    pub deceased: f64,
    /// The share of rows that cannot be used.
    #[arg(long, default_value_t = 0.005)]
    pub rejected: f64,
    /// The share of people listed by a second party too.
    #[arg(long, default_value_t = 0.01)]
    pub several: f64,
    /// How many people files.
    #[arg(long, default_value_t = 1)]
    pub files: usize,
    /// Their encoding.
    #[arg(long, value_enum, default_value = "mixed")]
    pub encoding: GenEncodingArg,
    /// The random seed (the same seed writes the same files).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Commands that need no database.
pub fn run_offline(ctx: &Ctx, cmd: PeopleCmd) -> Result<ExitCode> {
    match cmd {
        PeopleCmd::Plan(args) => {
            let inputs = args
                .input
                .iter()
                .map(|p| Ok(Input::open(p)?.with_party(args.party.as_deref())))
                .collect::<Result<Vec<_>>>()?;
            plan(ctx, &args, inputs)
        }
        PeopleCmd::Generate(args) => run_generate(ctx, &args),
        PeopleCmd::Import { .. } => bail!("people import needs the database"),
    }
}

/// Commands that need the store.
pub async fn run<D: Db>(ctx: &Ctx, store: &Store<D>, cmd: PeopleCmd) -> Result<ExitCode> {
    match cmd {
        PeopleCmd::Import { incident, party, columns, files } => {
            import(ctx, store, &incident, &party, columns.as_deref(), &files).await
        }
        PeopleCmd::Plan(args) => {
            let Some(id) = &args.incident else { return run_offline(ctx, PeopleCmd::Plan(args)) };
            let incident = store.find_incident(id).await?;
            let parties = store.parties(incident).await?;
            let people = store.people(incident, None).await?;
            let rows = people.into_iter().map(|p| {
                let party = parties.iter().find(|q| q.id == p.party).map(|q| q.party.name.clone()).unwrap_or_default();
                todoke_app::people::person_row(party, p.person)
            });
            let input = Input::rows(&format!("incident:{incident}"), rows.collect::<Vec<_>>());
            plan(ctx, &args, vec![input])
        }
        PeopleCmd::Generate(args) => run_generate(ctx, &args),
    }
}

fn mapping(ctx: &Ctx, columns: Option<&Path>) -> Result<ColumnMapping> {
    let Some(path) = columns else { return Ok(ColumnMapping::default()) };
    let text = std::fs::read_to_string(path).with_context(|| {
        format!("{} {}", ctx.say("対応表を読めません:", "cannot read column mapping"), path.display())
    })?;
    Ok(ColumnMapping::parse(&path.display().to_string(), &text)?)
}

fn plan(ctx: &Ctx, args: &PlanArgs, inputs: Vec<Input>) -> Result<ExitCode> {
    let config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("{} {}", ctx.say("計画ファイルを読めません:", "cannot read plan file"), path.display())
            })?;
            PlanConfig::parse(&path.display().to_string(), &text)?
        }
        None => PlanConfig::default(),
    };
    let excludes = args.exclude.iter().map(|p| Input::open(p)).collect::<Result<Vec<_>, _>>()?;
    let encoding = match args.encoding {
        EncodingArg::Utf8 => OutputEncoding::Utf8Bom,
        EncodingArg::Sjis => OutputEncoding::ShiftJis,
    };
    let progress = Bar::new();
    let outcome = todoke_people::plan(
        PlanOptions {
            inputs,
            excludes,
            mapping: mapping(ctx, args.columns.as_deref())?,
            config,
            encoding,
            out: args.out.clone(),
        },
        &progress,
    )?;
    print_plan(ctx, &outcome, &args.out);
    Ok(ExitCode::SUCCESS)
}

fn print_plan(ctx: &Ctx, outcome: &PlanOutcome, out: &Path) {
    let s = &outcome.summary;
    println!(
        "{} {}  {} {}  {} {}  {} {}  {} {}  {} {}",
        ctx.say("読んだ行", "rows read"),
        s.rows_read,
        ctx.say("使えない行", "rejected"),
        s.rows_rejected,
        ctx.say("本人", "persons"),
        s.persons,
        ctx.say("重複統合", "duplicates merged"),
        s.duplicates_merged,
        ctx.say("除外", "excluded"),
        s.excluded,
        ctx.say("通知", "to notify"),
        s.to_notify
    );
    for (name, p) in &s.parties {
        let channels: Vec<String> =
            Channel::ALL.iter().map(|c| format!("{} {}", c.key(), channel_count(&p.channels, *c))).collect();
        println!(
            "  {name}: {} {}  {} {}  {}  {} {}{}",
            ctx.say("本人", "persons"),
            p.persons,
            ctx.say("通知", "to notify"),
            p.to_notify,
            channels.join(", "),
            ctx.say("費用", "cost"),
            p.cost_yen,
            ctx.say("円", " yen"),
        );
    }
    if outcome.in_several_parties > 0 {
        println!(
            "{} {} ({})",
            ctx.say("複数の委託元に載っている人:", "people listed by several parties:"),
            outcome.in_several_parties,
            out.join("several_parties.csv").display()
        );
    }
    if s.rows_rejected > 0 {
        println!("{} {}", ctx.say("使えない行の一覧:", "rejected rows:"), out.join("rejected.csv").display());
    }
    if outcome.exclusion_rows_rejected > 0 {
        println!(
            "{} {} ({})",
            ctx.say("除外リストの使えない行:", "unusable exclusion rows:"),
            outcome.exclusion_rows_rejected,
            out.join("rejected_exclusions.csv").display()
        );
    }
    if outcome.unencodable > 0 {
        eprintln!(
            "{} {}",
            ctx.say("Shift_JIS にない文字を〓にしました:", "characters Shift_JIS lacks, written as 〓:"),
            outcome.unencodable
        );
    }
    println!("{} {}", ctx.say("出力:", "written:"), out.display());
}

fn channel_count(c: &todoke_people::ChannelCounts, channel: Channel) -> u64 {
    match channel {
        Channel::Post => c.post,
        Channel::Email => c.email,
        Channel::Bulletin => c.bulletin,
        Channel::Substitute => c.substitute,
    }
}

async fn import<D: Db>(
    ctx: &Ctx,
    store: &Store<D>,
    incident: &str,
    party: &str,
    columns: Option<&Path>,
    files: &[PathBuf],
) -> Result<ExitCode> {
    let incident = store.find_incident(incident).await?;
    let parties = store.parties(incident).await?;
    let Some(stored) = parties.iter().find(|p| p.party.name == party.trim()) else {
        let names: Vec<&str> = parties.iter().map(|p| p.party.name.as_str()).collect();
        bail!(
            "{} `{party}` ({}: {})",
            ctx.say("当事者がありません:", "no such party:"),
            ctx.say("当事者", "parties"),
            names.join(", ")
        );
    };
    let (people, rejected) = read_people(ctx, &stored.party.name, columns, files, &Bar::new())?;
    // One call, one transaction: a crash leaves nothing half-imported.
    let added = store.add_people(&ctx.actor, incident, stored.id, &people).await?;
    for r in rejected.iter().take(20) {
        eprintln!("{}:{}: {}", r.file, r.line, r.reason.text());
    }
    if rejected.len() > 20 {
        eprintln!("… {} {}", rejected.len() - 20, ctx.say("行ほか", "more rows"));
    }
    println!(
        "{} {}  {} {}  {} {}",
        ctx.say("登録しました:", "stored:"),
        added.added,
        ctx.say("登録済み:", "already stored:"),
        added.already_present,
        ctx.say("使えない行:", "rejected rows:"),
        rejected.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A party's list as people to store, and the rows that cannot be used (a row of another party
/// among them).
fn read_people(
    ctx: &Ctx,
    party: &str,
    columns: Option<&Path>,
    files: &[PathBuf],
    progress: &dyn Progress,
) -> Result<(Vec<AffectedPerson>, Vec<Rejected>)> {
    let inputs = files.iter().map(|p| Ok(Input::open(p)?)).collect::<Result<Vec<_>>>()?;
    Ok(todoke_app::people::read_list(party, inputs, &mapping(ctx, columns)?, progress)?)
}

/// How many synthetic rows the demo's cities send (each city's share of one generated list).
const DEMO_ROWS: u64 = 600;

/// The demo's affected people: one synthetic list (Shift_JIS CSV, with the duplicates and variant
/// spellings real lists have) for the demo's cities, read and stored like any imported list.
/// Returns one stored person's kana name and birth date, to try "am I affected?" with.
pub async fn load_demo_people<D: Db>(ctx: &Ctx, store: &Store<D>, cities: &[&str]) -> Result<Option<String>> {
    // The demo case was just created: it is the last in the list (ordered by creation).
    let Some(summary) = store.incidents().await?.into_iter().last() else { return Ok(None) };
    let parties = store.parties(summary.id).await?;
    let dir = tempfile::tempdir()?;
    let opts = GenerateOptions {
        rows: DEMO_ROWS * cities.len() as u64,
        parties: cities.iter().map(|c| c.to_string()).collect(),
        rejected: 0.0,
        encoding: GenEncoding::Sjis,
        seed: 2024,
        ..GenerateOptions::default()
    };
    let truth = generate(&opts, dir.path())?;
    let mut example = None;
    for city in cities {
        let Some(party) = parties.iter().find(|p| p.party.name == *city) else { continue };
        let (people, _) = read_people(ctx, city, None, &truth.inputs, &todoke_people::NoProgress)?;
        store.add_people(&ctx.actor, summary.id, party.id, &people).await?;
        if example.is_none() {
            example =
                people.iter().find_map(|p| Some(format!("{} {} ({city})", p.name_kana.as_deref()?, p.birth_date?)));
        }
    }
    Ok(example)
}

fn run_generate(ctx: &Ctx, args: &GenerateArgs) -> Result<ExitCode> {
    let opts = GenerateOptions {
        rows: args.rows,
        parties: args.parties.clone(),
        duplicates: args.duplicates,
        deceased: args.deceased,
        rejected: args.rejected,
        several: args.several,
        files: args.files,
        encoding: match args.encoding {
            GenEncodingArg::Utf8 => GenEncoding::Utf8,
            GenEncodingArg::Sjis => GenEncoding::Sjis,
            GenEncodingArg::Mixed => GenEncoding::Mixed,
        },
        seed: args.seed,
        keep_rows: false,
    };
    let start = Instant::now();
    let truth = generate(&opts, &args.out)?;
    println!(
        "{} {} ({} {}, {} {:.1} s): {}",
        ctx.say("生成しました:", "generated:"),
        truth.summary.rows_read,
        ctx.say("本人", "persons"),
        truth.summary.persons,
        ctx.say("所要", "took"),
        start.elapsed().as_secs_f64(),
        args.out.join("truth.json").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A progress bar on a terminal (rows/s and ETA); nothing when stderr is not a terminal.
struct Bar {
    bar: ProgressBar,
    start: std::sync::Mutex<Instant>,
}

impl Bar {
    fn new() -> Self {
        let target =
            if std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Self { bar: ProgressBar::with_draw_target(None, target), start: std::sync::Mutex::new(Instant::now()) }
    }
}

impl Progress for Bar {
    fn phase(&self, name: &str, total: Option<u64>) {
        let style = match (name, total) {
            ("read", Some(_)) => "{prefix:>6} [{bar:30}] {bytes}/{total_bytes} {msg} ETA {eta}",
            (_, Some(_)) => "{prefix:>6} [{bar:30}] {pos}/{len} {msg} ETA {eta}",
            _ => "{prefix:>6} {spinner} {msg} {elapsed}",
        };
        if let Ok(style) = ProgressStyle::with_template(style) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_prefix(name.to_string());
        self.bar.set_length(total.unwrap_or(0));
        self.bar.set_position(0);
        self.bar.set_message("");
        if let Ok(mut start) = self.start.lock() {
            *start = Instant::now();
        }
        if total.is_none() {
            self.bar.enable_steady_tick(std::time::Duration::from_millis(200));
        } else {
            self.bar.disable_steady_tick();
        }
    }

    fn advance(&self, done: u64, rows: u64) {
        self.bar.set_position(done);
        let secs = self.start.lock().map(|s| s.elapsed().as_secs_f64()).unwrap_or(0.0);
        if secs > 0.0 {
            self.bar.set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
