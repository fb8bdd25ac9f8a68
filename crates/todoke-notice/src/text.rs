//! The reader's view of a notice: width-folded text that remembers, for every byte, where it came
//! from in the decoded notice (so spans point into what the user has), cut into lines and sentences.

use todoke_ja::{fold_halfwidth_kana, fold_width_char};

/// Width-folded text with a map back to the decoded text.
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each byte of `text` (and one past the end), its offset in the decoded text.
    origin: Vec<u32>,
}

impl Folded {
    /// Folds width (full-width ASCII, ideographic space, half-width kana) and drops carriage returns.
    pub fn new(decoded: &str) -> Self {
        let mut text = String::with_capacity(decoded.len());
        let mut origin = Vec::with_capacity(decoded.len() + 1);
        let mut i = 0;
        while let Some(rest) = decoded.get(i..)
            && !rest.is_empty()
        {
            // Most characters fold to themselves: a run of them is copied whole, each of its
            // bytes mapped to the start of its character.
            let plain = rest.get(..plain_run(rest)).unwrap_or_default();
            let mut start = i;
            origin.extend(plain.bytes().enumerate().map(|(j, b)| {
                if !is_continuation(b) {
                    start = i + j;
                }
                offset(start)
            }));
            text.push_str(plain);
            i += plain.len();
            // Then one character that may change.
            let mut chars = decoded.get(i..).unwrap_or_default().chars();
            let Some(c) = chars.next() else { break };
            let at = i;
            i += c.len_utf8();
            if c == '\r' {
                continue;
            }
            let out = if ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                let next = chars.next();
                let mark = next.filter(|m| *m == '\u{FF9E}' || *m == '\u{FF9F}');
                let folded = fold_halfwidth_kana(c, mark);
                if folded.1 {
                    i += next.map_or(0, char::len_utf8);
                }
                folded.0
            } else {
                fold_width_char(c)
            };
            origin.extend(std::iter::repeat_n(offset(at), out.len_utf8()));
            text.push(out);
        }
        origin.push(offset(decoded.len()));
        Self { text, origin }
    }

    /// The offset in the decoded text of a byte offset in the folded text.
    pub fn origin(&self, at: usize) -> usize {
        self.origin.get(at).or(self.origin.last()).map_or(0, |o| *o as usize)
    }
}

fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The length of the run of characters at the start of `s` that width folding leaves as they
/// are: it stops at a carriage return, the ideographic space (E3 80 80) and any character of
/// U+F000–U+FFFF (lead byte EF), which holds full-width ASCII and half-width kana.
fn plain_run(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut j = 0;
    while let Some(&b) = bytes.get(j) {
        match b {
            b'\r' | 0xEF => return j,
            0xE3 if bytes.get(j + 1..j + 3) == Some(&[0x80, 0x80]) => return j,
            _ => j += 1,
        }
    }
    j
}

/// Lines of a text with their byte offsets (without the newline).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split('\n').map(move |l| {
        let start = at;
        at += l.len() + 1;
        (start, l)
    })
}

/// Sentences: cut after `。` and at line ends. Offsets are byte ranges of `text`.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        // 。 inside brackets (（以下「業者」という。）) does not end the sentence.
        let closes = chars.peek().is_some_and(|(_, n)| matches!(n, '）' | ')' | '」' | '』'));
        if c == '。' && closes {
            continue;
        }
        if c == '。' || c == '\n' {
            let end = if c == '。' { i + c.len_utf8() } else { i };
            if text.get(start..end).is_some_and(|s| !s.trim().is_empty()) {
                out.push((start, end));
            }
            start = i + c.len_utf8();
        }
    }
    if text.get(start..).is_some_and(|s| !s.trim().is_empty()) {
        out.push((start, text.len()));
    }
    out
}

/// Whether `s` contains any of `words`. Sentences are short and the word lists long, so a plain
/// scan beats building a substring searcher per word.
pub fn any(s: &str, words: &[&str]) -> bool {
    let hay = s.as_bytes();
    words.iter().any(|w| contains_bytes(hay, w.as_bytes()))
}

fn contains_bytes(hay: &[u8], needle: &[u8]) -> bool {
    // Japanese text shares its UTF-8 lead bytes; the last byte of the first character tells
    // characters apart, so scan for that one and compare the rest by hand (no call per hit).
    let k = needle.len().min(3).saturating_sub(1);
    let Some(&key) = needle.get(k) else { return true };
    if hay.len() < needle.len() {
        return false;
    }
    let last_start = hay.len() - needle.len();
    let mut from = k;
    while let Some(window) = hay.get(from..=last_start + k) {
        let Some(p) = window.iter().position(|&b| b == key) else { return false };
        let at = from + p - k;
        if let Some(candidate) = hay.get(at..at + needle.len())
            && candidate.iter().zip(needle).all(|(a, b)| a == b)
        {
            return true;
        }
        from += p + 1;
    }
    false
}

/// Several word lists searched in one pass: which lists have a word in a text. Built once per list
/// (see [`word_set!`]) for the checks that run on every sentence, line or date, where one scan of
/// the text beats a scan per word.
///
/// The scan steps from character to character and asks a 4096-bit filter whether any word starts
/// with the six bytes found there (two kana or kanji); only then does it look them up among the
/// words and compare. Filtering on two whole characters is what keeps the scan fast: Japanese words
/// share their UTF-8 lead bytes, and many start with a common kana (の方, を行う). Words shorter
/// than six bytes (漏, BCC) have a filter of their own, on their first character.
pub struct WordSet {
    /// Words of six bytes or more, by their first six bytes.
    long: Keyed,
    /// Shorter words, by their first character.
    short: Keyed,
    /// The bits of all lists that have a word: the scan stops once it has found them all.
    all: u64,
    /// The bits of lists with an empty word, which every text contains.
    empty: u64,
}

/// Words with a key taken from their first bytes, and a filter over the keys.
struct Keyed {
    /// Bit `filter_bit(key)` is set for the key of every word.
    filter: [u64; 64],
    /// (key, word, the bit of its list), sorted by key.
    words: Vec<(u64, &'static str, u64)>,
}

/// The first eight bytes of `bytes` as a little-endian number, zero-padded: keys are masked from it.
#[inline]
fn head(bytes: &[u8]) -> u64 {
    if let Some(eight) = bytes.first_chunk::<8>() {
        return u64::from_le_bytes(*eight);
    }
    let mut padded = [0u8; 8];
    for (p, b) in padded.iter_mut().zip(bytes) {
        *p = *b;
    }
    u64::from_le_bytes(padded)
}

/// The key of a long word: its first six bytes.
const LONG: u64 = (1 << 48) - 1;

/// The length of the UTF-8 character that `lead` opens: its count of leading ones (none for ASCII).
#[inline]
fn char_len(lead: u8) -> usize {
    lead.leading_ones().max(1) as usize
}

/// The key of a short word: its first character, the low `8 * len` bits of its head.
#[inline]
fn char_mask(len: usize) -> u64 {
    u64::MAX >> (64 - 8 * len)
}

/// The word and bit of a filter for a key (multiplicative hashing to 12 bits).
#[inline]
fn filter_bit(key: u64) -> (usize, u64) {
    let h = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52;
    ((h >> 6) as usize, 1 << (h & 63))
}

impl Keyed {
    fn new() -> Self {
        Self { filter: [0; 64], words: Vec::new() }
    }

    fn add(&mut self, key: u64, word: &'static str, bit: u64) {
        let (slot, mask) = filter_bit(key);
        if let Some(f) = self.filter.get_mut(slot) {
            *f |= mask;
        }
        self.words.push((key, word, bit));
    }

    /// Whether the filter lets `key` through: false for most places in a text.
    #[inline]
    fn passes(&self, key: u64) -> bool {
        let (slot, mask) = filter_bit(key);
        self.filter.get(slot).is_some_and(|f| f & mask != 0)
    }

    /// The words with `key`.
    fn with_key(&self, key: u64) -> &[(u64, &'static str, u64)] {
        let from = self.words.partition_point(|(k, _, _)| *k < key);
        let rest = self.words.get(from..).unwrap_or_default();
        let n = rest.iter().take_while(|(k, _, _)| *k == key).count();
        rest.get(..n).unwrap_or_default()
    }
}

impl WordSet {
    /// The lists, at most 64.
    pub fn new(lists: &[&[&'static str]]) -> Self {
        let mut set = Self { long: Keyed::new(), short: Keyed::new(), all: 0, empty: 0 };
        for (i, list) in lists.iter().enumerate().take(64) {
            let bit = 1u64 << i;
            for w in *list {
                set.all |= bit;
                let bytes = w.as_bytes();
                match bytes.first() {
                    None => set.empty |= bit,
                    Some(_) if bytes.len() >= 6 => set.long.add(head(bytes) & LONG, w, bit),
                    Some(lead) => set.short.add(head(bytes) & char_mask(char_len(*lead)), w, bit),
                }
            }
        }
        // A stable sort: words with one key stay in the order given.
        set.long.words.sort_by_key(|(k, _, _)| *k);
        set.short.words.sort_by_key(|(k, _, _)| *k);
        set
    }

    /// Each word a list of its own (at most 64), so that [`WordSet::lists_in`] says which words a
    /// text holds.
    pub fn per_word(words: &'static [&'static str]) -> Self {
        let lists: Vec<&[&'static str]> = words.iter().map(std::slice::from_ref).collect();
        Self::new(&lists)
    }

    /// A bit for each list that has a word in `s` (bit i for list i).
    pub fn lists_in(&self, s: &str) -> u64 {
        let mut found = self.empty;
        self.scan(s, |_, _, bit| {
            found |= bit;
            found == self.all
        });
        found
    }

    /// Calls `f` with the offset, the word and its list's bit of every place in `s` where a word
    /// starts, in the order of the text (at one place, words of six bytes or more in the order
    /// they were given, then shorter ones).
    pub fn each_match(&self, s: &str, mut f: impl FnMut(usize, &'static str, u64)) {
        self.scan(s, |at, w, bit| {
            f(at, w, bit);
            false
        });
    }

    /// The scan behind [`WordSet::lists_in`] and [`WordSet::each_match`]: `f` is told each match
    /// and says whether to stop.
    #[inline]
    fn scan(&self, s: &str, mut f: impl FnMut(usize, &'static str, u64) -> bool) {
        let bytes = s.as_bytes();
        let shorts = !self.short.words.is_empty();
        let mut at = 0;
        while let Some(rest) = bytes.get(at..)
            && let Some(&lead) = rest.first()
        {
            let head = head(rest);
            let len = char_len(lead);
            let long = self.long.passes(head & LONG);
            let short = shorts && self.short.passes(head & char_mask(len));
            if (long || short) && self.matches_at(rest, at, head, len, [long, short], &mut f) {
                return;
            }
            at += len;
        }
    }

    /// The words that start `rest` (at `at` in the text) among those the filters let through;
    /// true when `f` says to stop. Kept out of the scan's loop, which seldom gets here.
    #[inline(never)]
    fn matches_at(
        &self,
        rest: &[u8],
        at: usize,
        head: u64,
        len: usize,
        [long, short]: [bool; 2],
        f: &mut impl FnMut(usize, &'static str, u64) -> bool,
    ) -> bool {
        let long = if long { self.long.with_key(head & LONG) } else { &[] };
        let short = if short { self.short.with_key(head & char_mask(len)) } else { &[] };
        long.iter().chain(short).any(|(_, w, bit)| rest.starts_with(w.as_bytes()) && f(at, w, *bit))
    }

    /// Whether `s` holds a word of any of the lists: [`any`] for a list compiled once.
    pub fn any_in(&self, s: &str) -> bool {
        self.lists_in(s) != 0
    }
}

/// A [`WordSet`] of the given lists (each a `&[&str]`), built the first time this line runs and
/// kept for the life of the program: `word_set!(OCCURRENCE).any_in(s)` reads like `any(s,
/// OCCURRENCE)` and scans `s` once instead of once per word.
macro_rules! word_set {
    ($($list:expr),+ $(,)?) => {{
        static SET: std::sync::LazyLock<$crate::text::WordSet> = std::sync::LazyLock::new(|| {
            $crate::text::WordSet::new(&[$({
                let list: &[&'static str] = $list;
                list
            }),+])
        });
        &*SET
    }};
}
pub(crate) use word_set;

/// The first `n` characters of `s`.
pub fn prefix_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// The last `n` characters of `s` (counted from the end, so long texts cost nothing extra).
pub fn suffix_chars(s: &str, n: usize) -> &str {
    if n == 0 {
        return "";
    }
    match s.char_indices().rev().nth(n - 1) {
        Some((i, _)) => s.get(i..).unwrap_or(s),
        None => s,
    }
}

/// A heading: a short line without a full stop (■ and 【】 mark headings, not bullets).
pub fn is_heading(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().count() <= 45 && !t.contains('。') && !is_bullet(t)
}

/// A bullet line (・, -, •, *, ○, ※ …).
pub fn is_bullet(line: &str) -> bool {
    line.trim_start().starts_with(['・', '-', '•', '○', '▪', '*', '※', '◦'])
}

/// The line without its bullets and list numbering (`- ・`, `①`, `(1)`, `1.`, `ア`).
pub fn strip_marks(line: &str) -> &str {
    let mut s = line.trim();
    loop {
        let before = s;
        s = s.trim_start_matches(['・', '-', '•', '●', '○', '■', '◆', '◇', '□', '▪', '*', ' ', '#']);
        if let Some(c) = s.chars().next()
            && ('\u{2460}'..='\u{2473}').contains(&c)
        {
            s = s.get(c.len_utf8()..).unwrap_or_default();
        }
        for (open, close) in [('(', ')'), ('（', '）')] {
            if let Some(r) = s.strip_prefix(open)
                && let Some(end) = r.find(close)
                && r.get(..end).is_some_and(|n| n.chars().count() <= 2 && !n.is_empty())
            {
                s = r.get(end + close.len_utf8()..).unwrap_or_default();
            }
        }
        let digits = s.chars().take_while(char::is_ascii_digit).count();
        if digits > 0
            && digits <= 2
            && let Some(r) = s.get(digits..)
            && let Some(r) = r.strip_prefix(['.', ' ', '、', '．'])
        {
            s = r;
        }
        if s == before {
            return s.trim();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_finds_words_anywhere() {
        assert!(any("個人情報保護委員会へ報告", &["委員会"]));
        assert!(any("ab", &["b"]));
        assert!(any("abc", &["abc"]));
        assert!(!any("個人情報", &["個人情報保護"]));
        assert!(!any("", &["a"]));
        assert!(any("x", &[""]));
        assert!(any("漏えいのおそれ", &["紛失", "おそれ"]));
        assert!(!any("漏えいのおそれ", &["紛失", "恐れ"]));
    }

    /// A word set finds just the lists [`any`] finds, word by word.
    fn agrees_with_any(lists: &[&[&'static str]], text: &str) {
        let set = WordSet::new(lists);
        let want = lists.iter().enumerate().filter(|(_, l)| any(text, l)).fold(0u64, |m, (i, _)| m | 1 << i);
        assert_eq!(set.lists_in(text), want, "{text:?}");
        assert_eq!(set.any_in(text), want != 0, "{text:?}");
    }

    const LISTS: &[&[&str]] =
        &[&["の方", "を行う", "a"], &["報告", "報"], &["漏えいのおそれ"], &["é", "ü-x", "😀報"], &["の", "方の"]];

    #[test]
    fn word_sets_find_what_any_finds() {
        for text in
            ["", "a", "の", "の方", "報", "xの方y", "報告を行う", "漏えいのおそれ", "é", "ü-x", "😀報", "方", "方の"]
        {
            agrees_with_any(LISTS, text);
        }
        agrees_with_any(&[&[""], &["x"]], "abc");
        agrees_with_any(&[&[""], &["x"]], "");
    }

    proptest::proptest! {
        #[test]
        fn word_sets_agree_with_any_on_any_text(text in "[のを方報告行うa漏えおそれéü😀x-]{0,12}") {
            agrees_with_any(LISTS, &text);
        }
    }

    #[test]
    fn each_match_finds_every_place_in_order() {
        let words: &[&str] = &["株式会社", "株式", "病院", "院", "医療法人社団", "医療法人", "E-mail"];
        let text = "医療法人社団あおば病院と株式会社E-mail病院院";
        let mut want = Vec::new();
        for (at, _) in text.char_indices() {
            let rest = text.get(at..).unwrap_or_default();
            // Six bytes or more first, then shorter words, each in the order given.
            for w in words.iter().filter(|w| w.len() >= 6).chain(words.iter().filter(|w| w.len() < 6)) {
                if rest.starts_with(w) {
                    want.push((at, *w));
                }
            }
        }
        let mut got = Vec::new();
        WordSet::new(&[words]).each_match(text, |at, w, _| got.push((at, w)));
        assert_eq!(got, want);
        assert!(got.len() >= 8);
    }

    /// What [`Folded::new`] does, one character at a time.
    fn fold_each(decoded: &str) -> (String, Vec<u32>) {
        let mut text = String::new();
        let mut origin = Vec::new();
        let mut chars = decoded.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\r' {
                continue;
            }
            let out = if ('\u{FF61}'..='\u{FF9F}').contains(&c) {
                let mark = chars.peek().map(|(_, m)| *m).filter(|m| *m == '\u{FF9E}' || *m == '\u{FF9F}');
                let folded = fold_halfwidth_kana(c, mark);
                if folded.1 {
                    chars.next();
                }
                folded.0
            } else {
                fold_width_char(c)
            };
            for _ in 0..out.len_utf8() {
                origin.push(offset(i));
            }
            text.push(out);
        }
        origin.push(offset(decoded.len()));
        (text, origin)
    }

    #[test]
    fn plain_runs_stop_at_every_character_that_folds() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let s: &str = c.encode_utf8(&mut buf);
            if plain_run(s) == s.len() {
                assert_eq!(fold_each(s).0, s, "{c:?} folds");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn folding_in_runs_is_folding_each_character(text in "[a\r\n 　ｱｶﾞﾊﾟﾞﾟＡ１～〜、。漢かナ😀\u{FF5E}\u{FF60}\u{F000}]{0,16}") {
            let folded = Folded::new(&text);
            let (want, origin) = fold_each(&text);
            proptest::prop_assert_eq!(&folded.text, &want);
            proptest::prop_assert_eq!(&folded.origin, &origin);
        }
    }

    #[test]
    fn sentences_do_not_end_inside_brackets() {
        let text = "業者（以下「業者」という。）が受けた。次。";
        assert_eq!(sentences(text).len(), 2);
    }
}
