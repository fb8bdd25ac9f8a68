//! Casebook use cases: adding published notices (read, related to what is kept, stored, indexed),
//! searching, correcting, and the incidents they make up for statistics and VERIS export.

use crate::AppError;
use std::path::Path;
use todoke_casebook::{Corrections, Incident, Member, SearchIndex, profile, related};
use todoke_core::NoticeId;
use todoke_notice::NoticeFacts;
use todoke_store::{Actor, CasebookStore, NewNotice, StoredNotice};

/// Notices read from the store per page when rebuilding the index or listing incidents.
const PAGE: i64 = 2_000;

/// What adding one notice of a file did.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// The notice.
    pub id: NoticeId,
    /// The incident (group) it joined or started.
    pub group: NoticeId,
    /// False when the same text was already kept.
    pub new: bool,
    /// The facts read from it.
    pub facts: NoticeFacts,
}

/// A search result: the notice, its score and the passage that matched.
#[derive(Debug, Clone)]
pub struct Found {
    /// The notice, with its facts as corrected.
    pub notice: StoredNotice,
    /// Its facts, corrections applied.
    pub facts: NoticeFacts,
    /// BM25 score, higher is better.
    pub score: f32,
    /// Text around the first match.
    pub snippet: String,
}

/// The facts of a stored notice with its corrections applied (the facts read, if the stored
/// corrections no longer apply).
pub fn facts_of(notice: &StoredNotice) -> NoticeFacts {
    let read: NoticeFacts = serde_json::from_str(&notice.facts).unwrap_or_default();
    Corrections::from_json(notice.corrections.as_deref()).apply(&read).unwrap_or(read)
}

/// Opens the search index in `dir`, rebuilding it from the store when it does not hold exactly the
/// stored notices (first use, a crash between storing and indexing, a deleted folder).
/// `progress` hears how many notices are indexed so far, out of how many.
pub async fn open_index<S: CasebookStore>(
    store: &S,
    dir: &Path,
    mut progress: impl FnMut(u64, u64),
) -> Result<SearchIndex, AppError> {
    let index = SearchIndex::open(dir)?;
    let total = store.notice_count().await?;
    if index.len() == total {
        return Ok(index);
    }
    index.clear()?;
    let mut after = None;
    let mut done = 0;
    loop {
        let page = store.notices(after, PAGE, true).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        index.add(page.iter().map(|n| (n.id, n.profile.org_key.as_deref().unwrap_or(""), n.body.as_str())))?;
        done += page.len() as u64;
        progress(done, total);
    }
    Ok(index)
}

/// The text the reader's spans point into: decoded, with HTML markup removed.
fn notice_text(bytes: &[u8]) -> String {
    let decoded = todoke_notice::decode(bytes);
    if todoke_notice::looks_like_html(&decoded) { todoke_notice::html_to_text(&decoded) } else { decoded }
}

/// Adds every incident of a notice file to the casebook: each is related to the kept notices of its
/// organization and of the organizations it names, stored (once: the same text again adds nothing)
/// and indexed.
pub async fn add_notice<S: CasebookStore>(
    store: &S,
    index: &SearchIndex,
    actor: &Actor,
    bytes: &[u8],
    source: &str,
) -> Result<Vec<Added>, AppError> {
    let text = notice_text(bytes);
    let mut added = Vec::new();
    let mut to_index = Vec::new();
    for facts in todoke_notice::read_text(&text, source) {
        let [start, end] = facts.span;
        let body = text.get(start..end).unwrap_or(&text).to_string();
        let profile = profile(&facts, &body);
        let mut keys: Vec<&String> = profile.org_key.iter().chain(&profile.mentions).collect();
        keys.dedup();
        let mut related_ids = Vec::new();
        for key in keys {
            for kept in store.notices_of_org(key).await? {
                if !related_ids.contains(&kept.id) && related(&profile, &kept.profile) {
                    related_ids.push(kept.id);
                }
            }
        }
        let org = profile.org_key.clone().unwrap_or_default();
        let new_notice = NewNotice {
            source: source.to_string(),
            body,
            facts: serde_json::to_string(&facts).map_err(|e| AppError::Stored(e.to_string()))?,
            profile,
        };
        let (id, new) = store.add_notice(actor, &new_notice, &related_ids).await?;
        let group = store.notice(id).await?.map_or(id, |n| n.group);
        if new {
            to_index.push((id, org, new_notice.body));
        }
        added.push(Added { id, group, new, facts });
    }
    index.add(to_index.iter().map(|(id, org, body)| (*id, org.as_str(), body.as_str())))?;
    Ok(added)
}

/// The best `limit` notices for `query`.
pub async fn search<S: CasebookStore>(
    store: &S,
    index: &SearchIndex,
    query: &str,
    limit: usize,
) -> Result<Vec<Found>, AppError> {
    let mut found = Vec::new();
    for hit in index.search(query, limit)? {
        // A hit the store no longer has is skipped; the next open rebuilds the index.
        if let Some(notice) = store.notice(hit.id).await? {
            let snippet = todoke_casebook::snippet(&notice.body, query, 80);
            found.push(Found { facts: facts_of(&notice), notice, score: hit.score, snippet });
        }
    }
    Ok(found)
}

/// Records corrections (`FIELD=VALUE`) of a notice; its profile follows them, its group stays.
pub async fn correct<S: CasebookStore>(
    store: &S,
    actor: &Actor,
    id: NoticeId,
    settings: &[String],
) -> Result<StoredNotice, AppError> {
    let notice = store.notice(id).await?.ok_or_else(|| AppError::NoSuchNotice(id.to_string()))?;
    let read: NoticeFacts = serde_json::from_str(&notice.facts).map_err(|e| AppError::Stored(e.to_string()))?;
    let mut corrections = Corrections::from_json(notice.corrections.as_deref());
    corrections.set(settings.iter().map(String::as_str), &read)?;
    let corrected = corrections.apply(&read).map_err(AppError::Stored)?;
    let profile = profile(&corrected, &notice.body);
    store.correct_notice(actor, id, &corrections.to_json(), &profile).await?;
    store.notice(id).await?.ok_or_else(|| AppError::NoSuchNotice(id.to_string()))
}

/// Every incident of the casebook, its notices with their corrected facts.
pub async fn incidents<S: CasebookStore>(store: &S) -> Result<Vec<Incident>, AppError> {
    let mut members = Vec::new();
    let mut after = None;
    loop {
        let page = store.notices(after, PAGE, false).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        for notice in page {
            let member = Member {
                id: notice.id,
                source: notice.source.clone(),
                added_at: notice.added_at.clone(),
                facts: facts_of(&notice),
                profile: notice.profile.clone(),
            };
            members.push((notice.group, member));
        }
    }
    Ok(Incident::group(members))
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_store::testkit::sqlite_store;

    const HANDLER: &str = "令和6年1月31日\n公益財団法人埼玉県健康づくり事業団\n\nX線画像読影システムへのランサムウェア攻撃について\n\
        令和6年1月29日、当事業団のX線画像読影システムがランサムウェアに感染していることが判明しました。\
        受診者の氏名、生年月日、X線画像が閲覧されたおそれがあります。";
    const CITY: &str = "令和6年2月2日\n春日部市\n\n検診委託先におけるランサムウェア被害について\n\
        令和6年2月1日、本市が乳がん検診を委託している公益財団法人埼玉県健康づくり事業団から、\
        同事業団のシステムがランサムウェアに感染したとの報告を受けました。市民18,950人の氏名、生年月日、検査画像が含まれます。";

    #[tokio::test]
    async fn notices_fold_into_incidents_and_the_index_follows_the_store() {
        let (store, _db) = sqlite_store().await;
        let dir = tempfile::tempdir().unwrap();
        let actor = Actor::cli("test");
        let index = open_index(&store, dir.path(), |_, _| {}).await.unwrap();
        let handler = add_notice(&store, &index, &actor, HANDLER.as_bytes(), "handler.txt").await.unwrap();
        let city = add_notice(&store, &index, &actor, CITY.as_bytes(), "city.txt").await.unwrap();
        assert_eq!(handler.len(), 1);
        assert_eq!(city.len(), 1);
        assert_eq!(city[0].group, handler[0].group, "the city's notice names the handler's attack");
        let again = add_notice(&store, &index, &actor, CITY.as_bytes(), "copy.txt").await.unwrap();
        assert!(!again[0].new, "the same text is kept once");
        assert_eq!(index.len(), 2);

        let found = search(&store, &index, "ランサムウエア 乳がん", 10).await.unwrap();
        assert_eq!(found.len(), 1, "every word must match; ウエア finds ウェア");
        assert_eq!(found[0].notice.id, city[0].id);
        assert!(found[0].snippet.contains("乳がん") || found[0].snippet.contains("ランサム"), "{}", found[0].snippet);

        let fixed = correct(&store, &actor, city[0].id, &["affected_count=18863".into()]).await.unwrap();
        assert_eq!(facts_of(&fixed).affected_count, Some(18863));
        let err = correct(&store, &actor, city[0].id, &["affected=1".into()]).await.unwrap_err();
        assert!(err.to_string().contains("unknown field `affected`"), "{err}");

        let incidents = incidents(&store).await.unwrap();
        assert_eq!(incidents.len(), 1);
        assert_eq!(incidents[0].others(), vec!["春日部市".to_string()]);

        // A lost index folder is rebuilt from the store.
        drop(index);
        std::fs::remove_dir_all(dir.path()).unwrap();
        let mut seen = 0;
        let rebuilt = open_index(&store, dir.path(), |done, _| seen = done).await.unwrap();
        assert_eq!((rebuilt.len(), seen), (2, 2));
        assert_eq!(search(&store, &rebuilt, "乳がん", 5).await.unwrap().len(), 1);
    }
}
