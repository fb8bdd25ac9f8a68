//! Deadline reminders. The people of each party get an e-mail as each of the party's dated
//! obligations comes near — 7, 3 and 1 days before and on the day — and once more when it has
//! passed, until the report is recorded as filed. Each reminder goes out once however often
//! reminders run (the store records what was sent), so `todoke remind` can run from cron every
//! hour, and `todoke serve --reminders` runs them itself.
//!
//! A party's reminders go to its own organization's members who work the case (staff, officers)
//! and have an address: each consignor hears of its own obligations only. Once a party's date has
//! passed, the organization that owns the case gets a copy (escalation): the foundation learns which
//! of its consignor cities is late, and nobody else does.

use crate::AppError;
use crate::campaign::{Pace, SmtpConfig};
use jiff::civil::Date;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{Address, AsyncTransport, Message};
use serde::Serialize;
use todoke_core::{OrgId, ReportKind, Role};
use todoke_rules::{Obligation, ObligationKind, Options, Packs, Status, assess};
use todoke_store::{Actor, CaseSnapshot, Contact, IncidentStore, ReminderKey, ReminderStore, UserStore};

/// The days before the due date a reminder goes out at; [`OVERDUE`] once it has passed.
pub const STAGES: [i64; 4] = [7, 3, 1, 0];

/// The stage of a reminder sent once the due date has passed.
pub const OVERDUE: i64 = -1;

/// The stage due with `days_left`: the nearest stage not before it (a run missed on day 7 still
/// reminds on day 5), [`OVERDUE`] after the date, none more than 7 days ahead.
pub fn stage_of(days_left: i64) -> Option<i64> {
    if days_left < 0 {
        return Some(OVERDUE);
    }
    STAGES.iter().rev().copied().find(|stage| *stage >= days_left)
}

/// A reminder due: which obligation of which party, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// What the store records it by.
    pub key: ReminderKey,
    /// The incident's title.
    pub title: String,
    /// The party's name.
    pub party: String,
    /// The party's organization, whose members get it.
    pub org: OrgId,
    /// The organization that owns the case, when it gets a copy: the date has passed and the party
    /// is not its own.
    pub escalate_to: Option<(OrgId, String)>,
    /// What is due.
    pub kind: ObligationKind,
    /// To whom (as users read it).
    pub recipient: String,
    /// The due date (a date, or a date and time for hour deadlines).
    pub due: String,
    /// Days left (negative when overdue).
    pub days_left: i64,
    /// The legal basis.
    pub basis: String,
}

impl Reminder {
    fn when(&self) -> String {
        match self.days_left {
            0 => "本日が期限".to_string(),
            d if d > 0 => format!("あと{d}日"),
            d => format!("{}日超過", -d),
        }
    }

    /// The e-mail's subject.
    pub fn subject(&self) -> String {
        format!("【期限のお知らせ】{} {} {}（{}）", self.party, self.kind.label(true), self.due, self.when())
    }

    /// The e-mail's text; with the address the site is reached at, a link to the case. A copy
    /// (escalation) says so first.
    pub fn body(&self, site: Option<&str>, copy: bool) -> String {
        let greeting = match (&self.escalate_to, copy) {
            (Some((_, owner)), true) => {
                format!("{owner} ご担当者様\n\n（写し）{} の次の期限が過ぎています。", self.party)
            }
            _ => format!(
                "{} ご担当者様\n\n次の期限が{}。",
                self.party,
                if self.days_left < 0 { "過ぎています" } else { "近づいています" }
            ),
        };
        let case = match site {
            Some(site) => format!("{}/cases/{}", site.trim_end_matches('/'), self.key.incident),
            None => format!("事案番号: {}", self.key.incident),
        };
        format!(
            "{greeting}\n\n\
             事案: {title}\n\
             対応: {kind}（{recipient}）\n\
             期限: {due}（{when}）\n\
             根拠: {basis}\n\n\
             提出や対応が済んでいれば、todoke に記録してください。記録されると、このお知らせは止まります。\n\
             {case}\n\n\
             このメールは todoke が自動で送っています。\n",
            title = self.title,
            kind = self.kind.label(true),
            recipient = self.recipient,
            due = self.due,
            when = self.when(),
            basis = self.basis,
        )
    }
}

/// The reminders due on `today`: of every incident not erased, each party's dated obligation that
/// is open or overdue, not relieved, not filed, and at a stage of its countdown. Effort duties
/// (voluntary regimes) have no deadlines to remind of.
pub async fn due_reminders<S: IncidentStore + Sync>(store: &S, today: Date) -> Result<Vec<Reminder>, AppError> {
    let packs = Packs::embedded()?;
    let options = Options { as_of: Some(today), japanese: true, ..Options::default() };
    let mut due = Vec::new();
    for summary in store.incidents().await? {
        let case = store.case(summary.id).await?;
        if case.record.erased_at.is_some() {
            continue;
        }
        let assessment = assess(&case.record.facts, &packs, &options)?;
        let owner = case.parties.iter().find(|p| p.org == case.record.owner).map(|p| (p.org, p.party.name.clone()));
        for party in assessment.parties.iter().filter(|p| !p.voluntary) {
            let Some(stored) = case.parties.iter().find(|s| s.party.name == party.party) else { continue };
            for o in &party.obligations {
                let (Some(due_on), Some(days_left), Some(Status::Open | Status::Overdue), None) =
                    (&o.due, o.days_left, o.status, &o.relieved_by)
                else {
                    continue;
                };
                let Some(stage) = stage_of(days_left) else { continue };
                if filed(&case, &party.party, o) {
                    continue;
                }
                due.push(Reminder {
                    key: ReminderKey {
                        incident: case.record.id,
                        party: stored.id,
                        obligation: format!("{}:{}:{}", party.regime, kind_key(o.kind), o.recipient),
                        due: due_on.clone(),
                        stage,
                    },
                    title: case.record.facts.title.clone(),
                    party: party.party.clone(),
                    org: stored.org,
                    escalate_to: owner.clone().filter(|(org, _)| stage == OVERDUE && *org != stored.org),
                    kind: o.kind,
                    recipient: todoke_rules::recipient_label(&o.recipient, true).to_string(),
                    due: due_on.clone(),
                    days_left,
                    basis: o.basis.clone(),
                });
            }
        }
    }
    Ok(due)
}

/// Whether the report an obligation asks for is filed: by the party, or by a party it reports
/// jointly with (連名).
fn filed(case: &CaseSnapshot, party: &str, o: &Obligation) -> bool {
    let kind = match o.kind {
        ObligationKind::PreliminaryReport => ReportKind::Preliminary,
        ObligationKind::FinalReport => ReportKind::Final,
        _ => return false,
    };
    let filers: Vec<&str> = std::iter::once(party).chain(o.joint_with.iter().map(String::as_str)).collect();
    case.reports.iter().any(|(_, r)| {
        r.kind == kind
            && r.submitted_on.is_some()
            && case.parties.iter().any(|p| p.id == r.party && filers.contains(&p.party.name.as_str()))
    })
}

/// `final_report`: the kind as CONTRACTS.md §1 writes it.
fn kind_key(kind: ObligationKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Who gets a reminder: the members of the party's organization who work the case and have an
/// address (not its call center, auditors or administrators); then, marked `true`, those of the
/// owning organization who get a copy.
pub async fn recipients<S: ReminderStore + Sync>(
    store: &S,
    reminder: &Reminder,
) -> Result<Vec<(Contact, bool)>, AppError> {
    let copy_to = reminder.escalate_to.as_ref().map(|(org, _)| (*org, true));
    let mut out: Vec<(Contact, bool)> = Vec::new();
    for (org, copy) in std::iter::once((reminder.org, false)).chain(copy_to) {
        for contact in store.contacts(org).await? {
            let works = matches!(contact.role, Role::HandlerStaff | Role::ConsignorOfficer);
            if works && !out.iter().any(|(c, _)| c.user.id == contact.user.id) {
                out.push((contact, copy));
            }
        }
    }
    Ok(out)
}

/// Sets (or, with `None`, removes) the address the user `login` gets reminders at.
pub async fn set_email<S: ReminderStore + UserStore + Sync>(
    store: &S,
    actor: &Actor,
    login: &str,
    email: Option<&str>,
) -> Result<(), AppError> {
    if let Some(address) = email
        && address.trim().parse::<Address>().is_err()
    {
        return Err(AppError::Invalid(format!("email: `{address}` is not an e-mail address (kenko@city.example.jp)")));
    }
    let user = store.user_by_login(login).await?.ok_or_else(|| AppError::NoSuchUser(login.to_string()))?;
    Ok(store.set_user_email(actor, user.id, email).await?)
}

/// The address users reach todoke at, checked: `https://…` (or `http://…`), without a trailing `/`.
pub fn site_url(text: &str) -> Result<String, AppError> {
    let url = text.trim().trim_end_matches('/');
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(AppError::Invalid(format!(
            "site url: expected https://todoke.example.jp, found `{}`",
            text.trim()
        )));
    }
    Ok(url.to_string())
}

/// What a run of reminders did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RemindReport {
    /// Reminders due today.
    pub due: u64,
    /// Reminders sent in this run.
    pub sent: u64,
    /// E-mails sent in this run (one per person).
    pub messages: u64,
    /// Reminders sent before (by an earlier run).
    pub already_sent: u64,
    /// Reminders nobody could get: the party's organization has nobody with an address.
    pub no_recipient: u64,
    /// Reminders that could not be sent; the next run tries them again.
    pub failed: u64,
}

/// Sends the reminders due on `today` through the server of `config`; `site`, the address users
/// reach todoke at (`https://todoke.example.jp`), gives each a link to its case.
pub async fn send_reminders<S>(
    store: &S,
    actor: &Actor,
    config: &SmtpConfig,
    today: Date,
    site: Option<&str>,
) -> Result<RemindReport, AppError>
where
    S: IncidentStore + ReminderStore + Sync,
{
    config.check()?;
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|_| AppError::Invalid(format!("from: `{}` is not an e-mail address", config.from)))?;
    let reminders = due_reminders(store, today).await?;
    let mut report = RemindReport { due: reminders.len() as u64, ..RemindReport::default() };
    if reminders.is_empty() {
        return Ok(report);
    }
    let transport = config.transport()?;
    // A server that is down is said once, before any reminder is taken.
    if !transport.test_connection().await.unwrap_or(false) {
        return Err(AppError::Invalid(format!("cannot reach the SMTP server {}:{}", config.host, config.port)));
    }
    let mut pace = Pace::new(config.rate_per_second);
    for reminder in &reminders {
        let addresses: Vec<(Address, bool)> = recipients(store, reminder)
            .await?
            .iter()
            .filter_map(|(c, copy)| Some((c.email.parse().ok()?, *copy)))
            .collect();
        if addresses.is_empty() {
            report.no_recipient += 1;
            continue;
        }
        if !store.claim_reminder(actor, &reminder.key, addresses.len() as u64).await? {
            report.already_sent += 1;
            continue;
        }
        let mut delivered = 0;
        for (address, copy) in addresses {
            let message = Message::builder()
                .from(from.clone())
                .to(Mailbox::new(None, address))
                .subject(reminder.subject())
                .header(ContentType::TEXT_PLAIN)
                .body(
                    Body::new_with_encoding(reminder.body(site, copy), ContentTransferEncoding::Base64)
                        .map_err(|_| AppError::Invalid("the reminder cannot be encoded in base64".into()))?,
                )
                .map_err(|e| AppError::Invalid(format!("cannot build the reminder e-mail: {e}")))?;
            pace.wait().await;
            if transport.send(message).await.is_ok() {
                delivered += 1;
            }
        }
        report.messages += delivered;
        if delivered == 0 {
            store.release_reminder(actor, &reminder.key).await?;
            report.failed += 1;
        } else {
            report.sent += 1;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::Security;
    use crate::testkit::SmtpReceiver;
    use std::time::Duration;
    use todoke_store::Store;
    use todoke_store::testkit::{actor, sqlite_store};

    fn config(port: u16) -> SmtpConfig {
        SmtpConfig {
            port,
            rate_per_second: 500.0,
            timeout: Duration::from_secs(10),
            ..SmtpConfig::new("127.0.0.1", Security::None, "todoke <reminders@todoke.example.jp>")
        }
    }

    async fn set_email<D: todoke_store::Db>(store: &Store<D>, login: &str, email: &str) {
        super::set_email(store, &actor(), login, Some(email)).await.unwrap();
    }

    /// The day the demo case's final report (確報) of 春日部市 is due.
    async fn final_report_due<D: todoke_store::Db>(store: &Store<D>) -> (todoke_core::IncidentId, Date) {
        let id = store.incidents().await.unwrap()[0].id;
        let facts = store.incident(id).await.unwrap().facts;
        let assessment = assess(&facts, &Packs::embedded().unwrap(), &Options::default()).unwrap();
        let due = assessment
            .parties
            .iter()
            .filter(|p| p.party == "春日部市")
            .flat_map(|p| &p.obligations)
            .find(|o| o.kind == ObligationKind::FinalReport)
            .and_then(|o| o.due.as_deref())
            .unwrap()
            .parse()
            .unwrap();
        (id, due)
    }

    #[tokio::test]
    async fn each_party_hears_of_its_own_deadlines_once_per_stage_until_it_files() {
        let smtp = SmtpReceiver::start().await;
        let (store, _dir) = sqlite_store().await;
        crate::load_demo(&store, &actor()).await.unwrap();
        for (login, email) in [
            ("kasukabe", "kenko@city.kasukabe.example.jp"),
            ("koshigaya", "hoken@city.koshigaya.example.jp"),
            ("callcenter", "callcenter@foundation.example.jp"),
            ("auditor", "audit@foundation.example.jp"),
        ] {
            set_email(&store, login, email).await;
        }
        let (id, due) = final_report_due(&store).await;

        // Three days before: 春日部市's officer hears of 春日部市's 確報, 越谷市's of 越谷市's.
        let today = due.checked_sub(jiff::Span::new().days(3)).unwrap();
        let report = send_reminders(&store, &actor(), &config(smtp.port), today, None).await.unwrap();
        assert!(report.sent >= 2 && report.failed == 0, "{report:?}");
        assert!(report.no_recipient > 0, "the foundation's staff and the other cities have no address: {report:?}");
        let received = smtp.received();
        assert_eq!(received.len() as u64, report.messages);
        let to = |address: &str| received.iter().filter(|m| m.recipients == [address]).collect::<Vec<_>>();
        let kasukabe = to("kenko@city.kasukabe.example.jp");
        assert!(
            kasukabe.iter().any(|m| m.subject().contains("春日部市 確報") && m.subject().contains("あと3日")),
            "{:?}",
            kasukabe.iter().map(|m| m.subject()).collect::<Vec<_>>()
        );
        assert!(kasukabe.iter().all(|m| m.subject().contains("春日部市") && !m.body().contains("越谷市")));
        assert!(kasukabe[0].body().contains(&id.to_string()) && kasukabe[0].body().contains("個人情報保護委員会"));
        let koshigaya = to("hoken@city.koshigaya.example.jp");
        assert!(!koshigaya.is_empty() && koshigaya.iter().all(|m| m.subject().contains("越谷市")));
        assert!(to("callcenter@foundation.example.jp").is_empty() && to("audit@foundation.example.jp").is_empty());

        // Again the same day: nothing twice.
        let again = send_reminders(&store, &actor(), &config(smtp.port), today, None).await.unwrap();
        assert_eq!((again.sent, again.already_sent), (0, report.sent), "{again:?}");
        assert_eq!(smtp.received().len(), received.len());

        // 春日部市 files its 確報; the day before the date only 越谷市 is reminded of its own.
        let filing = crate::Filing {
            party: "春日部市",
            kind: ReportKind::Final,
            submitted_on: today,
            receipt_number: Some("R-1"),
            content: "確報",
        };
        crate::file_report(&store, &actor(), id, &filing).await.unwrap();
        let day_before = due.checked_sub(jiff::Span::new().days(1)).unwrap();
        let next = send_reminders(&store, &actor(), &config(smtp.port), day_before, Some("https://todoke.example.jp/"))
            .await
            .unwrap();
        let new: Vec<_> = smtp.received().into_iter().skip(received.len()).collect();
        assert!(next.sent >= 1 && !new.is_empty(), "{next:?}");
        assert!(new.iter().all(|m| !m.subject().contains("春日部市 確報")), "filed: no more reminders of it");
        assert!(
            new.iter().any(|m| m.recipients == ["hoken@city.koshigaya.example.jp"] && m.subject().contains("あと1日"))
        );
        let link = format!("https://todoke.example.jp/cases/{id}");
        assert!(new.iter().all(|m| m.body().lines().any(|l| l.trim_end() == link)), "a link: {}", new[0].body());
        let log = todoke_store::AuditStore::audit_entries(&store, 0, 100_000).await.unwrap();
        let sends: Vec<_> = log.iter().filter(|e| e.action == "reminder.send").collect();
        assert_eq!(sends.len() as u64, report.sent + next.sent);
        assert!(sends.iter().all(|e| !e.object.contains('@')), "no address in the audit log");
    }

    #[tokio::test]
    async fn once_a_city_is_late_the_owner_of_the_case_gets_a_copy() {
        let smtp = SmtpReceiver::start().await;
        let (store, _dir) = sqlite_store().await;
        crate::load_demo(&store, &actor()).await.unwrap();
        set_email(&store, "kasukabe", "kenko@city.kasukabe.example.jp").await;
        set_email(&store, "foundation", "privacy@foundation.example.jp").await;
        let (_, due) = final_report_due(&store).await;
        let to = |address: &str, from: usize| {
            smtp.received().into_iter().skip(from).filter(|m| m.recipients == [address]).collect::<Vec<_>>()
        };

        // Before the date: the city hears of its own; the foundation of its own only.
        let today = due.checked_sub(jiff::Span::new().days(3)).unwrap();
        send_reminders(&store, &actor(), &config(smtp.port), today, None).await.unwrap();
        assert!(to("privacy@foundation.example.jp", 0).iter().all(|m| !m.subject().contains("春日部市")));
        let seen = smtp.received().len();

        // The day after: the city is told it is late, and the foundation gets a copy saying so.
        let late = due.checked_add(jiff::Span::new().days(1)).unwrap();
        send_reminders(&store, &actor(), &config(smtp.port), late, None).await.unwrap();
        let city = to("kenko@city.kasukabe.example.jp", seen);
        let city_late = city.iter().find(|m| m.subject().contains("春日部市 確報")).unwrap();
        assert!(city_late.subject().contains("1日超過") && city_late.body().starts_with("春日部市 ご担当者様"));
        let copies = to("privacy@foundation.example.jp", seen);
        let copy = copies.iter().find(|m| m.subject().contains("春日部市 確報")).expect("a copy for the owner");
        assert!(copy.body().contains("（写し）春日部市 の次の期限が過ぎています"), "{}", copy.body());
        assert!(copy.body().starts_with("公益財団法人埼玉県健康づくり事業団 ご担当者様"), "{}", copy.body());
    }

    #[tokio::test]
    async fn a_reminder_that_cannot_be_sent_is_tried_again_next_time() {
        let (store, _dir) = sqlite_store().await;
        crate::load_demo(&store, &actor()).await.unwrap();
        set_email(&store, "kasukabe", "kenko@city.kasukabe.example.jp").await;
        let (_, due) = final_report_due(&store).await;
        let today = due.checked_sub(jiff::Span::new().days(3)).unwrap();
        // A server that is down: said at once, nothing taken.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let error = send_reminders(&store, &actor(), &config(closed), today, None).await.unwrap_err();
        assert!(error.to_string().contains("cannot reach the SMTP server"), "{error}");
        // A server that refuses the address: the reminder is given back.
        let refusing = SmtpReceiver::start().await;
        refusing.reject("kenko@city.kasukabe.example.jp");
        let failed = send_reminders(&store, &actor(), &config(refusing.port), today, None).await.unwrap();
        assert!(failed.failed >= 1 && failed.sent == 0, "{failed:?}");
        let smtp = SmtpReceiver::start().await;
        let retried = send_reminders(&store, &actor(), &config(smtp.port), today, None).await.unwrap();
        assert_eq!((retried.sent, retried.already_sent), (failed.failed, 0), "{retried:?}");
        assert!(smtp.received().iter().any(|m| m.subject().contains("春日部市 確報")));
    }

    #[test]
    fn each_stage_is_the_nearest_not_before_the_days_left() {
        let stages: Vec<_> = (-2..=9).map(stage_of).collect();
        let want = [-1, -1, 0, 1, 3, 3, 7, 7, 7, 7].map(Some);
        assert_eq!(stages[..10], want);
        assert_eq!(stages[10..], [None, None], "nothing more than a week ahead");
    }
}
