//! Opening a case from the answers of the guided form (判断フロー): the answers become a facts
//! file, read by the same reader and held to the same checks as a file imported from the command
//! line, so a case opened in the browser is never looser than one imported.

use crate::AppError;
use todoke_core::facts::parse_facts;
use todoke_core::{Cause, Date, EventKind, Incident, IncidentId, OrgType, Task, TaskKind, TaskStatus};
use todoke_rules::{ObligationKind, Options, Packs, assess};
use todoke_store::{Actor, IncidentStore};
use toml::{Table, Value};

/// A consignor (委託元) of the organization where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consignor {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub org_type: OrgType,
    /// The day it knew (知った日), when it knew later than the organization where it happened.
    pub known_on: Option<Date>,
}

/// What the guided form asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// The case's name.
    pub title: String,
    /// What happened, in a few sentences.
    pub summary: Option<String>,
    /// 漏えい, 滅失 or 毀損.
    pub event: EventKind,
    /// Only feared, not yet proven (おそれ).
    pub suspected: bool,
    /// The cause.
    pub cause: Cause,
    /// The data items, in the organization's words.
    pub data_items: Vec<String>,
    /// 要配慮個人情報, when the answer is known (else derived from the items).
    pub sensitive: Option<bool>,
    /// 財産的被害のおそれ, when known (else derived from the items).
    pub financial_risk: Option<bool>,
    /// How many people at most; `None` when unknown.
    pub persons: Option<u64>,
    /// 高度な暗号化 with the key safe.
    pub encrypted: bool,
    /// 特定個人情報 (My Number) involved.
    pub my_number: bool,
    /// The organization where it happened, and its kind.
    pub handler: (String, OrgType),
    /// The day it knew (知った日, day 1 of every count).
    pub known_on: Date,
    /// Its consignors.
    pub consignors: Vec<Consignor>,
    /// Whether the case starts with the usual response checklist ([`checklist`]).
    pub checklist: bool,
}

impl NewCase {
    /// The facts file of these answers.
    pub fn to_toml(&self) -> String {
        let mut top = Table::new();
        top.insert("title".into(), self.title.trim().into());
        if let Some(summary) = self.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            top.insert("summary".into(), summary.into());
        }
        top.insert("event".into(), self.event.key().into());
        top.insert("suspected".into(), self.suspected.into());
        top.insert("cause".into(), self.cause.key().into());
        let items: Vec<Value> = self.data_items.iter().map(|i| Value::from(i.trim())).collect();
        top.insert("data_items".into(), Value::Array(items));
        for (key, answer) in [("sensitive", self.sensitive), ("financial_risk", self.financial_risk)] {
            if let Some(answer) = answer {
                top.insert(key.into(), answer.into());
            }
        }
        if let Some(persons) = self.persons {
            top.insert("persons".into(), i64::try_from(persons).unwrap_or(i64::MAX).into());
        }
        top.insert("encrypted".into(), self.encrypted.into());
        top.insert("my_number".into(), self.my_number.into());
        let party = |name: &str, org_type: OrgType, role: &str, known_on: Date| {
            let mut t = Table::new();
            t.insert("name".into(), name.trim().into());
            t.insert("type".into(), org_type.key().into());
            t.insert("role".into(), role.into());
            t.insert("known_on".into(), known_on.to_string().into());
            Value::Table(t)
        };
        let mut parties = vec![party(&self.handler.0, self.handler.1, "handler", self.known_on)];
        for c in &self.consignors {
            parties.push(party(&c.name, c.org_type, "consignor", c.known_on.unwrap_or(self.known_on)));
        }
        top.insert("parties".into(), Value::Array(parties));
        toml::to_string(&top).unwrap_or_default()
    }

    /// The checked facts, or what is wrong, named by its key (`parties[2].name`) without the line
    /// of a file the user never saw.
    pub fn facts(&self) -> Result<Incident, AppError> {
        parse_facts(&self.to_toml()).map_err(|e| match e.key {
            Some(key) => AppError::Invalid(format!("{key}: {}", e.message)),
            None => AppError::Invalid(e.message),
        })
    }
}

/// Opens the case: checks the answers and stores the facts; the organization where it happened
/// owns it.
pub async fn open_case<S: IncidentStore + Sync>(
    store: &S,
    actor: &Actor,
    case: &NewCase,
) -> Result<IncidentId, AppError> {
    if case.title.trim().is_empty() {
        return Err(AppError::Invalid("title: the case needs a name".into()));
    }
    if case.data_items.iter().all(|i| i.trim().is_empty()) {
        return Err(AppError::Invalid("data_items: name at least one item (氏名, 住所, 病歴 …)".into()));
    }
    let mut facts = case.facts()?;
    if case.checklist {
        facts.tasks = checklist(&facts)?;
    }
    Ok(store.create_incident(actor, &facts).await?)
}

/// The usual first steps of a response, with the dates the assessment gives them: containment,
/// the reports where they are due, the consignors' notice, the individuals' notice, the inquiry desk
/// and the publication decision; then the recurrence-prevention measures (再発防止策) the cause
/// usually calls for. Each is an open task the case page tracks like any other.
pub fn checklist(facts: &Incident) -> Result<Vec<Task>, AppError> {
    let assessment = assess(facts, &Packs::embedded()?, &Options::default())?;
    let handler = facts.handler().map(|p| p.name.clone());
    let mine = || assessment.parties.iter().filter(|p| Some(&p.party) == handler.as_ref());
    let reportable = mine().any(|p| p.reportable && !p.voluntary);
    let obligation = |kind: ObligationKind| mine().flat_map(|p| &p.obligations).find(|o| o.kind == kind);
    let preliminary_by = obligation(ObligationKind::PreliminaryReport).and_then(|o| o.window.as_ref()).map(|w| w.to);
    let final_by =
        obligation(ObligationKind::FinalReport).and_then(|o| o.due.as_deref()).and_then(|d| d.parse::<Date>().ok());
    let has_consignors = facts.parties.iter().any(|p| p.role == todoke_core::PartyRole::Consignor);

    let mut steps: Vec<(TaskKind, &str, Option<Date>)> =
        vec![(TaskKind::Action, "被害の拡大防止（ネットワークの遮断、アカウントの停止、回収など）", None)];
    if reportable {
        steps.push((TaskKind::Action, "速報を個人情報保護委員会へ提出", preliminary_by));
        steps.push((TaskKind::Action, "確報を個人情報保護委員会へ提出", final_by));
        steps.push((TaskKind::Action, "本人への通知の準備（対象者の名簿、通知文、送付方法）", None));
    }
    if has_consignors {
        steps.push((TaskKind::Action, "委託元への事態の通知（法第26条第1項ただし書）", preliminary_by));
    }
    steps.push((TaskKind::Action, "問合せ窓口の設置と想定問答の作成", None));
    steps.push((TaskKind::Action, "公表の要否と内容の判断", None));
    let prevention: &[&str] = match facts.cause {
        Cause::Ransomware => {
            &["侵入経路の特定と脆弱性の解消（VPN機器の更新、多要素認証など）", "バックアップの隔離と復旧手順の見直し"]
        }
        Cause::UnauthorizedAccess | Cause::Malware => {
            &["侵入経路の特定と脆弱性の解消（VPN機器の更新、多要素認証など）"]
        }
        Cause::WebMisconfiguration => &["公開設定の点検手順と変更時の確認の整備"],
        Cause::MisdeliveryEmail => &["メール送信時の確認手順の見直し（宛先の二重確認、一斉送信時のBCCなど）"],
        Cause::MisdeliveryPost => &["封入・発送時の確認手順の見直し（ダブルチェック）"],
        Cause::Loss | Cause::Theft => &["持ち出しと保管のルール、媒体の暗号化の見直し"],
        Cause::Insider => &["アクセス権限と操作ログの監視の見直し"],
        Cause::VendorIncident => &["委託先の監督（安全管理措置の確認）の見直し"],
        Cause::Bug | Cause::Other => &["原因の究明と再発防止策の策定"],
    };
    steps.extend(prevention.iter().map(|title| (TaskKind::Prevention, *title, None)));
    steps.push((TaskKind::Prevention, "従業者への教育と周知", None));
    Ok(steps
        .into_iter()
        .map(|(kind, title, due)| Task {
            kind,
            title: title.to_string(),
            owner: handler.clone(),
            due,
            status: TaskStatus::Open,
            evidence: None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_rules::{ObligationKind, Options, Packs, assess};
    use todoke_store::OrgStore;
    use todoke_store::testkit::{actor, sqlite_store};

    fn answers() -> NewCase {
        NewCase {
            title: "検診画像の漏えい（ランサムウェア）".into(),
            summary: Some("読影システムがランサムウェアに感染した。".into()),
            event: EventKind::Leak,
            suspected: true,
            cause: Cause::Ransomware,
            data_items: vec!["氏名".into(), "生年月日".into(), "検診結果".into()],
            sensitive: Some(true),
            financial_risk: None,
            persons: Some(18950),
            encrypted: false,
            my_number: false,
            handler: ("公益財団法人テスト事業団".into(), OrgType::Business),
            known_on: jiff::civil::date(2024, 1, 29),
            consignors: vec![
                Consignor { name: "春日部市".into(), org_type: OrgType::PublicBody, known_on: None },
                Consignor {
                    name: "越谷市".into(),
                    org_type: OrgType::PublicBody,
                    known_on: Some(jiff::civil::date(2024, 2, 1)),
                },
            ],
            checklist: true,
        }
    }

    #[tokio::test]
    async fn the_answers_open_a_case_assessed_like_an_imported_one() {
        let (store, _dir) = sqlite_store().await;
        let id = open_case(&store, &actor(), &answers()).await.unwrap();
        let record = store.incident(id).await.unwrap();
        let owner = store.organizations().await.unwrap().into_iter().find(|o| o.id == record.owner).unwrap();
        assert_eq!(owner.name, "公益財団法人テスト事業団");
        let names: Vec<_> = record.facts.parties.iter().map(|p| (p.name.as_str(), p.known_on.to_string())).collect();
        assert_eq!(
            names,
            [
                ("公益財団法人テスト事業団", "2024-01-29".to_string()),
                ("春日部市", "2024-01-29".to_string()),
                ("越谷市", "2024-02-01".to_string())
            ]
        );
        // Sensitive data of 18,950 people: every party must report; the final report counts from
        // each one's own day 1.
        let assessment = assess(&record.facts, &Packs::embedded().unwrap(), &Options::default()).unwrap();
        let final_due = |party: &str| {
            assessment
                .parties
                .iter()
                .filter(|p| p.party == party && p.reportable)
                .flat_map(|p| &p.obligations)
                .find(|o| o.kind == ObligationKind::FinalReport)
                .and_then(|o| o.due.clone())
        };
        assert!(final_due("春日部市").is_some() && final_due("越谷市").is_some());
        assert!(final_due("春日部市") < final_due("越谷市"), "越谷市 knew later");

        // It starts with the usual checklist, dated from the assessment.
        let tasks = &record.facts.tasks;
        let task = |title: &str| tasks.iter().find(|t| t.title.starts_with(title)).unwrap_or_else(|| panic!("{title}"));
        let handler_final = final_due("公益財団法人テスト事業団").unwrap();
        assert_eq!(task("確報を").due.map(|d| d.to_string()), Some(handler_final));
        assert!(task("速報を").due.is_some() && task("委託元への").due.is_some());
        assert_eq!(task("バックアップの隔離").kind, TaskKind::Prevention, "ransomware's own measure");
        assert!(
            tasks
                .iter()
                .all(|t| t.status == TaskStatus::Open && t.owner.as_deref() == Some("公益財団法人テスト事業団"))
        );
        // Without it, none; a case with nothing to report has no report tasks.
        let bare = open_case(&store, &actor(), &NewCase { checklist: false, ..answers() }).await.unwrap();
        assert!(store.incident(bare).await.unwrap().facts.tasks.is_empty());
        let minor = NewCase {
            persons: Some(3),
            sensitive: Some(false),
            financial_risk: Some(false),
            cause: Cause::MisdeliveryPost,
            data_items: vec!["氏名".into()],
            consignors: Vec::new(),
            ..answers()
        };
        let minor = open_case(&store, &actor(), &minor).await.unwrap();
        let titles: Vec<String> =
            store.incident(minor).await.unwrap().facts.tasks.into_iter().map(|t| t.title).collect();
        assert!(!titles.iter().any(|t| t.contains("速報") || t.contains("委託元")), "{titles:?}");
        assert!(titles.iter().any(|t| t.contains("ダブルチェック")), "{titles:?}");
    }

    #[tokio::test]
    async fn a_wrong_answer_is_named_by_its_field_and_nothing_is_stored() {
        let (store, _dir) = sqlite_store().await;
        let mut twice = answers();
        twice.consignors.push(Consignor { name: "春日部市".into(), org_type: OrgType::PublicBody, known_on: None });
        let error = open_case(&store, &actor(), &twice).await.unwrap_err().to_string();
        assert!(error.contains("parties") && error.contains("春日部市") && !error.contains("line "), "{error}");
        let empty = NewCase { data_items: vec![" ".into()], ..answers() };
        assert!(open_case(&store, &actor(), &empty).await.unwrap_err().to_string().contains("data_items"));
        let unnamed = NewCase { title: " ".into(), ..answers() };
        assert!(open_case(&store, &actor(), &unnamed).await.unwrap_err().to_string().contains("title"));
        assert!(store.incidents().await.unwrap().is_empty());
    }
}
