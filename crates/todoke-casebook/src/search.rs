//! Japanese full-text search over the casebook. Japanese has no spaces between words, so the text is
//! indexed as overlapping 1- and 2-character grams and a query word matches when most of its
//! 2-grams do: 不正アクセス (不正 正ア アク クセ セス) finds 不正なアクセス, which has four of the five.
//! Ranking is BM25 over the grams, so a notice with the exact phrase, or with it often, comes first.
//! Text and query are folded alike (width, variant kanji, case) before tokenizing.

use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value as _};
use tantivy::tokenizer::{LowerCaser, NgramTokenizer, TextAnalyzer};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};
use todoke_core::NoticeId;

const TOKENIZER: &str = "ja_ngram";
/// Share of a word's 2-grams a notice must contain (rounded up) for a word of more than two.
const MIN_SHARE: (usize, usize) = (3, 5);
/// Memory for the index writer: enough for large batches, small beside the machine.
const WRITER_MEMORY: usize = 100_000_000;

/// The search index failed.
#[derive(Debug, thiserror::Error)]
#[error("casebook search index: {0}")]
pub struct SearchError(#[from] tantivy::TantivyError);

/// A notice that matched, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The notice.
    pub id: NoticeId,
    /// Its BM25 score (higher is better).
    pub score: f32,
}

/// The on-disk search index of the casebook.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    id: Field,
    text: Field,
}

/// Text as it is indexed and queried: NFKC (width), variant kanji, one space for each run of
/// whitespace, ASCII lower case (so that offsets match the normalized text the snippets show).
pub fn fold_for_search(text: &str) -> String {
    todoke_ja::normalize_text(text).to_ascii_lowercase()
}

fn schema() -> (Schema, Field, Field) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let indexing = TextFieldIndexing::default().set_tokenizer(TOKENIZER).set_index_option(IndexRecordOption::WithFreqs);
    let text = builder.add_text_field("text", TextOptions::default().set_indexing_options(indexing));
    (builder.build(), id, text)
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the folder and an empty index when missing.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| tantivy::TantivyError::SystemError(format!("{}: {e}", dir.display())))?;
        let (schema, id, text) = schema();
        let directory = MmapDirectory::open(dir).map_err(|e| tantivy::TantivyError::SystemError(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        let grams = NgramTokenizer::all_ngrams(1, 2)?;
        index.tokenizers().register(TOKENIZER, TextAnalyzer::builder(grams).filter(LowerCaser).build());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { index, reader, id, text })
    }

    /// How many notices the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no notice.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds notices (id, organization, text) and commits them together.
    pub fn add<'a>(&self, notices: impl IntoIterator<Item = (NoticeId, &'a str, &'a str)>) -> Result<(), SearchError> {
        let mut writer = self.index.writer::<TantivyDocument>(WRITER_MEMORY)?;
        for (id, org, body) in notices {
            let mut doc = TantivyDocument::default();
            doc.add_text(self.id, id.to_string());
            doc.add_text(self.text, fold_for_search(&format!("{org}\n{body}")));
            writer.add_document(doc)?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every notice (before a rebuild).
    pub fn clear(&self) -> Result<(), SearchError> {
        let mut writer = self.index.writer::<TantivyDocument>(WRITER_MEMORY)?;
        writer.delete_all_documents()?;
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The best `limit` notices for `query`: every word of the query (split at spaces) must match.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let Some(query) = self.query(query) else { return Ok(Vec::new()) };
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(self.id).and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
            if let Some(id) = id {
                hits.push(Hit { id, score });
            }
        }
        Ok(hits)
    }

    fn query(&self, query: &str) -> Option<Box<dyn Query>> {
        let folded = fold_for_search(query);
        let words: Vec<Box<dyn Query>> =
            folded.split(' ').filter(|w| !w.is_empty()).map(|w| self.word_query(w)).collect();
        match words.len() {
            0 => None,
            1 => words.into_iter().next(),
            _ => Some(Box::new(BooleanQuery::new(words.into_iter().map(|q| (Occur::Must, q)).collect()))),
        }
    }

    fn word_query(&self, word: &str) -> Box<dyn Query> {
        let term = |gram: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(self.text, gram), IndexRecordOption::WithFreqs))
        };
        let grams = grams_of(word);
        if grams.len() == 1 {
            return term(&grams.concat());
        }
        let need = if grams.len() <= 2 { grams.len() } else { (grams.len() * MIN_SHARE.0).div_ceil(MIN_SHARE.1) };
        let clauses = grams.iter().map(|g| (Occur::Should, term(g))).collect();
        Box::new(BooleanQuery::with_minimum_required_clauses(clauses, need))
    }
}

/// A word's distinct 2-grams, or the word itself when it is one character.
fn grams_of(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 {
        return vec![word.to_string()];
    }
    let mut grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    let mut seen = std::collections::HashSet::new();
    grams.retain(|g| seen.insert(g.clone()));
    grams
}

/// A short passage of `body` around the first place a word of `query` (or, failing that, one of
/// its 2-grams) occurs, normalized like the index but in its own case; the start of the text when
/// nothing occurs.
pub fn snippet(body: &str, query: &str, width: usize) -> String {
    let shown = todoke_ja::normalize_text(body);
    let text = shown.to_ascii_lowercase();
    let folded = fold_for_search(query);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let at = words
        .iter()
        .find_map(|w| text.find(w))
        .or_else(|| words.iter().flat_map(|w| grams_of(w)).find_map(|g| text.find(&g)))
        .unwrap_or(0);
    let head = text.get(..at).unwrap_or_default();
    let start = head.char_indices().rev().take(width / 3).last().map_or(at, |(i, _)| i);
    let passage: String = shown.get(start..).unwrap_or_default().chars().take(width).collect();
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&passage);
    if text.get(start..).is_some_and(|rest| rest.chars().count() > width) {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> NoticeId {
        NoticeId(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn japanese_words_match_their_variants_and_rank_exact_matches_first() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open(dir.path()).unwrap();
        index
            .add([
                (id(1), "株式会社A", "弊社サーバーが不正なアクセスを受けました。"),
                (
                    id(2),
                    "株式会社B",
                    "不正アクセスにより個人情報等が漏えいしたおそれがあります。不正アクセスの経路は調査中です。",
                ),
                (id(3), "C市", "誤送信により個人情報が流出しました。"),
                (id(4), "D病院", "ＵＳＢメモリを紛失しました。"),
            ])
            .unwrap();
        assert_eq!(index.len(), 4);
        let ids = |q: &str| index.search(q, 10).unwrap().into_iter().map(|h| h.id).collect::<Vec<_>>();
        assert_eq!(ids("不正アクセス"), vec![id(2), id(1)], "exact phrase first, 不正なアクセス found too");
        let personal = ids("個人情報");
        assert_eq!(personal.len(), 2);
        assert!(personal.contains(&id(2)) && personal.contains(&id(3)), "個人情報 finds 個人情報等");
        assert_eq!(ids("usbメモリ"), vec![id(4)], "width and case folded");
        assert_eq!(ids("個人情報 誤送信"), vec![id(3)], "every word must match");
        assert_eq!(ids("C市"), vec![id(3)], "the organization is searched too");
        assert!(ids("ランサムウェア").is_empty());
        assert!(ids("  ").is_empty());

        drop(index);
        let reopened = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(reopened.len(), 4, "the index is on disk");
        reopened.clear().unwrap();
        assert!(reopened.is_empty());
    }

    #[test]
    fn snippets_show_where_the_query_occurs() {
        let body = "当院では、令和6年1月29日に電子カルテシステムへの不正なアクセスを確認しました。現在調査中です。";
        let s = snippet(body, "不正アクセス", 20);
        assert!(s.contains("不正なアクセス"), "{s}");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(snippet("短い本文", "無関係", 20), "短い本文");
        assert_eq!(
            snippet("ＮＨＫへの不正アクセス", "nhk", 20),
            "NHKへの不正アクセス",
            "found in any case, shown as written"
        );
    }
}
