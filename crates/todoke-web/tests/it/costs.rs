//! Cost claims and the consignor portal: a city writes and submits its own claim, the handler
//! approves and pays it, and another city sees nothing of it anywhere.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use todoke_store::IncidentStore;

async fn party_id(app: &App, name: &str) -> String {
    let id = app.demo_case.parse().unwrap();
    app.store.parties(id).await.unwrap().into_iter().find(|p| p.party.name == name).unwrap().id.to_string()
}

#[tokio::test]
async fn a_city_claims_the_handler_approves_and_pays_and_another_city_sees_nothing() {
    let app = App::new().await;
    let costs = format!("/cases/{}/costs", app.demo_case);
    let kasukabe = party_id(&app, "春日部市").await;
    let city = app.sign_in("kasukabe").await;
    // The city's dashboard leads to its portal; the foundation's (the whole case) does not need one.
    let portal_link = format!("/cases/{}/portal", app.demo_case);
    assert!(app.get("/", Some(&city)).await.2.contains(&portal_link));
    let foundation = app.sign_in("foundation").await;
    assert!(!app.get("/", Some(&foundation)).await.2.contains(&portal_link));
    let (status, _, page) = app.get(&costs, Some(&city)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("春日部市") && !page.contains("越谷市"), "a city sees its own claim only");
    let csrf = csrf_in(&page);

    // Lines: the notice costs from the campaign (nothing sent yet: no line), then two by hand.
    let form = format!("csrf={csrf}&party={kasukabe}");
    assert_eq!(app.post_form(&format!("{costs}/refresh"), Some(&city), &form).await.0, StatusCode::SEE_OTHER);
    for line in [
        "category=printing&description=封筒印刷&quantity=1,000&unit_yen=20",
        "category=call_center&description=コールセンター&quantity=1&unit_yen=300000",
    ] {
        let form = format!("csrf={csrf}&party={kasukabe}&{line}");
        let (status, _, body) = app.post_form(&format!("{costs}/lines"), Some(&city), &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let (status, _, body) = app
        .post_form(
            &format!("{costs}/lines"),
            Some(&city),
            &format!("csrf={csrf}&party={kasukabe}&category=other&description=x&quantity=-1&unit_yen=1"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // No token, no change.
    let (status, _, _) = app
        .post_form(
            &format!("{costs}/lines"),
            Some(&city),
            &format!("csrf=x&party={kasukabe}&category=other&description=x&quantity=1&unit_yen=1"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, page) = app.get(&costs, Some(&city)).await;
    assert!(page.contains("<th class=\"claim-total\">320,000</th>"), "{page}");

    // A city cannot approve its own claim; it submits it.
    let approve = format!("csrf={csrf}&party={kasukabe}&from=submitted&to=approved");
    let submit = format!("csrf={csrf}&party={kasukabe}&from=draft&to=submitted");
    assert_eq!(app.post_form(&format!("{costs}/move"), Some(&city), &approve).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form(&format!("{costs}/move"), Some(&city), &submit).await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        app.post_form(&format!("{costs}/move"), Some(&city), &submit).await.0,
        StatusCode::CONFLICT,
        "submitted once"
    );
    let add = format!("csrf={csrf}&party={kasukabe}&category=other&description=x&quantity=1&unit_yen=1");
    assert_eq!(
        app.post_form(&format!("{costs}/lines"), Some(&city), &add).await.0,
        StatusCode::CONFLICT,
        "locked once submitted"
    );

    // Another city: not found for the first's claim, nothing of it on its pages.
    let other = app.sign_in("koshigaya").await;
    let (_, _, page) = app.get(&costs, Some(&other)).await;
    let other_csrf = csrf_in(&page);
    assert!(!page.contains("春日部市") && !page.contains("320,000"), "{page}");
    let invoice = format!("{costs}/{kasukabe}/invoice");
    assert_eq!(app.get(&invoice, Some(&other)).await.0, StatusCode::NOT_FOUND);
    let theirs = format!("csrf={other_csrf}&party={kasukabe}&category=other&description=x&quantity=1&unit_yen=1");
    assert_eq!(app.post_form(&format!("{costs}/lines"), Some(&other), &theirs).await.0, StatusCode::NOT_FOUND);
    let theirs = format!("csrf={other_csrf}&party={kasukabe}&from=submitted&to=returned");
    assert_eq!(app.post_form(&format!("{costs}/move"), Some(&other), &theirs).await.0, StatusCode::NOT_FOUND);
    let (status, _, portal) = app.get(&format!("/cases/{}/portal", app.demo_case), Some(&other)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        portal.contains("<h2>越谷市</h2>") && !portal.contains("春日部市") && !portal.contains("320,000"),
        "{portal}"
    );

    // The handler sees every claim with totals, approves and pays.
    let handler = app.sign_in("foundation").await;
    let (_, _, page) = app.get(&costs, Some(&handler)).await;
    assert!(page.contains("春日部市") && page.contains("越谷市") && page.contains("320,000"), "{page}");
    let csrf = csrf_in(&page);
    let approve = format!("csrf={csrf}&party={kasukabe}&from=submitted&to=approved");
    assert_eq!(app.post_form(&format!("{costs}/move"), Some(&handler), &approve).await.0, StatusCode::SEE_OTHER);
    let pay = format!("csrf={csrf}&party={kasukabe}&from=approved&to=paid&paid_on=2024-09-30");
    assert_eq!(app.post_form(&format!("{costs}/move"), Some(&handler), &pay).await.0, StatusCode::SEE_OTHER);
    let (status, headers, body) = app.get(&format!("{invoice}?download=1"), Some(&handler)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    assert!(body.contains("請求書") && body.contains("320,000"), "{body}");
    let (status, _, body) = app.get(&format!("{invoice}?format=pdf"), Some(&handler)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no fonts, no PDF");
    assert!(body.contains("fonts-ipaexfont"), "{body}");

    // The city's portal shows its claim paid.
    let (_, _, portal) = app.get(&format!("/cases/{}/portal", app.demo_case), Some(&city)).await;
    assert!(portal.contains("<span class=\"claim-state\">支払済</span>") && !portal.contains("越谷市"), "{portal}");
}

#[tokio::test]
async fn the_invoice_downloads_as_pdf() {
    let app = App::new_with(|state| state.with_fonts(todoke_app::fonts::system_fonts().unwrap())).await;
    let kasukabe = party_id(&app, "春日部市").await;
    let costs = format!("/cases/{}/costs", app.demo_case);
    let city = app.sign_in("kasukabe").await;
    let page = app.get(&costs, Some(&city)).await.2;
    let line =
        format!("csrf={}&party={kasukabe}&category=printing&description=印刷&quantity=2&unit_yen=5000", csrf_in(&page));
    assert_eq!(app.post_form(&format!("{costs}/lines"), Some(&city), &line).await.0, StatusCode::SEE_OTHER);
    let invoice = format!("{costs}/{kasukabe}/invoice?format=pdf");
    let page = app.get(&costs, Some(&city)).await.2;
    assert!(page.contains(&invoice.replace('&', "&amp;")) || page.contains(&invoice), "{page}");
    let (status, headers, body) = app.get(&invoice, Some(&city)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers.get("content-type").unwrap(), "application/pdf");
    assert!(headers.get("content-disposition").unwrap().to_str().unwrap().ends_with(".pdf\""));
    assert!(body.starts_with("%PDF-"));
    let other = app.sign_in("koshigaya").await;
    assert_eq!(app.get(&invoice, Some(&other)).await.0, StatusCode::NOT_FOUND);
}
