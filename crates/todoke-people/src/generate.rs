//! Synthetic affected-person lists with their ground truth, for tests and benchmarks: realistic
//! Japanese names in kanji and kana, addresses, birth dates in mixed formats (和暦 included), a
//! chosen share of duplicates spelled differently (width, kana, spaces, variant kanji, a second
//! kanji spelling of one reading), people listed by two parties, unusable rows, deceased and
//! already-notified lists, in UTF-8 (with and without BOM) and Shift_JIS.
//!
//! Everything it writes is made up; the truth it returns is what `plan` must find with the
//! default channels and costs.

use crate::config::Channel;
use crate::error::{PeopleError, Result};
use crate::field::Field;
use crate::output::{CsvOut, OutputEncoding};
use crate::plan::{PartySummary, Summary};
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BinaryHeap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Surnames: kanji, katakana, romaji.
const SURNAMES: &str = "佐藤:サトウ:sato 鈴木:スズキ:suzuki 高橋:タカハシ:takahashi 田中:タナカ:tanaka 伊藤:イトウ:ito \
渡辺:ワタナベ:watanabe 山本:ヤマモト:yamamoto 中村:ナカムラ:nakamura 小林:コバヤシ:kobayashi 加藤:カトウ:kato \
吉田:ヨシダ:yoshida 山田:ヤマダ:yamada 佐々木:ササキ:sasaki 山口:ヤマグチ:yamaguchi 松本:マツモト:matsumoto \
井上:イノウエ:inoue 木村:キムラ:kimura 林:ハヤシ:hayashi 斎藤:サイトウ:saito 清水:シミズ:shimizu 山崎:ヤマザキ:yamazaki \
森:モリ:mori 池田:イケダ:ikeda 橋本:ハシモト:hashimoto 阿部:アベ:abe 石川:イシカワ:ishikawa 山下:ヤマシタ:yamashita \
中島:ナカジマ:nakajima 石井:イシイ:ishii 小川:オガワ:ogawa 前田:マエダ:maeda 岡田:オカダ:okada 長谷川:ハセガワ:hasegawa \
藤田:フジタ:fujita 後藤:ゴトウ:goto 近藤:コンドウ:kondo 村上:ムラカミ:murakami 遠藤:エンドウ:endo 青木:アオキ:aoki \
坂本:サカモト:sakamoto 斉藤:サイトウ:saito 福田:フクダ:fukuda 太田:オオタ:ota 西村:ニシムラ:nishimura 藤井:フジイ:fujii \
金子:カネコ:kaneko 岡本:オカモト:okamoto 藤原:フジワラ:fujiwara 中野:ナカノ:nakano 三浦:ミウラ:miura 原田:ハラダ:harada \
松田:マツダ:matsuda 竹内:タケウチ:takeuchi 小野:オノ:ono 田村:タムラ:tamura 中山:ナカヤマ:nakayama 和田:ワダ:wada \
石田:イシダ:ishida 森田:モリタ:morita 上田:ウエダ:ueda 原:ハラ:hara 柴田:シバタ:shibata 酒井:サカイ:sakai 工藤:クドウ:kudo \
横山:ヨコヤマ:yokoyama 宮崎:ミヤザキ:miyazaki 宮本:ミヤモト:miyamoto 内田:ウチダ:uchida 高木:タカギ:takagi 安藤:アンドウ:ando \
島田:シマダ:shimada 谷口:タニグチ:taniguchi 大野:オオノ:ono 高田:タカダ:takada 丸山:マルヤマ:maruyama 今井:イマイ:imai \
河野:コウノ:kono 藤本:フジモト:fujimoto 村田:ムラタ:murata 武田:タケダ:takeda 上野:ウエノ:ueno 杉山:スギヤマ:sugiyama \
増田:マスダ:masuda 小山:コヤマ:koyama 平野:ヒラノ:hirano 大塚:オオツカ:otsuka 千葉:チバ:chiba 久保:クボ:kubo 松井:マツイ:matsui \
岩崎:イワサキ:iwasaki 桜井:サクライ:sakurai 野口:ノグチ:noguchi 松尾:マツオ:matsuo 菅原:スガワラ:sugawara 木下:キノシタ:kinoshita \
浜田:ハマダ:hamada 沢田:サワダ:sawada 広瀬:ヒロセ:hirose 渡部:ワタナベ:watanabe 富田:トミタ:tomita 辺見:ヘンミ:henmi \
高野:タカノ:takano 長島:ナガシマ:nagashima 小島:コジマ:kojima 黒田:クロダ:kuroda 浅野:アサノ:asano 真田:サナダ:sanada \
滝沢:タキザワ:takizawa 峰岸:ミネギシ:minegishi 国井:クニイ:kunii 斎藤:サイトウ:saito 川崎:カワサキ:kawasaki 北条:ホウジョウ:hojo";

/// Given names: kanji, katakana, romaji, and a second kanji spelling of the same reading.
const GIVEN: &str = "太郎:タロウ:taro:太朗 一郎:イチロウ:ichiro:市郎 健太:ケンタ:kenta:健汰 翔太:ショウタ:shota:翔大 \
大輔:ダイスケ:daisuke:大介 拓也:タクヤ:takuya:卓也 直樹:ナオキ:naoki:尚樹 浩:ヒロシ:hiroshi:博 誠:マコト:makoto:真 \
修:オサム:osamu:治 健一:ケンイチ:kenichi:謙一 和也:カズヤ:kazuya:一也 達也:タツヤ:tatsuya:竜也 隆:タカシ:takashi:崇 \
茂:シゲル:shigeru:繁 勇気:ユウキ:yuki:勇樹 蓮:レン:ren:廉 大翔:ヒロト:hiroto:大斗 悠真:ユウマ:yuma:佑真 陽翔:ハルト:haruto:悠斗 \
正男:マサオ:masao:正雄 清:キヨシ:kiyoshi:潔 実:ミノル:minoru:稔 進:ススム:susumu:晋 昭:アキラ:akira:明 \
花子:ハナコ:hanako:華子 裕子:ユウコ:yuko:優子 美香:ミカ:mika:美佳 恵子:ケイコ:keiko:啓子 陽子:ヨウコ:yoko:洋子 \
直美:ナオミ:naomi:奈緒美 由美:ユミ:yumi:由実 智子:トモコ:tomoko:知子 久美子:クミコ:kumiko:久美子 真由美:マユミ:mayumi:麻由美 \
愛:アイ:ai:藍 結衣:ユイ:yui:唯 陽菜:ヒナ:hina:日菜 美咲:ミサキ:misaki:美沙希 さくら:サクラ:sakura:桜 葵:アオイ:aoi:碧 \
芽衣:メイ:mei:芽依 凛:リン:rin:鈴 明美:アケミ:akemi:朱美 幸子:サチコ:sachiko:祥子 和子:カズコ:kazuko:一子 \
節子:セツコ:setsuko:節子 静香:シズカ:shizuka:静佳 千尋:チヒロ:chihiro:千紘 舞:マイ:mai:麻衣 彩:アヤ:aya:綾";

const PLACES: &str = "埼玉県:春日部市:中央 埼玉県:越谷市:越ヶ谷 埼玉県:草加市:高砂 埼玉県:さいたま市浦和区:高砂 \
埼玉県:川口市:本町 東京都:足立区:千住 東京都:世田谷区:太子堂 千葉県:松戸市:本町 神奈川県:横浜市港北区:日吉 \
茨城県:つくば市:竹園 栃木県:宇都宮市:本町 群馬県:高崎市:八島町";

const DOMAINS: [&str; 6] =
    ["example.jp", "example.com", "example.ne.jp", "mail.example.jp", "docomo.example.jp", "ezweb.example.jp"];

/// The variant-kanji table that todoke-ja folds: generated names use the variants people
/// really write (髙橋, 山﨑, 渡邊). Read from todoke-ja's copy so both always agree.
const ITAIJI_TSV: &str = include_str!("../../todoke-ja/data/itaiji.tsv");

/// How the generated lists are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenEncoding {
    /// UTF-8 (with a BOM).
    Utf8,
    /// Shift_JIS.
    Sjis,
    /// File by file: UTF-8 with BOM, Shift_JIS, UTF-8 without BOM, …
    Mixed,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Data rows in all people files.
    pub rows: u64,
    /// The parties.
    pub parties: Vec<String>,
    /// The share of rows that repeat a person already listed (0.0..1.0).
    pub duplicates: f64,
    /// The share of people on the deceased list.
    pub deceased: f64,
    /// The share of rows that cannot be used.
    pub rejected: f64,
    /// The share of people listed by a second party too.
    pub several: f64,
    /// How many people files.
    pub files: usize,
    /// Their encoding.
    pub encoding: GenEncoding,
    /// The random seed: the same seed gives the same files.
    pub seed: u64,
    /// Keep every person's rows in the truth (for tests; costs memory).
    pub keep_rows: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            rows: 1000,
            parties: vec!["春日部市".into(), "越谷市".into(), "草加市".into()],
            duplicates: 0.1,
            deceased: 0.01,
            rejected: 0.005,
            several: 0.01,
            files: 1,
            encoding: GenEncoding::Mixed,
            seed: 1,
            keep_rows: false,
        }
    }
}

/// What `plan` must find.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Truth {
    /// The summary `plan` must write with the default channels and costs.
    pub summary: Summary,
    /// People listed by more than one party.
    pub in_several_parties: u64,
    /// The people files written.
    pub inputs: Vec<PathBuf>,
    /// The exclusion lists written.
    pub excludes: Vec<PathBuf>,
    /// With `keep_rows`: the rows (`file:line`) of each person to notify, each list sorted.
    #[serde(skip)]
    pub rows_of_people: Vec<Vec<String>>,
}

struct Names {
    surnames: Vec<[String; 3]>,
    given: Vec<[String; 4]>,
    places: Vec<[String; 3]>,
    /// Standard kanji → the variants of it that Shift_JIS can carry.
    variants: FxHashMap<char, Vec<char>>,
}

impl Names {
    fn load() -> Self {
        let split = |table: &str| -> Vec<Vec<String>> {
            table.split_whitespace().map(|e| e.split(':').map(str::to_string).collect()).collect()
        };
        let take = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let surnames = split(SURNAMES).iter().map(|v| [take(v, 0), take(v, 1), take(v, 2)]).collect();
        let given = split(GIVEN).iter().map(|v| [take(v, 0), take(v, 1), take(v, 2), take(v, 3)]).collect();
        let places = split(PLACES).iter().map(|v| [take(v, 0), take(v, 1), take(v, 2)]).collect();
        let mut variants: FxHashMap<char, Vec<char>> = FxHashMap::default();
        for line in ITAIJI_TSV.lines().filter(|l| !l.starts_with('#')) {
            let mut cols = line.split('\t').filter_map(|c| c.trim().chars().next());
            if let (Some(variant), Some(standard)) = (cols.next(), cols.next()) {
                let s = variant.to_string();
                let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&s);
                if !unmappable {
                    variants.entry(standard).or_default().push(variant);
                }
            }
        }
        Self { surnames, given, places, variants }
    }
}

/// The identity of a generated person.
#[derive(Clone)]
struct Identity {
    surname: usize,
    given: usize,
    birth: Date,
}

/// An identity key across all parties: two people made up separately never share one, so that
/// only the people meant to be one (duplicates, or one person listed by two parties) match.
fn key(kind: u8, birth: Date, name: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    kind.hash(&mut h);
    birth.hash(&mut h);
    todoke_ja::normalize_name(name).hash(&mut h);
    h.finish()
}

/// How a row spells the name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spelling {
    /// Kanji and kana, both written in some variant form.
    Both,
    /// Kanji only.
    KanjiOnly,
    /// The second kanji spelling of the given name, with kana.
    AltKanjiWithKana,
    /// The second kanji spelling only (found through a row of the previous kind).
    AltKanjiOnly,
}

struct Person {
    no: u64,
    party: usize,
    id: Identity,
    staff: bool,
    remaining: u32,
    email_ok: bool,
    post_ok: bool,
    excluded: bool,
    several: bool,
    rows: Vec<String>,
}

/// A row waiting to be written later in the file, so that duplicates lie apart.
struct Pending {
    due: u64,
    person: u64,
    spelling: Spelling,
}

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        self.due == o.due && self.person == o.person
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    // The heap pops the earliest due row first.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.due.cmp(&self.due).then(o.person.cmp(&self.person))
    }
}

struct Writer {
    files: Vec<(CsvOut, String)>,
    rows_per_file: u64,
    written: u64,
    line: u64,
}

impl Writer {
    /// Writes a row; returns its `file:line`.
    fn write(&mut self, fields: &[String]) -> Result<String> {
        let per_file = self.rows_per_file.max(1);
        let index = ((self.written / per_file) as usize).min(self.files.len().saturating_sub(1));
        // Line 1 is the header.
        self.line = self.written - index as u64 * per_file + 2;
        self.written += 1;
        let Some((out, name)) = self.files.get_mut(index) else {
            return Err(PeopleError::Output { path: PathBuf::new(), message: "no file".into() });
        };
        out.row(fields)?;
        Ok(format!("{name}:{}", self.line))
    }
}

struct Gen<'a> {
    rng: StdRng,
    names: &'a Names,
    keys: FxHashSet<u64>,
}

const FULL_WIDTH_OFFSET: u32 = 0xFEE0;

fn full_width_digits(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + FULL_WIDTH_OFFSET).unwrap_or(c) } else { c })
        .collect()
}

fn half_width_kana(s: &str) -> String {
    const FULL: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
    const HALF: &str = "｡｢｣､･ｦｧｨｩｪｫｬｭｮｯｰｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
    let mut out = String::new();
    for c in s.nfd() {
        match c {
            '\u{3099}' => out.push('ﾞ'),
            '\u{309A}' => out.push('ﾟ'),
            '　' => out.push(' '),
            c => match FULL.chars().position(|f| f == c) {
                Some(i) => out.push(HALF.chars().nth(i).unwrap_or(c)),
                None => out.push(c),
            },
        }
    }
    out
}

fn hiragana(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            c => c,
        })
        .collect()
}

impl Gen<'_> {
    fn pick<'t, T>(&mut self, items: &'t [T]) -> Option<&'t T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.rng.gen_range(0..items.len()))
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    fn birth(&mut self) -> Date {
        let start = jiff::civil::date(1925, 1, 1);
        let days = self.rng.gen_range(0..36_500);
        start.checked_add(jiff::Span::new().days(days)).unwrap_or(start)
    }

    fn surname(&self, id: &Identity) -> &[String; 3] {
        static EMPTY: [String; 3] = [String::new(), String::new(), String::new()];
        self.names.surnames.get(id.surname).unwrap_or(&EMPTY)
    }

    fn given(&self, id: &Identity) -> &[String; 4] {
        static EMPTY: [String; 4] = [String::new(), String::new(), String::new(), String::new()];
        self.names.given.get(id.given).unwrap_or(&EMPTY)
    }

    fn kanji_name(&self, id: &Identity, alt: bool) -> String {
        let given = self.given(id);
        format!("{}{}", self.surname(id)[0], if alt { &given[3] } else { &given[0] })
    }

    fn kana_name(&self, id: &Identity) -> String {
        format!("{}{}", self.surname(id)[1], self.given(id)[1])
    }

    /// Reserves the identity keys of a new person; false when one is taken.
    fn reserve(&mut self, id: &Identity) -> bool {
        let keys = [
            key(b'n', id.birth, &self.kanji_name(id, false)),
            key(b'k', id.birth, &self.kana_name(id)),
            key(b'n', id.birth, &self.kanji_name(id, true)),
        ];
        if keys.iter().any(|k| self.keys.contains(k)) {
            return false;
        }
        self.keys.extend(keys);
        true
    }

    fn new_identity(&mut self) -> Identity {
        let surname = self.rng.gen_range(0..self.names.surnames.len().max(1));
        let given = self.rng.gen_range(0..self.names.given.len().max(1));
        Identity { surname, given, birth: self.birth() }
    }

    fn space(&mut self) -> &'static str {
        match self.rng.gen_range(0..4) {
            0 => " ",
            1 => "　",
            _ => "",
        }
    }

    fn written_kanji(&mut self, id: &Identity, alt: bool) -> String {
        let given = self.given(id).clone();
        let surname = self.surname(id)[0].clone();
        let mut sur = String::new();
        for c in surname.chars() {
            let variant = self.names.variants.get(&c).cloned().unwrap_or_default();
            match self.pick(&variant) {
                Some(v) if self.chance(0.5) => sur.push(*v),
                _ => sur.push(c),
            }
        }
        let space = self.space();
        format!("{sur}{space}{}", if alt { &given[3] } else { &given[0] })
    }

    fn written_kana(&mut self, id: &Identity) -> String {
        let space = self.space();
        let kana = format!("{}{space}{}", self.surname(id)[1], self.given(id)[1]);
        match self.rng.gen_range(0..10) {
            0..=5 => kana,
            6 | 7 => hiragana(&kana),
            _ => half_width_kana(&kana),
        }
    }

    fn written_date(&mut self, d: Date) -> String {
        let (y, m, day) = (d.year(), d.month(), d.day());
        let era = todoke_ja::Era::of(d);
        let text = match (self.rng.gen_range(0..8), era) {
            (0, _) | (1, None) => format!("{y:04}-{m:02}-{day:02}"),
            (2, _) => format!("{y}/{m}/{day}"),
            (3, _) => format!("{y:04}{m:02}{day:02}"),
            (4, Some(e)) => {
                let n = y - e.first_day().year() + 1;
                let year = if n == 1 { "元".to_string() } else { n.to_string() };
                format!("{}{year}年{m}月{day}日", e.kanji())
            }
            (5, Some(e)) => format!("{}{}.{m}.{day}", e.letter(), y - e.first_day().year() + 1),
            (6, Some(e)) => format!("{}{}/{m:02}/{day:02}", e.letter(), y - e.first_day().year() + 1),
            (_, Some(e)) => {
                format!("{}{}.{m}.{day}", e.kanji().chars().next().unwrap_or('昭'), y - e.first_day().year() + 1)
            }
            (_, None) => format!("{y:04}-{m:02}-{day:02}"),
        };
        if self.chance(0.1) { full_width_digits(&text) } else { text }
    }

    /// Contact data for one row: postal code, address, phone, e-mail; and whether the row allows
    /// an e-mail and a letter.
    fn contact(&mut self, id: &Identity) -> ([String; 4], bool, bool) {
        let mut email_ok = false;
        let mut post_ok = false;
        let (mut postal, mut address, mut phone, mut email) =
            (String::new(), String::new(), String::new(), String::new());
        if self.chance(0.85) {
            let place = self.pick(&self.names.places).cloned().unwrap_or_default();
            let (a, b, c) = (self.rng.gen_range(1..10), self.rng.gen_range(1..30), self.rng.gen_range(1..20));
            address = match self.rng.gen_range(0..3) {
                0 => format!("{}{}{}{a}丁目{b}番{c}号", place[0], place[1], place[2]),
                1 => format!("{}{}{}{a}-{b}-{c}", place[0], place[1], place[2]),
                _ => full_width_digits(&format!("{}{}{}{a}-{b}-{c}", place[0], place[1], place[2])),
            };
            let code = self.rng.gen_range(1_000_000..9_999_999u32).to_string();
            postal = match self.rng.gen_range(0..4) {
                0 => format!("〒{}-{}", &code[..3], &code[3..]),
                1 => code.clone(),
                2 => full_width_digits(&format!("{}-{}", &code[..3], &code[3..])),
                _ => format!("{}-{}", &code[..3], &code[3..]),
            };
            if self.chance(0.03) {
                postal = code[..3].to_string();
            } else if self.chance(0.03) {
                address = "不明".into();
            } else {
                post_ok = true;
            }
        }
        if self.chance(0.7) {
            phone = if self.chance(0.5) {
                format!(
                    "0{}0-{:04}-{:04}",
                    self.rng.gen_range(7..10),
                    self.rng.gen_range(0..10000),
                    self.rng.gen_range(0..10000)
                )
            } else {
                format!("048-{:03}-{:04}", self.rng.gen_range(100..1000), self.rng.gen_range(0..10000))
            };
        }
        if self.chance(0.5) {
            let domain = self.pick(&DOMAINS).copied().unwrap_or("example.jp");
            let n = self.rng.gen_range(0..1000);
            let user = format!("{}.{}{n}", self.given(id)[2], self.surname(id)[2]);
            email = format!("{user}@{domain}");
            if self.chance(0.05) {
                email = format!("{user}@");
            } else {
                email_ok = true;
                if self.chance(0.05) {
                    email = email.to_uppercase();
                }
            }
        }
        ([postal, address, phone, email], email_ok, post_ok)
    }

    /// A row of a person, in the order of [`Field::ALL`].
    fn person_row(&mut self, party: &str, id: &Identity, staff: bool, spelling: Spelling) -> (Vec<String>, bool, bool) {
        let name = match spelling {
            Spelling::Both | Spelling::KanjiOnly => self.written_kanji(id, false),
            Spelling::AltKanjiWithKana | Spelling::AltKanjiOnly => self.written_kanji(id, true),
        };
        let kana = match spelling {
            Spelling::Both | Spelling::AltKanjiWithKana => self.written_kana(id),
            Spelling::KanjiOnly | Spelling::AltKanjiOnly => String::new(),
        };
        let ([postal, address, phone, email], email_ok, post_ok) = self.contact(id);
        let sex = if id.given.is_multiple_of(2) { "男" } else { "女" };
        let row = vec![
            party.to_string(),
            name,
            kana,
            self.written_date(id.birth),
            sex.to_string(),
            postal,
            address,
            phone,
            email,
            format!("{:08}", self.rng.gen_range(0..100_000_000u32)),
            if staff { "職員".into() } else { String::new() },
        ];
        (row, email_ok, post_ok)
    }
}

fn headers(japanese: bool) -> Vec<String> {
    Field::ALL.iter().map(|f| if japanese { f.ja() } else { f.key() }.to_string()).collect()
}

/// Writes the lists into `dir` (`people-N.csv`, `deceased.csv`, `notified.csv`, `truth.json`).
pub fn generate(opts: &GenerateOptions, dir: &Path) -> Result<Truth> {
    std::fs::create_dir_all(dir).map_err(|e| PeopleError::io(dir, e))?;
    let names = Names::load();
    let mut g = Gen { rng: StdRng::seed_from_u64(opts.seed), names: &names, keys: FxHashSet::default() };
    let mut truth = Truth::default();
    let files = opts.files.max(1);
    let mut outs = Vec::new();
    for i in 0..files {
        let path = dir.join(format!("people-{}.csv", i + 1));
        let encoding = match (opts.encoding, i % 3) {
            (GenEncoding::Utf8, _) | (GenEncoding::Mixed, 0) => OutputEncoding::Utf8Bom,
            (GenEncoding::Sjis, _) | (GenEncoding::Mixed, 1) => OutputEncoding::ShiftJis,
            (GenEncoding::Mixed, _) => OutputEncoding::Utf8,
        };
        let header = headers(i % 2 == 0);
        let refs: Vec<&str> = header.iter().map(String::as_str).collect();
        outs.push((CsvOut::create(&path, encoding, &refs)?, path.display().to_string()));
        truth.inputs.push(path);
    }
    let mut writer = Writer { files: outs, rows_per_file: opts.rows.div_ceil(files as u64), written: 0, line: 1 };
    let deceased_path = dir.join("deceased.csv");
    let notified_path = dir.join("notified.csv");
    let exclusion_encoding =
        if opts.encoding == GenEncoding::Sjis { OutputEncoding::ShiftJis } else { OutputEncoding::Utf8Bom };
    let mut deceased = CsvOut::create(&deceased_path, exclusion_encoding, &["氏名", "フリガナ", "生年月日"])?;
    let mut notified = CsvOut::create(&notified_path, OutputEncoding::Utf8, &["party", "name", "birth_date"])?;
    truth.excludes = vec![deceased_path, notified_path];

    let parties = if opts.parties.is_empty() { vec!["春日部市".to_string()] } else { opts.parties.clone() };
    let mut per_party: Vec<PartySummary> = vec![PartySummary::default(); parties.len()];
    let mut open: FxHashMap<u64, Person> = FxHashMap::default();
    let mut pending: BinaryHeap<Pending> = BinaryHeap::new();
    let mut next_no = 0u64;
    // The share of people with duplicates so that duplicates make `opts.duplicates` of the rows
    // (1.25 duplicates on average for those who have any).
    let s = opts.duplicates.clamp(0.0, 0.9);
    let p_dup = (s / (1.25 * (1.0 - s))).min(1.0);
    let finish = |p: Person, truth: &mut Truth, per_party: &mut Vec<PartySummary>| {
        if let Some(ps) = per_party.get_mut(p.party) {
            ps.persons += 1;
            if p.excluded {
                ps.excluded += 1;
            } else {
                ps.to_notify += 1;
                let channel = if p.email_ok {
                    Channel::Email
                } else if p.post_ok {
                    Channel::Post
                } else {
                    Channel::Substitute
                };
                match channel {
                    Channel::Email => ps.channels.email += 1,
                    Channel::Post => ps.channels.post += 1,
                    _ => ps.channels.substitute += 1,
                }
                ps.cost_yen += channel.default_cost();
                if opts.keep_rows {
                    let mut rows = p.rows;
                    rows.sort();
                    truth.rows_of_people.push(rows);
                }
            }
        }
        if p.several {
            truth.in_several_parties += 1;
        }
    };

    while writer.written < opts.rows {
        // A duplicate whose turn has come.
        if let Some(top) = pending.peek()
            && (top.due <= writer.written || opts.rows - writer.written <= pending.len() as u64)
        {
            let Some(due) = pending.pop() else { break };
            let Some(mut person) = open.remove(&due.person) else { continue };
            let party = parties.get(person.party).cloned().unwrap_or_default();
            let (row, email_ok, post_ok) = g.person_row(&party, &person.id, person.staff, due.spelling);
            let at = writer.write(&row)?;
            if opts.keep_rows {
                person.rows.push(at);
            }
            person.email_ok |= email_ok;
            person.post_ok |= post_ok;
            person.remaining -= 1;
            if person.remaining == 0 {
                finish(person, &mut truth, &mut per_party);
            } else {
                open.insert(due.person, person);
            }
            continue;
        }
        let budget = opts.rows - writer.written - pending.len() as u64;
        // An unusable row.
        if g.chance(opts.rejected) {
            let party = g.pick(&parties).cloned().unwrap_or_default();
            let id = g.new_identity();
            let (mut row, _, _) = g.person_row(&party, &id, false, Spelling::Both);
            let mut set = |f: Field, v: &str| {
                if let Some(slot) = row.get_mut(f as usize) {
                    *slot = v.to_string();
                }
            };
            match g.rng.gen_range(0..3) {
                0 => set(Field::BirthDate, "不明"),
                1 => set(Field::BirthDate, ""),
                _ => {
                    set(Field::Name, "");
                    set(Field::Kana, "");
                }
            }
            writer.write(&row)?;
            truth.summary.rows_rejected += 1;
            continue;
        }
        // A new person, perhaps listed by a second party too.
        let party_no = g.rng.gen_range(0..parties.len());
        let mut id = g.new_identity();
        let mut tries = 0;
        while !g.reserve(&id) {
            id = g.new_identity();
            tries += 1;
            if tries > 1000 {
                return Err(PeopleError::Output {
                    path: dir.to_path_buf(),
                    message: "too many people for the names".into(),
                });
            }
        }
        let mut twin = None;
        if parties.len() > 1 && budget >= 2 && g.chance(opts.several) {
            twin = Some((party_no + g.rng.gen_range(1..parties.len())) % parties.len());
        }
        let is_deceased = g.chance(opts.deceased);
        if is_deceased {
            let name = g.written_kanji(&id, false);
            let kana = if g.chance(0.7) { g.written_kana(&id) } else { String::new() };
            let birth = g.written_date(id.birth);
            deceased.row([name, kana, birth])?;
        }
        let staff = g.chance(0.05);
        for (k, party) in std::iter::once(party_no).chain(twin).enumerate() {
            let budget = opts.rows - writer.written - pending.len() as u64;
            if budget == 0 {
                break;
            }
            let notified_already = g.chance(opts.deceased / 2.0);
            if notified_already {
                let name = g.written_kanji(&id, false);
                let birth = g.written_date(id.birth);
                notified.row([parties.get(party).cloned().unwrap_or_default(), name, birth])?;
            }
            let mut spellings = Vec::new();
            if g.chance(p_dup) {
                let n = match g.rng.gen_range(0..20) {
                    0 => 3,
                    1..=3 => 2,
                    _ => 1,
                };
                // Keep a row for the twin, if any, so that it really is listed twice.
                let keep = u64::from(k == 0 && twin.is_some());
                let n = n.min(budget.saturating_sub(1 + keep) as usize);
                let mut i = 0;
                while i < n {
                    let roll = g.rng.gen_range(0..10);
                    if roll < 2 && i + 1 < n {
                        // A chain: a second kanji spelling with kana, then that spelling alone.
                        spellings.push(Spelling::AltKanjiWithKana);
                        spellings.push(Spelling::AltKanjiOnly);
                        i += 2;
                    } else {
                        spellings.push(match roll {
                            0..=5 => Spelling::Both,
                            6 | 7 => Spelling::KanjiOnly,
                            _ => Spelling::AltKanjiWithKana,
                        });
                        i += 1;
                    }
                }
            }
            let party_name = parties.get(party).cloned().unwrap_or_default();
            let (row, email_ok, post_ok) = g.person_row(&party_name, &id, staff, Spelling::Both);
            let at = writer.write(&row)?;
            let person = Person {
                no: next_no,
                party,
                id: id.clone(),
                staff,
                remaining: spellings.len() as u32,
                email_ok,
                post_ok,
                excluded: is_deceased || notified_already,
                several: twin.is_some(),
                rows: if opts.keep_rows { vec![at] } else { Vec::new() },
            };
            next_no += 1;
            if spellings.is_empty() {
                finish(person, &mut truth, &mut per_party);
                continue;
            }
            // A chain's second row must come after its first.
            let mut due = writer.written;
            for spelling in spellings {
                due += g.rng.gen_range(1..2000);
                pending.push(Pending { due, person: person.no, spelling });
            }
            open.insert(person.no, person);
        }
    }
    for (_, person) in open.drain() {
        finish(person, &mut truth, &mut per_party);
    }
    for (out, _) in writer.files {
        out.finish()?;
    }
    deceased.finish()?;
    notified.finish()?;
    truth.summary.rows_read = writer.written;
    for (name, ps) in parties.into_iter().zip(per_party) {
        if ps.persons == 0 {
            continue;
        }
        truth.summary.persons += ps.persons;
        truth.summary.excluded += ps.excluded;
        truth.summary.to_notify += ps.to_notify;
        truth.summary.parties.insert(name, ps);
    }
    truth.summary.duplicates_merged = truth.summary.rows_read - truth.summary.rows_rejected - truth.summary.persons;
    truth.rows_of_people.sort();
    let json = serde_json::to_string_pretty(&truth)
        .map_err(|e| PeopleError::Output { path: dir.to_path_buf(), message: e.to_string() })?;
    let truth_path = dir.join("truth.json");
    std::fs::write(&truth_path, json + "\n").map_err(|e| PeopleError::io(&truth_path, e))?;
    Ok(truth)
}
