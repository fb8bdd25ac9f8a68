//! End to end in headless Chromium (Debian `chromium` + `chromedriver`): a real server on loopback,
//! a real browser, real cookies. Two-factor sign-in, the demo case, editing a fact and seeing the
//! deadline move, and a consignor that cannot open another consignor's data.

use crate::webdriver::Driver;
use std::sync::Arc;
use todoke_store::IncidentStore;
use todoke_store::testkit::{actor, sqlite_store};

fn totp_now(secret_base32: &str) -> String {
    let secret = crate::base32_decode(secret_base32);
    todoke_app::totp::code_at(&secret, todoke_app::totp::step_of(jiff::Timestamp::now().as_second()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_with_the_demo_case_in_a_browser() {
    let Some(driver) = Driver::start().await else {
        assert!(std::env::var_os("CI").is_none(), "chromedriver is missing (scripts/test.sh installs chromium-driver)");
        eprintln!("skipped: chromedriver is not installed");
        return;
    };
    let (store, dir) = sqlite_store().await;
    let users = todoke_app::load_demo(&store, &actor()).await.unwrap();
    let password = |login: &str| users.iter().find(|u| u.login == login).unwrap().password.clone();
    let other =
        todoke_core::facts::parse_facts(include_str!("../../../../examples/ecc-unauthorized-access.toml")).unwrap();
    let other_case = store.create_incident(&actor(), &other).await.unwrap();
    let demo_case = store.incidents().await.unwrap()[0].id;
    // One person on 春日部市's list, for "am I affected?".
    let kasukabe = store.parties(demo_case).await.unwrap().into_iter().find(|p| p.party.name == "春日部市").unwrap();
    let hanako = todoke_core::AffectedPerson {
        name: "高橋花子".into(),
        name_kana: Some("タカハシ ハナコ".into()),
        birth_date: Some(jiff::civil::date(1970, 3, 1)),
        ..Default::default()
    };
    todoke_store::PersonStore::add_people(&store, &actor(), demo_case, kasukabe.id, &[hanako]).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    // Browsers keep Secure cookies from http://localhost (a secure context), not from a bare IP.
    let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let state = todoke_web::AppState::new(store.clone(), Arc::new(todoke_core::SystemClock))
        .unwrap()
        .with_fonts(todoke_app::fonts::system_fonts().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(todoke_web::serve(listener, state, async move {
        let _ = stopped.await;
    }));

    let browser = driver.session().await;
    let sign_in = |login: &'static str, code: Option<String>| {
        let browser = &browser;
        let base = &base;
        let password = password(login);
        async move {
            browser.go(&format!("{base}/sign-in")).await;
            browser.fill("input[name=login]", login).await;
            browser.fill("input[name=password]", &password).await;
            if let Some(code) = code {
                browser.fill("input[name=code]", &code).await;
            }
            browser.submit("section.sign-in button[type=submit]").await;
        }
    };
    let sign_out = || browser.submit("nav.user form button");

    // The foundation's officer sets up two-factor sign-in, then signs in with it.
    sign_in("foundation", None).await;
    let url = browser.url().await;
    assert_eq!(url, format!("{base}/"), "the session cookie works in a real browser: {}", browser.source().await);
    browser.go(&format!("{base}/two-factor")).await;
    let secret = browser.text("code.secret").await;
    browser.fill("input[name=code]", &totp_now(&secret)).await;
    browser.submit("form.sign-in button[type=submit]").await;
    sign_out().await;
    sign_in("foundation", None).await;
    assert!(browser.source().await.contains("サインインできませんでした"), "the password alone no longer works");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let step = todoke_app::totp::step_of(jiff::Timestamp::now().as_second()) + 1;
    sign_in("foundation", Some(todoke_app::totp::code_at(&crate::base32_decode(&secret), step))).await;
    assert_eq!(browser.url().await, format!("{base}/"));

    // The demo case: 春日部市's final report on day 60.
    browser.go(&format!("{base}/cases/{demo_case}")).await;
    assert!(browser.source().await.contains("2024-04-01"));
    // Found not malicious: the deadline moves to day 30, and the page says so.
    browser.click("select[name=malicious] option[value=no]").await;
    browser.submit("form.facts-form button[type=submit]").await;
    let page = browser.source().await;
    assert!(
        page.contains("春日部市ほか31団体：確報の期限 2024-04-01 → 2024-03-01"),
        "the deadline moved, said once for the cities"
    );
    let png = browser.screenshot().await;
    assert!(png.starts_with(b"\x89PNG"));
    let _ = std::fs::write(concat!(env!("CARGO_TARGET_TMPDIR"), "/case-page.png"), &png);
    sign_out().await;

    // 春日部市 sees its own share and nothing of 越谷市 or of another case.
    sign_in("kasukabe", None).await;
    browser.go(&format!("{base}/cases/{demo_case}")).await;
    let page = browser.source().await;
    assert!(
        page.contains("<h3>春日部市 ") && !page.contains("<h3>越谷市 "),
        "only its own share, at {}: {}",
        browser.url().await,
        page.chars().take(600).collect::<String>()
    );
    // The city opens a case of its own with the guided form and sees its final report's day 30.
    browser.go(&format!("{base}/cases/new")).await;
    browser.fill("input[name=title]", "健診結果の誤送付").await;
    browser.click("select[name=cause] option[value=misdelivery_post]").await;
    browser.fill("input[name=known_on]", "令和6年5月1日").await;
    browser.fill("textarea[name=data_items]", "氏名、健診結果").await;
    browser.click("select[name=sensitive] option[value=yes]").await;
    browser.submit("form.new-case button[type=submit]").await;
    let page = browser.source().await;
    assert!(
        browser.url().await.starts_with(&format!("{base}/cases/")) && page.contains("健診結果の誤送付"),
        "the new case, at {}",
        browser.url().await
    );
    assert!(page.contains("<h3>春日部市 ") && page.contains("2024-05-30"), "its final report on day 30");
    browser.go(&format!("{base}/cases/{demo_case}")).await;
    // The display switch is remembered by this browser: English, dates in 和暦, on every page.
    browser.click("form.prefs select[name=lang] option[value=en]").await;
    browser.click("form.prefs select[name=dates] option[value=wareki]").await;
    browser.submit("form.prefs button[type=submit]").await;
    assert_eq!(browser.url().await, format!("{base}/cases/{demo_case}"), "back on the page it was switched on");
    let page = browser.source().await;
    assert!(page.contains("<html lang=\"en\"") && page.contains("Parties and their obligations"), "English");
    assert!(page.contains("令和6年"), "dates in 和暦");
    browser.go(&format!("{base}/")).await;
    assert!(browser.source().await.contains("Japan Standard Time"), "remembered on the next page");
    browser.click("form.prefs select[name=lang] option[value=ja]").await;
    browser.submit("form.prefs button[type=submit]").await;
    browser.go(&format!("{base}/cases/{other_case}")).await;
    assert!(browser.source().await.contains("見つかりません"));
    // A caller asks whether they are affected, giving the birth date in 和暦.
    browser.go(&format!("{base}/cases/{demo_case}/lookup")).await;
    browser.fill("input[name=name_kana]", "たかはし はなこ").await;
    browser.fill("input[name=birth_date]", "昭和45年3月1日").await;
    browser.submit("form.lookup-form button[type=submit]").await;
    assert!(browser.text("#lookup-result").await.contains("春日部市"), "{}", browser.source().await);
    // The city uploads a Shift_JIS list through the form: it goes up with progress shown, and the
    // answer replaces the page in place (the page is never reloaded, so a reload cannot post twice).
    let list = dir.path().join("kasukabe-list.csv");
    let csv = "氏名,フリガナ,生年月日,郵便番号,住所\r\n春日 花子,カスカベ ハナコ,昭和50年4月1日,344-0067,春日部市中央1-1\r\n山田 次郎,ヤマダ ジロウ,不明,,\r\n";
    std::fs::write(&list, encoding_rs::SHIFT_JIS.encode(csv).0).unwrap();
    browser.go(&format!("{base}/cases/{demo_case}/people")).await;
    browser.wait_until("window.todokeUploadForms").await;
    browser.script("window.todokeOldPage = true; return true;").await;
    browser.choose_file("form.upload-form input[type=file]", &list).await;
    browser.click("form.upload-form button[type=submit]").await;
    browser.wait_until("document.querySelector('#import-result')").await;
    let result = browser.text("#import-result").await;
    assert!(result.contains("春日部市") && result.contains("upload.csv:3"), "{result}");
    assert_eq!(browser.script("return window.todokeOldPage === true;").await, serde_json::json!(true), "no reload");
    assert_eq!(browser.url().await, format!("{base}/cases/{demo_case}/people"));
    browser.go(&format!("{base}/api/v1/cases/{demo_case}/assessment")).await;
    let json = browser.text("body").await;
    assert!(json.contains("春日部市") && !json.contains("越谷市"), "the API agrees");

    // The city logs a call to its desk and claims its costs.
    browser.go(&format!("{base}/cases/{demo_case}/inquiries")).await;
    browser.script("document.querySelector('input[name=received_at]').value = '2024-05-27T10:15'; return true;").await;
    browser.fill("input[name=topic]", "ブラウザからの問合せ試験").await;
    browser.fill("textarea[name=answer]", "通知の内容を説明").await;
    browser.submit("form.inquiry-form button[type=submit]").await;
    assert!(browser.source().await.contains("ブラウザからの問合せ試験"), "the call is logged");
    browser.go(&format!("{base}/cases/{demo_case}/costs")).await;
    browser.click("form.cost-form select[name=category] option[value=call_center]").await;
    browser.fill("form.cost-form input[name=description]", "コールセンター委託費（試験）").await;
    browser.fill("form.cost-form input[name=quantity]", "1").await;
    browser.fill("form.cost-form input[name=unit_yen]", "10000").await;
    browser.submit("form.cost-form button[type=submit]").await;
    browser.submit("form:has(input[name=to][value=submitted]) button[type=submit]").await;
    let costs = browser.source().await;
    assert!(costs.contains("コールセンター委託費（試験）") && costs.contains("10,000"), "the claim is made: {costs}");
    assert!(costs.contains("state-submitted"), "and submitted: {costs}");

    // The city plans its notices, has its letters printed in the background and downloads them;
    // it posts them and records one that came back, by the number printed on the letter.
    let campaign = format!("{base}/cases/{demo_case}/campaign");
    browser.go(&campaign).await;
    browser.submit("form.campaign-plan-form button[type=submit]").await;
    browser.submit("form.campaign-letters-form button[type=submit]").await;
    let mut letters = String::new();
    for _ in 0..120 {
        browser.go(&campaign).await;
        let href = browser.script("const a = document.querySelector('a.letter-batch'); return a ? a.href : '';").await;
        if let Some(href) = href.as_str().filter(|h| !h.is_empty()) {
            letters = href.to_string();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(!letters.is_empty(), "the letters were printed: {}", browser.source().await);
    let get = |url: String| {
        format!(
            "const x = new XMLHttpRequest(); x.open('GET', {url:?}, false); x.send(); \
             return [x.status, x.getResponseHeader('content-type'), x.responseText];"
        )
    };
    let pdf = browser.script(&get(letters.clone())).await;
    assert_eq!((&pdf[0], &pdf[1]), (&serde_json::json!(200), &serde_json::json!("application/pdf")));
    assert!(pdf[2].as_str().unwrap().starts_with("%PDF-"), "a PDF");
    let handoff = browser
        .script(&get(format!("{campaign}/handoff.csv?party=%E6%98%A5%E6%97%A5%E9%83%A8%E5%B8%82&encoding=utf8")))
        .await;
    let file = handoff[2].as_str().unwrap().to_string();
    let notice = file.lines().nth(1).and_then(|l| l.split(',').next()).unwrap().to_string();
    browser.submit("form.campaign-posted-form button[type=submit]").await;
    browser.fill("form.campaign-return-form input[name=notice]", &notice).await;
    browser.click("form.campaign-return-form select[name=reason] option[value=moved-unknown]").await;
    browser.submit("form.campaign-return-form button[type=submit]").await;
    let page = browser.source().await;
    assert!(page.contains(&notice) && page.contains("campaign-problems"), "the return is listed: {page}");

    // 越谷市 sees none of it: not the list, not the call, not the claim, not the letters.
    sign_out().await;
    sign_in("koshigaya", None).await;
    browser.go(&format!("{base}/cases/{demo_case}/people")).await;
    assert!(!browser.source().await.contains("春日部市"), "no other city's list");
    browser.go(&format!("{base}/cases/{demo_case}/inquiries")).await;
    assert!(!browser.source().await.contains("ブラウザからの問合せ試験"), "no other city's calls");
    browser.go(&format!("{base}/cases/{demo_case}/costs")).await;
    assert!(!browser.source().await.contains("コールセンター委託費"), "no other city's claim");
    browser.go(&format!("{base}/cases/{demo_case}/portal")).await;
    let portal = browser.source().await;
    assert!(portal.contains("越谷市") && !portal.contains("春日部市"), "its own portal only");
    browser.go(&campaign).await;
    let page = browser.source().await;
    assert!(!page.contains(&notice) && !page.contains("letter-batch"), "no other city's letters or returns");
    let pdf = browser.script(&get(letters)).await;
    assert_eq!(pdf[0], serde_json::json!(404), "nor their PDF");

    browser.close().await;
    let _ = stop.send(());
    let _ = server.await;
}
