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
            let at = u32::try_from(i).unwrap_or(u32::MAX);
            for _ in 0..out.len_utf8() {
                origin.push(at);
            }
            text.push(out);
        }
        origin.push(u32::try_from(decoded.len()).unwrap_or(u32::MAX));
        Self { text, origin }
    }

    /// The offset in the decoded text of a byte offset in the folded text.
    pub fn origin(&self, at: usize) -> usize {
        self.origin.get(at).or(self.origin.last()).map_or(0, |o| *o as usize)
    }
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

/// Several word lists searched in one pass: which lists have a word in a text. Built once for the
/// hot checks (a sentence's cause words, notice words), where one scan beats a scan per word.
pub struct WordSet {
    /// Words by first character, sorted for binary search: (first char, word, list index).
    words: Vec<(char, &'static str, u8)>,
}

impl WordSet {
    /// The lists, at most 64.
    pub fn new(lists: &[&[&'static str]]) -> Self {
        let mut words = Vec::new();
        for (i, list) in lists.iter().enumerate().take(64) {
            for w in *list {
                if let Some(c) = w.chars().next() {
                    words.push((c, *w, u8::try_from(i).unwrap_or(u8::MAX)));
                }
            }
        }
        words.sort_by_key(|(c, _, _)| *c);
        Self { words }
    }

    /// A bit for each list that has a word in `s` (bit i for list i).
    pub fn lists_in(&self, s: &str) -> u64 {
        let mut found = 0u64;
        for (i, c) in s.char_indices() {
            let from = self.words.partition_point(|(w, _, _)| *w < c);
            let rest = s.get(i..).unwrap_or_default();
            for (_, w, list) in self.words.get(from..).unwrap_or_default().iter().take_while(|(w, _, _)| *w == c) {
                if found & (1 << list) == 0 && rest.starts_with(w) {
                    found |= 1 << list;
                }
            }
        }
        found
    }
}

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

    #[test]
    fn sentences_do_not_end_inside_brackets() {
        let text = "業者（以下「業者」という。）が受けた。次。";
        assert_eq!(sentences(text).len(), 2);
    }
}
