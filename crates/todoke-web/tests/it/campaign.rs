//! The campaign page: counts per party, the e-mail notices sent in the background through a local
//! SMTP receiver, and a consignor kept to its own party.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use std::time::Duration;
use todoke_app::campaign::{Security, SmtpConfig};
use todoke_app::testkit::SmtpReceiver;
use todoke_core::{AffectedPerson, IncidentId, NoticeChannel, NotificationStatus};
use todoke_store::testkit::actor;
use todoke_store::{AuditStore, CaseRecordStore, IncidentStore, NotificationStore, PersonStore};

fn person(name: &str, kana: &str, year: i16, email: &str) -> AffectedPerson {
    AffectedPerson {
        name: name.into(),
        name_kana: Some(kana.into()),
        birth_date: Some(jiff::civil::date(year, 4, 1)),
        email: Some(email.into()),
        ..Default::default()
    }
}

async fn app_with_smtp(port: u16) -> App {
    App::new_with(|state| {
        state.with_smtp(SmtpConfig {
            port,
            rate_per_second: 100.0,
            retries: 1,
            retry_delay: Duration::from_millis(10),
            ..SmtpConfig::new("127.0.0.1", Security::None, "notice@todoke.example.jp")
        })
    })
    .await
}

#[tokio::test]
async fn a_city_sends_its_own_notices_and_sees_only_its_own() {
    let smtp = SmtpReceiver::start().await;
    smtp.reject("gone@example.jp");
    let app = app_with_smtp(smtp.port).await;
    let id: IncidentId = app.demo_case.parse().unwrap();
    let parties = app.store.parties(id).await.unwrap();
    let party = |name: &str| parties.iter().find(|p| p.party.name == name).unwrap().id;
    let (kasukabe, koshigaya) = (party("春日部市"), party("越谷市"));
    app.store
        .add_people(
            &actor(),
            id,
            kasukabe,
            &[
                person("春日 一郎", "カスカベ イチロウ", 1970, "ichiro@example.jp"),
                person("春日 二郎", "カスカベ ジロウ", 1971, "gone@example.jp"),
            ],
        )
        .await
        .unwrap();
    app.store
        .add_people(&actor(), id, koshigaya, &[person("越谷 花子", "コシガヤ ハナコ", 1980, "hanako@example.jp")])
        .await
        .unwrap();

    let path = format!("/cases/{}/campaign", app.demo_case);
    let city = app.sign_in("kasukabe").await;
    let (status, _, page) = app.get(&path, Some(&city)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("春日部市") && !page.contains("越谷市"), "a city sees its own party only");
    assert!(page.contains("campaign-form"), "and may start its campaign");
    let token = csrf_in(&page);

    // Another city's campaign can neither be started nor seen.
    let other = app.sign_in("koshigaya").await;
    let (_, _, other_page) = app.get(&path, Some(&other)).await;
    let (status, _, _) =
        app.post_form(&path, Some(&other), &format!("csrf={}&party=春日部市", csrf_in(&other_page))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(app.store.notifications(id, Some(kasukabe), None).await.unwrap().is_empty());
    // Without the form's token nothing starts.
    let (status, _, _) = app.post_form(&path, Some(&city), "csrf=wrong&party=春日部市").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, headers, _) = app.post_form(&path, Some(&city), &format!("csrf={token}&party=春日部市")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get("location").unwrap().to_str().unwrap(), path);

    // The send runs in the background: wait until both notices are settled.
    let mut settled = false;
    for _ in 0..200 {
        let notices = app.store.notifications(id, Some(kasukabe), Some(NoticeChannel::Email)).await.unwrap();
        if notices.len() == 2 && notices.iter().all(|n| n.status.is_settled()) {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(settled, "the campaign finished");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].recipients, vec!["ichiro@example.jp"]);
    assert!(received[0].subject().contains("春日部市"));
    assert!(received[0].body().contains("春日 一郎 様"));
    let statuses: Vec<_> =
        app.store.notifications(id, Some(kasukabe), None).await.unwrap().into_iter().map(|n| n.status).collect();
    assert!(statuses.contains(&NotificationStatus::Sent) && statuses.contains(&NotificationStatus::Bounced));
    assert!(app.store.notifications(id, Some(koshigaya), None).await.unwrap().is_empty(), "越谷市 untouched");

    // The page counts them; a second run sends nothing twice.
    let mut page = String::new();
    for _ in 0..100 {
        page = app.get(&path, Some(&city)).await.2;
        if page.contains("campaign-run") && !page.contains("送付中です") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(page.contains("送付済") && page.contains("不達"), "{page}");
    let (status, _, _) = app.post_form(&path, Some(&city), &format!("csrf={token}&party=春日部市")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for _ in 0..100 {
        page = app.get(&path, Some(&city)).await.2;
        if !page.contains("送付中です") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(smtp.received().len(), 1, "nothing sent twice");

    // The foundation sees both cities' counts.
    let foundation = app.sign_in("foundation").await;
    let (_, _, page) = app.get(&path, Some(&foundation)).await;
    assert!(page.contains("春日部市") && page.contains("越谷市"));
}

#[tokio::test]
async fn without_an_smtp_server_the_page_only_counts() {
    let app = App::new().await;
    let path = format!("/cases/{}/campaign", app.demo_case);
    let city = app.sign_in("kasukabe").await;
    let (status, _, page) = app.get(&path, Some(&city)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("campaign-no-smtp") && !page.contains("campaign-form"));
    let (status, _, _) = app.post_form(&path, Some(&city), &format!("csrf={}&party=春日部市", csrf_in(&page))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// 春日部市's letters to two people, planned and not yet posted; and the notices' ids.
async fn letters(app: &App) -> (IncidentId, todoke_core::PartyId, Vec<todoke_core::NotificationId>) {
    let id: IncidentId = app.demo_case.parse().unwrap();
    let parties = app.store.parties(id).await.unwrap();
    let kasukabe = parties.iter().find(|p| p.party.name == "春日部市").unwrap().id;
    let posted = |name: &str, kana: &str, year| AffectedPerson {
        postal_code: Some("344-0000".into()),
        address: Some("埼玉県春日部市旧住所1-1".into()),
        email: None,
        ..person(name, kana, year, "x@example.jp")
    };
    app.store
        .add_people(
            &actor(),
            id,
            kasukabe,
            &[posted("春日 三郎", "カスカベ サブロウ", 1960), posted("春日 四郎", "カスカベ シロウ", 1961)],
        )
        .await
        .unwrap();
    let planned: Vec<_> = app
        .store
        .people(id, Some(kasukabe))
        .await
        .unwrap()
        .iter()
        .map(|p| todoke_store::PlannedNotice { party: kasukabe, person: p.id, channel: NoticeChannel::Post })
        .collect();
    app.store.plan_notifications(&actor(), id, &planned).await.unwrap();
    let ids = app.store.notifications(id, Some(kasukabe), None).await.unwrap().iter().map(|n| n.id).collect();
    (id, kasukabe, ids)
}

async fn status_of(app: &App, id: IncidentId, notice: todoke_core::NotificationId) -> NotificationStatus {
    app.store.notifications(id, None, None).await.unwrap().into_iter().find(|n| n.id == notice).unwrap().status
}

#[tokio::test]
async fn a_city_records_returns_remails_and_moves_to_substitute_and_another_cannot() {
    let app = App::new().await;
    let (id, _, notices) = letters(&app).await;
    let (n0, n1) = (notices[0], notices[1]);
    let base = format!("/cases/{}/campaign", app.demo_case);
    let city = app.sign_in("kasukabe").await;
    let token = csrf_in(&app.get(&base, Some(&city)).await.2);
    let other = app.sign_in("koshigaya").await;
    let other_token = csrf_in(&app.get(&base, Some(&other)).await.2);

    // The print vendor's file of the letters waiting to go: the city's own only.
    let handoff = format!("{base}/handoff.csv?party=%E6%98%A5%E6%97%A5%E9%83%A8%E5%B8%82");
    let (status, headers, _) = app.get(&handoff, Some(&city)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "text/csv; charset=Shift_JIS");
    let (_, _, file) = app.get(&format!("{handoff}&encoding=utf8"), Some(&city)).await;
    let lines: Vec<&str> = file.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{file}");
    assert!(lines[1..].iter().all(|l| l.contains(",新規,344-0000,埼玉県春日部市旧住所1-1,春日 ")), "{file}");
    assert_eq!(app.get(&handoff, Some(&other)).await.0, StatusCode::NOT_FOUND);
    let audit = app.store.audit_entries(0, 1_000_000).await.unwrap();
    let handed = audit.iter().find(|e| e.action == "campaign.handoff").unwrap();
    assert!(handed.object.ends_with("letters:2") && !handed.object.contains("春日"), "{}", handed.object);

    // Posting: another city cannot post 春日部市's letters; without the token nothing happens.
    let posted = format!("{base}/posted");
    let (status, _, _) =
        app.post_form(&posted, Some(&other), &format!("csrf={other_token}&party=春日部市&date=2024-05-20")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.post_form(&posted, Some(&city), "csrf=wrong&party=春日部市&date=2024-05-20").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, id, n0).await, NotificationStatus::Pending);
    let (status, _, body) =
        app.post_form(&posted, Some(&city), &format!("csrf={token}&party=春日部市&date=2024-05-20")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&app, id, n0).await, NotificationStatus::Sent);

    // A return by hand; another city can neither record nor see it.
    let returns = format!("{base}/returns");
    let form = |t: &str, n| format!("csrf={t}&notice={n}&reason=moved-unknown&date=2024-05-24");
    let (status, _, _) = app.post_form(&returns, Some(&other), &form(&other_token, n0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = app.post_form(&returns, Some(&city), &form(&token, n0)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&app, id, n0).await, NotificationStatus::Returned);

    // A list in Shift_JIS: a bad line records nothing and is named; a good list records all.
    let upload = format!("{base}/returns/upload");
    let bad = format!("通知ID,返戻理由,返戻日\n{n1},受取拒絶,2024-05-25\n{n1},なぞ,2024-05-25\n");
    let (status, _, body) = app.post_file(&upload, Some(&city), &token, &encoding_rs::SHIFT_JIS.encode(&bad).0).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("line 3, column 2"), "{body}");
    assert_eq!(status_of(&app, id, n1).await, NotificationStatus::Sent);
    let good = format!("{n1},あて所に尋ねあたりません,2024-05-25\n");
    let (status, _, _) = app.post_file(&upload, Some(&other), &other_token, good.as_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "another city's notice is no notice of theirs");
    assert_eq!(status_of(&app, id, n1).await, NotificationStatus::Sent);
    let (status, _, body) = app.post_file(&upload, Some(&city), &token, &encoding_rs::SHIFT_JIS.encode(&good).0).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&app, id, n1).await, NotificationStatus::Returned);

    // Re-mail one to a corrected address: kept sealed, never shown.
    let remail = format!("{base}/remail");
    let address = "csrf={t}&notice={n}&postal_code=344-8577&address=埼玉県春日部市中央七丁目2番地1";
    let (status, _, _) = app
        .post_form(&remail, Some(&other), &address.replace("{t}", &other_token).replace("{n}", &n0.to_string()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) =
        app.post_form(&remail, Some(&city), &address.replace("{t}", &token).replace("{n}", &n0.to_string())).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&app, id, n0).await, NotificationStatus::Remailed);
    let (_, _, file) = app.get(&format!("{handoff}&encoding=utf8"), Some(&city)).await;
    assert!(
        file.contains(&format!("{n0},再送,344-8577,埼玉県春日部市中央七丁目2番地1,春日 ")) && file.lines().count() == 2,
        "the re-mailed letter only, at its corrected address: {file}"
    );
    let (status, _, _) =
        app.post_form(&posted, Some(&city), &format!("csrf={token}&party=春日部市&date=2024-05-27")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id, n0).await, NotificationStatus::Sent);

    // The substitute notice: published first, then a person moved to it.
    let substitute = format!("{base}/substitute");
    let (status, _, _) = app.post_form(&substitute, Some(&city), &format!("csrf={token}&notice={n1}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no publication yet");
    let publish = format!("{base}/publications");
    let publication = "party=春日部市&place=https://www.city.kasukabe.lg.jp/notice&from=2024-06-01&to=2024-08-31";
    let (status, _, _) = app.post_form(&publish, Some(&other), &format!("csrf={other_token}&{publication}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = app.post_form(&publish, Some(&city), &format!("csrf={token}&{publication}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, _) = app.post_form(&substitute, Some(&other), &format!("csrf={other_token}&notice={n1}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.post_form(&substitute, Some(&city), &format!("csrf={token}&notice={n1}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id, n1).await, NotificationStatus::Substitute);

    // The dashboard: figures, chart and 確報 item 6; no address anywhere.
    let (_, _, page) = app.get(&base, Some(&city)).await;
    assert!(page.contains("campaign-figures") && page.contains("<svg"), "{page}");
    let item6 = "までに2名に書面で通知。2通が返戻、うち1名に再送、1名は公表により代替。";
    assert!(page.contains(item6), "{page}");
    assert!(page.contains("https://www.city.kasukabe.lg.jp/notice"));
    assert!(!page.contains("中央七丁目") && !page.contains("旧住所"));
    let (_, _, other_page) = app.get(&base, Some(&other)).await;
    assert!(!other_page.contains(&n0.to_string()) && !other_page.contains(item6));

    // The final report draft states it under item 6.
    let case_page = app.get(&format!("/cases/{}", app.demo_case), Some(&city)).await.2;
    let (status, _, body) = app
        .post_form(
            &format!("/cases/{}/reports/draft", app.demo_case),
            Some(&city),
            &format!("csrf={}&party=春日部市&kind=final", csrf_in(&case_page)),
        )
        .await;
    assert!(status.is_redirection(), "{status} {body}");
    let reports = app.store.reports(id).await.unwrap();
    let draft = reports.iter().map(|(_, r)| r).find(|r| r.kind == todoke_core::ReportKind::Final).unwrap();
    assert!(draft.content.contains(item6) && !draft.content.contains("未実施（通知"), "{}", draft.content);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_prints_its_letters_in_the_background_and_another_cannot_take_them() {
    use todoke_store::{LetterJobState, LetterStore};
    // The organization's profile gives the letters their desk.
    let profile = "[parties.\"春日部市\"]\nname = \"春日部市\"\n[sender.desk]\nphone = \"048-736-1111\"\n";
    let org =
        todoke_web::Organization { profile: todoke_docs::Profile::from_toml(profile).unwrap(), ..Default::default() };
    let app =
        App::new_with(|state| state.with_fonts(todoke_app::fonts::system_fonts().unwrap()).with_organization(org))
            .await;
    let (id, kasukabe, _) = letters(&app).await;
    let base = format!("/cases/{}/campaign", app.demo_case);
    let city = app.sign_in("kasukabe").await;
    let page = app.get(&base, Some(&city)).await.2;
    assert!(page.contains("campaign-letters-form"), "{page}");
    let token = csrf_in(&page);
    let other = app.sign_in("koshigaya").await;
    let other_token = csrf_in(&app.get(&base, Some(&other)).await.2);

    let start = format!("{base}/letters");
    let (status, _, _) = app.post_form(&start, Some(&other), &format!("csrf={other_token}&party=春日部市")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.post_form(&start, Some(&city), "csrf=wrong&party=春日部市").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(app.store.letter_jobs(id, None).await.unwrap().is_empty());
    let (status, _, body) = app.post_form(&start, Some(&city), &format!("csrf={token}&party=春日部市")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The job prints in the background; the page shows where it stands.
    let mut job = None;
    for _ in 0..600 {
        let jobs = app.store.letter_jobs(id, Some(kasukabe)).await.unwrap();
        if jobs.first().is_some_and(|j| j.state != LetterJobState::Running) {
            job = jobs.into_iter().next();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let job = job.expect("the letters were printed within a minute");
    assert_eq!((job.state, job.printed, job.batches), (LetterJobState::Done, 2, 1));
    assert!(job.body.contains("048-736-1111") && !job.body.contains("未設定"), "{}", job.body);
    let batch = format!("{base}/letters/{}/0.pdf", job.id);
    let page = app.get(&base, Some(&city)).await.2;
    assert!(page.contains(&batch) && page.contains("2 / 2"), "{page}");
    assert!(!app.get(&base, Some(&other)).await.2.contains(&job.id.to_string()), "another city sees no job");

    let (status, headers, pdf) = app.get(&batch, Some(&city)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    assert!(headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment;"));
    assert!(pdf.starts_with("%PDF-"));
    assert_eq!(app.get(&batch, Some(&other)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{base}/letters/{}/1.pdf", job.id), Some(&city)).await.0, StatusCode::NOT_FOUND);
    let audit = app.store.audit_entries(0, 1_000_000).await.unwrap();
    let downloads: Vec<_> = audit.iter().filter(|e| e.action == "letters.download").collect();
    assert_eq!(downloads.len(), 1, "the one download by the city");

    // Resuming is for a job that stopped: a finished one stays as it is.
    let resume = format!("{base}/letters/{}/resume", job.id);
    let (status, _, _) = app.post_form(&resume, Some(&other), &format!("csrf={other_token}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.post_form(&resume, Some(&city), &format!("csrf={token}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.letter_job(id, job.id).await.unwrap().batches, 1);
}

#[tokio::test]
async fn without_fonts_the_page_says_so_and_prints_nothing() {
    use todoke_store::LetterStore;
    let app = App::new().await;
    let (id, _, _) = letters(&app).await;
    let base = format!("/cases/{}/campaign", app.demo_case);
    let city = app.sign_in("kasukabe").await;
    let page = app.get(&base, Some(&city)).await.2;
    assert!(!page.contains("campaign-letters-form") && page.contains("fonts-ipaexfont-mincho"), "{page}");
    let (status, _, body) = app
        .post_form(&format!("{base}/letters"), Some(&city), &format!("csrf={}&party=春日部市", csrf_in(&page)))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("fonts"), "{body}");
    assert!(app.store.letter_jobs(id, None).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_left_running_resume_when_a_server_with_fonts_starts() {
    use todoke_store::{LetterJobState, LetterStore};
    let app = App::new().await;
    let (id, kasukabe, _) = letters(&app).await;
    let party = app.store.parties(id).await.unwrap().into_iter().find(|p| p.id == kasukabe).unwrap();
    let job = todoke_app::campaign::start_letters(&app.store, &actor(), id, &party, "# お知らせ", 1).await.unwrap();
    let clock = std::sync::Arc::new(todoke_core::SystemClock);
    let without = todoke_web::AppState::new(app.store.clone(), clock).unwrap();
    assert_eq!(todoke_web::resume_letter_jobs(&without).await.unwrap(), 0, "no fonts: the job waits");
    let with = without.with_fonts(todoke_app::fonts::system_fonts().unwrap());
    assert_eq!(todoke_web::resume_letter_jobs(&with).await.unwrap(), 1);
    let mut state = LetterJobState::Running;
    for _ in 0..600 {
        state = app.store.letter_job(id, job).await.unwrap().state;
        if state != LetterJobState::Running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state, LetterJobState::Done);
    assert_eq!(app.store.letter_job(id, job).await.unwrap().batches, 2, "one letter a batch");
}
