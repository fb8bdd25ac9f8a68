//! Letters printed as PDF in batches: each letter once, at its current address, and a job cut
//! short resumes at its first missing batch.

use super::*;
use jiff::civil::date;
use std::sync::Arc;
use todoke_core::IncidentId;
use todoke_store::testkit::{actor, seeded_with_letters, sqlite_store};
use todoke_store::{IncidentStore, LetterJobState, LetterStore, NotificationStore, PersonStore, SqliteDb, Store};

fn fonts() -> Arc<todoke_docs::Fonts> {
    Arc::new(
        crate::fonts::system_fonts()
            .expect("the IPAex fonts (apt-get install fonts-ipaexfont-mincho fonts-ipaexfont-gothic)"),
    )
}

/// The text of a PDF and its page count, by pdftotext (Debian poppler-utils).
fn pdf_text(pdf: &[u8]) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("letters.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let pages = text.matches('\u{c}').count();
    (text, pages)
}

async fn case(store: &Store<SqliteDb>) -> (IncidentId, todoke_store::StoredParty) {
    let (id, city, _) = seeded_with_letters(store).await;
    (id, store.parties(id).await.unwrap().into_iter().find(|p| p.id == city).unwrap())
}

async fn body(store: &Store<SqliteDb>, id: IncidentId, party: &str) -> String {
    let facts = store.incident(id).await.unwrap().facts;
    letter_body(&facts, party, &Default::default(), &Default::default(), date(2024, 5, 20)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letters_are_printed_in_batches_each_once_at_the_current_address() {
    let (store, _dir) = sqlite_store().await;
    let (id, city) = case(&store).await;
    let text = body(&store, id, "春日部市").await;
    let job = start_letters(&store, &actor(), id, &city, &text, 2).await.unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let done =
        print_letters(&store, &actor(), id, job, fonts(), &|j| seen.lock().unwrap().push(j.printed)).await.unwrap();
    assert_eq!((done.state, done.printed, done.batches), (LetterJobState::Done, 3, 2));
    assert_eq!(seen.into_inner().unwrap(), [0, 2, 3], "progress after each batch");
    let (first, pages) = pdf_text(&store.letter_batch_pdf(&actor(), id, job, 0).await.unwrap());
    let (second, more) = pdf_text(&store.letter_batch_pdf(&actor(), id, job, 1).await.unwrap());
    assert_eq!((pages, more), (2, 1));
    let all = format!("{first}{second}");
    for name in ["髙橋 花子", "山田 太郎", "佐藤 一郎"] {
        assert_eq!(all.matches(name).count(), 1, "{name} once:\n{all}");
    }
    assert!(all.contains("埼玉県春日部市粕壁東一丁目"));

    // After a return, the letter to the corrected address is the only one waiting.
    let parties = [city.id];
    record_posted(&store, &actor(), id, city.id, date(2024, 5, 20)).await.unwrap();
    let notices = store.notifications(id, Some(city.id), None).await.unwrap();
    let yamada =
        store.people(id, Some(city.id)).await.unwrap().into_iter().find(|p| p.person.name == "山田 太郎").unwrap();
    let notice = notices.iter().find(|n| n.person == yamada.id).unwrap();
    let row = ReturnRow {
        line: 1,
        notice: notice.id.to_string(),
        reason: ReturnReason::MovedUnknown,
        returned_on: date(2024, 5, 24),
    };
    record_returns(&store, &actor(), id, &parties, &[row]).await.unwrap();
    remail(&store, &actor(), id, &parties, notice.id, "〒344-0061", "埼玉県春日部市粕壁二丁目9番").await.unwrap();
    let again = start_letters(&store, &actor(), id, &city, &text, 2).await.unwrap();
    let done = print_letters(&store, &actor(), id, again, fonts(), &|_| {}).await.unwrap();
    assert_eq!((done.total, done.batches), (1, 1));
    let (resent, pages) = pdf_text(&store.letter_batch_pdf(&actor(), id, again, 0).await.unwrap());
    assert_eq!(pages, 1);
    // pdftotext sets spaces between runs of kanji and digits.
    let squeezed: String = resent.chars().filter(|c| *c != ' ').collect();
    assert!(
        resent.contains("山田 太郎") && squeezed.contains("粕壁二丁目9番") && resent.contains("344-0061"),
        "{resent}"
    );
    assert!(!resent.contains("粕壁東一丁目"), "not the address it came back from");

    // Nothing left: no empty job.
    record_posted(&store, &actor(), id, city.id, date(2024, 6, 1)).await.unwrap();
    let err = start_letters(&store, &actor(), id, &city, &text, 2).await.unwrap_err().to_string();
    assert!(err.contains("no letters waiting"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_cut_short_resumes_at_its_first_missing_batch() {
    let (store, _dir) = sqlite_store().await;
    let (id, city) = case(&store).await;
    let text = body(&store, id, "春日部市").await;
    let job = start_letters(&store, &actor(), id, &city, &text, 2).await.unwrap();
    // As if a worker was killed after its first batch: that batch is kept, the job still running.
    let kept = b"%PDF first batch".to_vec();
    assert!(store.add_letter_batch(&actor(), id, job, 0, 2, &kept).await.unwrap());
    assert_eq!(store.running_letter_jobs().await.unwrap(), [(id, job)]);
    let done = print_letters(&store, &actor(), id, job, fonts(), &|_| {}).await.unwrap();
    assert_eq!((done.state, done.printed, done.batches), (LetterJobState::Done, 3, 2));
    assert_eq!(store.letter_batch_pdf(&actor(), id, job, 0).await.unwrap(), kept, "batch 0 not printed again");
    let (last, pages) = pdf_text(&store.letter_batch_pdf(&actor(), id, job, 1).await.unwrap());
    assert_eq!(pages, 1);
    assert!(["髙橋 花子", "山田 太郎", "佐藤 一郎"].iter().filter(|n| last.contains(*n)).count() == 1);
    // A finished job prints nothing more.
    let again = print_letters(&store, &actor(), id, job, fonts(), &|_| {}).await.unwrap();
    assert_eq!(again.batches, 2);
}

#[tokio::test]
async fn a_failure_is_kept_on_the_job_without_personal_data() {
    let (store, _dir) = sqlite_store().await;
    let (id, city) = case(&store).await;
    let job = start_letters(&store, &actor(), id, &city, "# お知らせ", 500).await.unwrap();
    // The case is erased before its letters are printed: their names can no longer be read.
    store.erase_incident(&actor(), id, "テスト").await.unwrap();
    let err = print_letters(&store, &actor(), id, job, fonts(), &|_| {}).await.unwrap_err().to_string();
    let failed = store.letter_job(id, job).await.unwrap();
    assert_eq!(failed.state, LetterJobState::Failed);
    assert_eq!(failed.error.as_deref(), Some(err.as_str()));
    assert!(!err.contains("山田") && !err.contains("春日部市粕壁"), "{err}");
}
