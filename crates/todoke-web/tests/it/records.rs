//! The working record from the case page: the display switch (language, 和暦/西暦), timeline events
//! by form and by CSV import (all or nothing), tasks and the 再発防止策 register, report drafts made
//! from the case and marked submitted, and the charts. Each is refused to those who may not.

use crate::{App, csrf_in};
use axum::http::{StatusCode, header};
use todoke_store::{CaseRecordStore, IncidentStore};

fn id_of(case: &str) -> todoke_core::IncidentId {
    case.parse().unwrap()
}

fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_display_switch_is_remembered_per_browser() {
    let app = App::new().await;
    let cookie = app.sign_in("foundation").await;
    let page = format!("/cases/{}", app.demo_case);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("<html lang=\"ja\"") && body.contains("当事者と義務"), "Japanese by default");
    assert!(body.contains("2024-04-01") && body.contains("日本時間 JST"), "western dates by default, JST stated");
    assert!(body.contains("action=\"/preferences\""), "the switch is on the page");
    let csrf = csrf_in(&body);

    // A forged or missing token changes nothing.
    let (status, headers, _) = app.post_form("/preferences", Some(&cookie), "csrf=forged&lang=en&dates=wareki").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(headers.get(header::SET_COOKIE).is_none());

    let (status, headers, _) = app
        .request(
            "POST",
            "/preferences",
            Some(&cookie),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("referer", &format!("http://127.0.0.1:8080{page}")),
            ],
            format!("csrf={csrf}&lang=en&dates=wareki"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get("location").unwrap().to_str().unwrap(), page, "back to the page it was switched on");
    let set = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    for flag in ["__Host-todoke-prefs=en.wareki", "Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(flag), "{set}");
    }
    let both = format!("{cookie}; {}", set.split(';').next().unwrap());
    let (_, _, body) = app.get(&page, Some(&both)).await;
    assert!(body.contains("<html lang=\"en\"") && body.contains("Parties and their obligations"), "English");
    assert!(body.contains("令和6年4月1日") && !body.contains(">2024-04-01<"), "due dates in 和暦");
    assert!(body.contains("(UTC+09:00)"), "timeline times carry their offset");
    assert!(body.contains("Japan Standard Time"));
    let (_, _, body) = app.get("/", Some(&both)).await;
    assert!(body.contains("Cases") && body.contains("令和"), "every page follows the switch");
    let (status, _, body) = app.get("/cases/not-a-case", Some(&both)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Not found"), "error pages too");

    // Before signing in there is no session: the origin is checked instead.
    let (status, headers, _) = app.post_form("/preferences", None, "csrf=&lang=en&dates=western").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let prefs = headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    let (_, _, body) = app.get("/sign-in", Some(&prefs)).await;
    assert!(body.contains("Sign in") && body.contains("Password"), "{body}");
    let forged = axum::http::Request::post("/preferences")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body(axum::body::Body::from("lang=en&dates=western"))
        .unwrap();
    let (status, _, _) = app.send(forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a cross-site switch is refused");
    let (status, _, _) = app.post_form("/preferences", Some(&cookie), &format!("csrf={csrf}&lang=fr&dates=x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_owner_adds_timeline_events_by_form_and_by_csv_import() {
    let app = App::new().await;
    let cookie = app.sign_in("foundation").await;
    let page = format!("/cases/{}", app.demo_case);
    let csrf = app.csrf(&cookie).await;
    let before = app.store.timeline(id_of(&app.demo_case)).await.unwrap().len();

    let form = format!(
        "csrf={csrf}&at=2024-01-28T19:05&offset=%2B09%3A00&kind=attack&text={}&source={}&technique=T1486",
        enc("ファイルが暗号化された"),
        enc("EDRログ")
    );
    let (status, headers, body) = app.post_form(&format!("{page}/timeline"), Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers.get("location").unwrap().to_str().unwrap(), format!("{page}#timeline"));
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("ファイルが暗号化された") && body.contains("T1486") && body.contains("EDRログ"));
    assert!(body.contains("2024-01-28 19:05 (UTC+09:00)"), "the time with its zone");

    // A bad technique id is named.
    let bad = format!("csrf={csrf}&at=2024-01-28T19:05&offset=%2B09%3A00&kind=attack&text=x&technique=T12");
    let (status, _, body) = app.post_form(&format!("{page}/timeline"), Some(&cookie), &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("technique"), "{body}");

    // CSV: UTF-8 with a BOM, then Shift_JIS.
    let csv = "at,kind,text,source,technique\n\
               2024-01-29T10:00:00+09:00,containment,ネットワークから切り離し,情報システム課,\n\
               2024-01-29T01:00:00Z,investigation,フォレンジック調査を依頼,,\n";
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(csv.as_bytes());
    let (status, _, body) = app.post_file(&format!("{page}/timeline/import"), Some(&cookie), &csrf, &bom).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let sjis_csv = "at,kind,text\n2024-01-30T09:00:00+09:00,関係先への連絡,春日部市へ第一報\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(sjis_csv);
    let (status, _, body) = app.post_file(&format!("{page}/timeline/import"), Some(&cookie), &csrf, &sjis).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let timeline = app.store.timeline(id_of(&app.demo_case)).await.unwrap();
    assert_eq!(timeline.len(), before + 4);
    assert!(timeline.iter().any(|(_, e)| e.text == "春日部市へ第一報"), "Shift_JIS decoded");

    // One bad row and nothing is imported; every bad row is named with its line.
    let bad = "at,kind,text\n2024-01-31T09:00:00+09:00,other,良い行\n2024-01-31 09:00,other,時差なし\n\
               2024-01-31T09:00:00+09:00,unknown,種別違い\n";
    let (status, _, body) =
        app.post_file(&format!("{page}/timeline/import"), Some(&cookie), &csrf, bad.as_bytes()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("line 3: at:") && body.contains("line 4: kind:"), "{body}");
    assert_eq!(app.store.timeline(id_of(&app.demo_case)).await.unwrap().len(), before + 4, "nothing half-imported");

    // Without the token, or as a consignor, nothing.
    let (status, _, _) = app.post_file(&format!("{page}/timeline/import"), Some(&cookie), "forged", &sjis).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let kasukabe = app.sign_in("kasukabe").await;
    let k_csrf = app.csrf(&kasukabe).await;
    let (status, _, _) = app.post_file(&format!("{page}/timeline/import"), Some(&kasukabe), &k_csrf, &sjis).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = format!("csrf={k_csrf}&at=2024-01-28T19:05&offset=%2B09%3A00&kind=attack&text=x");
    let (status, _, _) = app.post_form(&format!("{page}/timeline"), Some(&kasukabe), &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.timeline(id_of(&app.demo_case)).await.unwrap().len(), before + 4);
    // Another organization's case is not found.
    let (status, _, _) =
        app.post_file(&format!("/cases/{}/timeline/import", app.other_case), Some(&cookie), &csrf, &sjis).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tasks_move_on_with_evidence_and_stay_the_owners() {
    let app = App::new().await;
    let cookie = app.sign_in("foundation").await;
    let page = format!("/cases/{}", app.demo_case);
    let csrf = app.csrf(&cookie).await;
    let form = format!(
        "csrf={csrf}&kind=prevention&title={}&owner={}&due=2024-06-30",
        enc("VPN機器のファームウェア更新"),
        enc("情報システム課")
    );
    let (status, _, body) = app.post_form(&format!("{page}/tasks"), Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let tasks = app.store.tasks(id_of(&app.demo_case)).await.unwrap();
    let (task, added) = tasks.last().unwrap();
    assert_eq!(added.title, "VPN機器のファームウェア更新");
    let status_path = format!("{page}/tasks/{task}/status");

    // Done needs its evidence.
    let (status, _, body) =
        app.post_form(&status_path, Some(&cookie), &format!("csrf={csrf}&status=done&evidence=")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("evidence"), "{body}");
    let form = format!("csrf={csrf}&status=done&evidence={}", enc("更新作業報告書 2024-03-01"));
    let (status, _, _) = app.post_form(&status_path, Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, moved) =
        app.store.tasks(id_of(&app.demo_case)).await.unwrap().into_iter().find(|(id, _)| id == task).unwrap();
    assert_eq!(moved.status, todoke_core::TaskStatus::Done);
    assert_eq!(moved.evidence.as_deref(), Some("更新作業報告書 2024-03-01"));
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("VPN機器のファームウェア更新") && body.contains("更新作業報告書 2024-03-01"));
    assert!(body.contains("<h2>タスク・再発防止策</h2>"));

    // A consignor neither sees nor changes the owner's register.
    let kasukabe = app.sign_in("kasukabe").await;
    let k_csrf = app.csrf(&kasukabe).await;
    let (_, _, body) = app.get(&page, Some(&kasukabe)).await;
    assert!(!body.contains("VPN機器のファームウェア更新") && !body.contains("タスク・再発防止策"));
    let (status, _, _) =
        app.post_form(&status_path, Some(&kasukabe), &format!("csrf={k_csrf}&status=open&evidence=")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) =
        app.post_form(&format!("{page}/tasks"), Some(&kasukabe), &format!("csrf={k_csrf}&kind=action&title=x")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A task id is only found in its own case.
    let other_task = format!("/cases/{}/tasks/{task}/status", app.demo_case).replace(&app.demo_case, &app.other_case);
    let (status, _, _) = app.post_form(&other_task, Some(&cookie), &format!("csrf={csrf}&status=open&evidence=")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .post_form(&format!("{page}/tasks/not-an-id/status"), Some(&cookie), &format!("csrf={csrf}&status=open"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_draft_ppc_report_is_made_from_the_case_shown_and_marked_submitted() {
    let app = App::new().await;
    let cookie = app.sign_in("foundation").await;
    let page = format!("/cases/{}", app.demo_case);
    let csrf = app.csrf(&cookie).await;
    let foundation = app.store.parties(id_of(&app.demo_case)).await.unwrap()[0].party.name.clone();
    let form = format!("csrf={csrf}&party={}&kind=final", enc(&foundation));
    let (status, headers, body) = app.post_form(&format!("{page}/reports/draft"), Some(&cookie), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers.get("location").unwrap().to_str().unwrap(), format!("{page}#reports"));

    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("漏えい等報告（確報）"), "the draft is shown");
    // The nine items of Rules Art. 8 (RULES.md §1.5), as headings of the draft.
    for item in [
        "1. 概要",
        "2. 漏えい等が発生し",
        "3. 漏えい等が発生し",
        "4. 原因",
        "5. 二次被害",
        "6. 本人への対応",
        "7. 公表",
        "8. 再発防止",
        "9. その他",
    ] {
        assert!(body.contains(&format!("<h2>{item}")), "item {item} is in the draft");
    }
    assert!(!body.contains("<script"), "escaped");

    let reports = app.store.reports(id_of(&app.demo_case)).await.unwrap();
    let (report, draft) = reports.last().unwrap();
    assert!(draft.submitted_on.is_none() && draft.due.is_some());
    assert!(draft.content.contains("偵察活動"), "the owner's draft tells the timeline (事実経過)");
    let submit = format!("{page}/reports/{report}/submit");
    let (status, _, _) = app
        .post_form(&submit, Some(&cookie), &format!("csrf={csrf}&submitted_on=2024-02-20&receipt=PPC-2024-0042"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, body) = app.get(&page, Some(&cookie)).await;
    assert!(body.contains("PPC-2024-0042") && body.contains("期限内"), "submitted on time, frozen");
    let (_, submitted) =
        app.store.reports(id_of(&app.demo_case)).await.unwrap().into_iter().find(|(r, _)| r == report).unwrap();
    assert_eq!(submitted.on_time, Some(true));
    // Submitted is frozen: a second submission is a conflict.
    let (status, _, _) =
        app.post_form(&submit, Some(&cookie), &format!("csrf={csrf}&submitted_on=2024-05-01&receipt=X")).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // 春日部市 drafts its own report, from its share only (no owner timeline), and not 越谷市's.
    let kasukabe = app.sign_in("kasukabe").await;
    let k_csrf = app.csrf(&kasukabe).await;
    let form = format!("csrf={k_csrf}&party={}&kind=preliminary", enc("春日部市"));
    let (status, _, _) = app.post_form(&format!("{page}/reports/draft"), Some(&kasukabe), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (k_report, k_draft) = app.store.reports(id_of(&app.demo_case)).await.unwrap().pop().unwrap();
    assert!(k_draft.content.contains("漏えい等報告（速報）"));
    assert!(!k_draft.content.contains("偵察活動"), "the owner's timeline is not in a consignor's draft");
    let (_, _, body) = app.get(&page, Some(&kasukabe)).await;
    assert!(body.contains("漏えい等報告（速報）"), "shown to the party");
    assert!(!body.contains("PPC-2024-0042"), "not the foundation's report");
    let form = format!("csrf={k_csrf}&party={}&kind=final", enc("越谷市"));
    let (status, _, _) = app.post_form(&format!("{page}/reports/draft"), Some(&kasukabe), &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another city's report is none of 春日部市's");
    // Nor may it submit the foundation's draft.
    let form = format!("csrf={csrf}&party={}&kind=preliminary", enc(&foundation));
    app.post_form(&format!("{page}/reports/draft"), Some(&cookie), &form).await;
    let (f_report, _) = app.store.reports(id_of(&app.demo_case)).await.unwrap().pop().unwrap();
    let (status, _, _) = app
        .post_form(
            &format!("{page}/reports/{f_report}/submit"),
            Some(&kasukabe),
            &format!("csrf={k_csrf}&submitted_on=2024-02-01"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Its own, it may: late (速報 window long past), frozen as late.
    let (status, _, _) = app
        .post_form(
            &format!("{page}/reports/{k_report}/submit"),
            Some(&kasukabe),
            &format!("csrf={k_csrf}&submitted_on=2024-03-15&receipt=K-1"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, body) = app.get(&page, Some(&kasukabe)).await;
    assert!(body.contains("K-1"));
}

#[tokio::test]
async fn the_case_page_draws_deadlines_and_obligations_per_party() {
    let app = App::new().await;
    let cookie = app.sign_in("kasukabe").await;
    let (_, headers, body) = app.get(&format!("/cases/{}", app.demo_case), Some(&cookie)).await;
    assert!(body.contains("期限の時間軸") && body.contains("当事者ごとの義務"));
    assert_eq!(body.matches("<svg").count(), 2, "both charts");
    assert!(body.contains("class=\"chart obligations-chart\""));
    let chart = &body[body.find("obligations-chart").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert!(chart.contains("春日部市") && !chart.contains("越谷市"), "only its own share");
    assert!(!body.contains("style="), "no inline style (CSP)");
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(!csp.contains("unsafe-inline"));
}

/// Regression: the store's incident list holds a pooled connection while it takes another per
/// incident, so 50 users on the dashboard at once (the bench of issue 7) emptied the pool of 8 and
/// waited on each other until its 30 s timeout. The web layer lets only a few list at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_users_on_the_dashboard_do_not_starve_the_pool() {
    let app = std::sync::Arc::new(App::new().await);
    let cookie = app.sign_in("foundation").await;
    let started = std::time::Instant::now();
    let mut all = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, cookie) = (app.clone(), cookie.clone());
        all.spawn(async move { app.get("/", Some(&cookie)).await.0 });
    }
    while let Some(status) = all.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn the_timeline_downloads_as_a_csv_that_imports_again() {
    use todoke_store::AuditStore;
    let app = App::new().await;
    let staff = app.sign_in("foundation").await;
    let path = format!("/cases/{}/timeline.csv", app.demo_case);
    let (status, headers, _) = app.get(&path, Some(&staff)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").unwrap(), "text/csv; charset=Shift_JIS");
    let (_, _, utf8) = app.get(&format!("{path}?encoding=utf8"), Some(&staff)).await;
    let lines: Vec<&str> = utf8.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "at,kind,text,source,technique");
    let count = |app: &App| {
        let id = id_of(&app.demo_case);
        let store = app.store.clone();
        async move { store.timeline(id).await.unwrap().len() }
    };
    let events = count(&app).await;
    assert!(events > 20 && lines.len() == events + 1, "every event of the seed case: {} lines", lines.len());

    // The Shift_JIS file, imported back into the case, adds the same events again.
    let request =
        axum::http::Request::get(&path).header(header::COOKIE, &staff).body(axum::body::Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    let sjis = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let csrf = csrf_in(&app.get(&format!("/cases/{}", app.demo_case), Some(&staff)).await.2);
    let import = format!("/cases/{}/timeline/import", app.demo_case);
    let (status, _, body) = app.post_file(&import, Some(&staff), &csrf, &sjis).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(count(&app).await, 2 * events);
    let log = app.store.audit_entries(0, 100_000).await.unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "timeline.export").count(), 3, "each download is audited");
}
