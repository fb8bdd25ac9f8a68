//! Letters posted, returned (by hand and from a list), re-mailed and moved to the substitute
//! notice; the figures and 確報 item 6 they make.

use super::*;
use jiff::civil::date;
use todoke_core::{IncidentId, NotificationStatus};
use todoke_store::testkit::{actor, seeded_with_letters, sqlite_store};
use todoke_store::{IncidentStore, NotificationStore, ReturnStore, SqliteDb, Store, StoredNotification};

async fn party_id(store: &Store<SqliteDb>, id: IncidentId, name: &str) -> todoke_core::PartyId {
    store.parties(id).await.unwrap().into_iter().find(|p| p.party.name == name).unwrap().id
}

#[test]
fn reasons_read_codes_labels_and_common_spellings() {
    for r in ReturnReason::ALL {
        assert_eq!(ReturnReason::parse(r.key()), Some(*r));
        assert_eq!(ReturnReason::parse(r.label_ja()), Some(*r));
    }
    assert_eq!(ReturnReason::parse("宛所尋ねあたりません"), Some(ReturnReason::AddresseeUnknown));
    assert_eq!(ReturnReason::parse("受取拒否"), Some(ReturnReason::Refused));
    assert_eq!(ReturnReason::parse(" あて名不完全 "), Some(ReturnReason::AddressIncomplete));
    assert_eq!(ReturnReason::parse("不明な理由"), None);
}

#[test]
fn a_list_names_each_problem_by_line_and_column() {
    let list = "通知ID,理由,返戻日\nabc,転居先不明,2024-05-24\n,謎,2024-13-01\n";
    let errors = read_returns(list.as_bytes()).unwrap_err();
    let at: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(at, vec![(3, 1), (3, 2), (3, 3)]);
    // Shift_JIS reads as well as UTF-8; 和暦 dates too.
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("abc,受取拒絶,令和6年5月24日\n");
    let rows = read_returns(&sjis).unwrap();
    assert_eq!((rows[0].reason, rows[0].returned_on), (ReturnReason::Refused, date(2024, 5, 24)));
}

#[tokio::test]
async fn letters_are_posted_returned_remailed_and_moved_to_substitute() {
    let (store, _dir) = sqlite_store().await;
    let (id, city, notices) = seeded_with_letters(&store).await;
    let parties = [city];
    // A return before posting makes no sense.
    let row = |n: &StoredNotification, line| ReturnRow {
        line,
        notice: n.id.to_string(),
        reason: ReturnReason::MovedUnknown,
        returned_on: date(2024, 5, 24),
    };
    assert!(record_returns(&store, &actor(), id, &parties, &[row(&notices[0], 1)]).await.is_err());
    let posted = record_posted(&store, &actor(), id, city, date(2024, 5, 20)).await.unwrap();
    assert_eq!(posted, Posted { posted: 3, reposted: 0 });
    assert!(record_posted(&store, &actor(), id, city, date(2024, 5, 20)).await.is_err(), "nothing left to post");

    // A list with one bad line records nothing.
    let list = format!("{},転居先不明,2024-05-24\nnot-a-notice,受取拒絶,2024-05-25\n", notices[0].id);
    let err = upload_returns(&store, &actor(), id, &parties, list.as_bytes()).await.unwrap_err().to_string();
    assert!(err.contains("line 2, column 1"), "{err}");
    assert!(store.notifications(id, None, None).await.unwrap().iter().all(|n| n.status == NotificationStatus::Sent));
    // Another party cannot record returns of this one.
    let handler = party_id(&store, id, "公益財団法人埼玉県健康づくり事業団").await;
    assert!(record_returns(&store, &actor(), id, &[handler], &[row(&notices[0], 1)]).await.is_err());

    let list =
        format!("{},転居先不明,2024-05-24\n{},あて所に尋ねあたりません,2024/5/25\n", notices[0].id, notices[1].id);
    assert_eq!(upload_returns(&store, &actor(), id, &parties, list.as_bytes()).await.unwrap(), 2);
    let events = store.notification_events(id, Some(city)).await.unwrap();
    assert!(events.iter().any(|e| e.detail.as_deref() == Some("returned moved-unknown 2024-05-24")));

    // Re-mail one to a corrected address (sealed), then post it again.
    assert!(remail(&store, &actor(), id, &parties, notices[0].id, "12", "x").await.is_err());
    remail(&store, &actor(), id, &parties, notices[0].id, "〒344-8577", "埼玉県春日部市中央七丁目2番地1")
        .await
        .unwrap();
    assert_eq!(store.notification_address(id, notices[0].id).await.unwrap().unwrap().postal_code, "344-8577");
    assert_eq!(
        record_posted(&store, &actor(), id, city, date(2024, 5, 27)).await.unwrap(),
        Posted { posted: 0, reposted: 1 }
    );

    // Moving to the substitute notice needs its publication first.
    assert!(move_to_substitute(&store, &actor(), id, &parties, notices[1].id).await.is_err());
    publish_substitute(&store, &actor(), id, city, "https://www.city.kasukabe.lg.jp/notice", date(2024, 6, 1), None)
        .await
        .unwrap();
    move_to_substitute(&store, &actor(), id, &parties, notices[1].id).await.unwrap();

    let dashboards = dashboards(&store, id).await.unwrap();
    let mine = dashboards.iter().find(|d| d.party == city).unwrap();
    assert_eq!(
        mine.now,
        Figures { planned: 3, sent_post: 3, returned: 2, remailed: 1, substitute: 1, ..Figures::default() }
    );
    assert!(mine.by_day.len() >= 3 && mine.by_day.windows(2).all(|w| w[0].0 < w[1].0));
    let text = item6_text(mine).unwrap();
    assert!(text.contains("3名に書面で通知。2通が返戻、うち1名に再送、1名は公表により代替。"), "{text}");
}
