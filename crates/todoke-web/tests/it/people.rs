//! A city's list uploaded in the browser (Shift_JIS CSV), its rows stored or named as rejected,
//! its people shown masked, one shown in full with an audit entry; another city sees none of it.

use crate::{App, csrf_in};
use axum::http::StatusCode;
use todoke_store::AuditStore;

fn list() -> Vec<u8> {
    let csv = "委託元,氏名,フリガナ,生年月日,郵便番号,住所\r\n\
               春日部市,高橋 花子,タカハシ ハナコ,S45.3.1,344-0067,埼玉県春日部市中央6-2\r\n\
               春日部市,山田 太郎,ヤマダ タロウ,昭和九十年,344-0067,埼玉県春日部市中央1-1\r\n\
               越谷市,鈴木 一郎,スズキ イチロウ,1960-01-02,343-0813,埼玉県越谷市越ヶ谷1-1\r\n";
    encoding_rs::SHIFT_JIS.encode(csv).0.into_owned()
}

async fn upload(app: &App, cookie: &str, party: &str) -> (StatusCode, String) {
    let page = format!("/cases/{}/people", app.demo_case);
    let (_, _, body) = app.get(&page, Some(cookie)).await;
    let boundary = "----people";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"party\"\r\n\r\n{party}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\n\r\n",
        csrf_in(&body)
    )
    .into_bytes();
    form.extend_from_slice(&list());
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (status, _, body) = app.request("POST", &page, Some(cookie), &[("content-type", &content_type)], form).await;
    (status, body)
}

#[tokio::test]
async fn a_city_uploads_its_list_and_sees_it_masked() {
    let app = App::new().await;
    let kasukabe = app.sign_in("kasukabe").await;
    let (status, body) = upload(&app, &kasukabe, "春日部市").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("登録 1 · 登録済み 0 · 使えない行 2"), "{body}");
    assert!(body.contains("upload.csv:3:"), "the bad date is named by line: {body}");
    assert!(body.contains("upload.csv:4:"), "越谷市's row is not 春日部市's: {body}");
    let (_, body) = upload(&app, &kasukabe, "春日部市").await;
    assert!(body.contains("登録 0 · 登録済み 1"), "nothing twice: {body}");
    assert!(body.contains("<td>高橋 ●●</td><td>1970-●●-●●</td>"), "{body}");
    assert!(!body.contains("花子"), "masked");
    // A city cannot upload for another: to it, that list is not there.
    let (status, _) = upload(&app, &kasukabe, "越谷市").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Shown in full on request, with an audit entry.
    let person = body.split("/people/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let reveal = format!("/cases/{}/people/{person}/reveal", app.demo_case);
    let (status, _, shown) = app.post_form(&reveal, Some(&kasukabe), &format!("csrf={}", csrf_in(&body))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown.contains("高橋 花子（タカハシ ハナコ）") && shown.contains("1970-03-01"), "{shown}");
    let log = app.store.audit_entries(0, 10_000).await.unwrap();
    assert!(log.iter().any(|e| e.action == "people.reveal" && e.object == format!("person:{person}")));

    // 越谷市 sees nothing of 春日部市's list and cannot reveal its people.
    let koshigaya = app.sign_in("koshigaya").await;
    let (_, _, page) = app.get(&format!("/cases/{}/people", app.demo_case), Some(&koshigaya)).await;
    assert!(!page.contains("高橋") && !page.contains("<h2>春日部市"), "{page}");
    let (status, _, _) = app.post_form(&reveal, Some(&koshigaya), &format!("csrf={}", csrf_in(&page))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
