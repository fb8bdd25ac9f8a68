//! The store traits, one per aggregate, so that a use case asks only for what it needs.
//! [`crate::Store`] implements all of them over any database.

use crate::audit::{Actor, AuditEntry, AuditReport};
use crate::error::Result;
use jiff::civil::Date;
use serde::Serialize;
use std::future::Future;
use todoke_core::{
    AffectedPerson, Incident, IncidentId, IncidentRecord, Inquiry, InquiryId, Membership, NoticeChannel, NoticeId,
    NoticeProfile, NotificationId, NotificationStatus, OrgId, Organization, Party, PartyId, PersonId, Report, ReportId,
    Role, Task, TaskId, TaskStatus, TimelineEvent, TimelineEventId, User, UserId,
};

/// One line of the incident list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentSummary {
    /// Its id.
    pub id: IncidentId,
    /// Its title.
    pub title: String,
    /// The owning organization's name.
    pub owner: String,
    /// The earliest day any party knew.
    pub first_known_on: Option<Date>,
    /// How many parties.
    pub parties: usize,
    /// The number of people, when known.
    pub persons: Option<u64>,
    /// When it was stored (RFC 3339, UTC).
    pub created_at: String,
    /// Whether its personal data was erased.
    pub erased: bool,
}

/// A party as stored: with its id and organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredParty {
    /// The party's id.
    pub id: PartyId,
    /// Its organization.
    pub org: OrgId,
    /// The party.
    pub party: Party,
}

/// What a crypto-erasure destroyed (消去証明): counts, never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestructionCertificate {
    /// The incident.
    pub incident: IncidentId,
    /// Its title.
    pub title: String,
    /// Affected people whose records became unreadable.
    pub people: u64,
    /// Inquiries whose content became unreadable.
    pub inquiries: u64,
    /// When the data key was destroyed (RFC 3339, UTC).
    pub destroyed_at: String,
    /// Why: a request, or the retention policy that called for it.
    pub reason: String,
}

/// A case as one snapshot: its facts (parties, timeline and tasks included) with the ids of its
/// parties and tasks, and its reports. `revision` is the database's count of its changes: equal
/// revisions mean equal snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseSnapshot {
    /// The revision this snapshot was read at.
    pub revision: i64,
    /// The incident with all its facts.
    pub record: IncidentRecord,
    /// Its parties with their ids, in the order of the facts.
    pub parties: Vec<StoredParty>,
    /// Its tasks with their ids, in the order of the facts.
    pub tasks: Vec<(TaskId, Task)>,
    /// Its reports, oldest first.
    pub reports: Vec<(ReportId, Report)>,
}

/// An affected person as stored, decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPerson {
    /// The person's id.
    pub id: PersonId,
    /// The party whose list the person is on.
    pub party: PartyId,
    /// The person's data.
    pub person: AffectedPerson,
}

/// What adding a list of people did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PeopleAdded {
    /// Records stored now.
    pub added: u64,
    /// Records that were already stored (a re-run of the same import).
    pub already_present: u64,
}

/// Organizations.
pub trait OrgStore {
    /// The organization named `name`, created (as `org_type`) if missing.
    fn ensure_organization(
        &self,
        actor: &Actor,
        name: &str,
        org_type: todoke_core::OrgType,
    ) -> impl Future<Output = Result<Organization>> + Send;

    /// Every organization, by name.
    fn organizations(&self) -> impl Future<Output = Result<Vec<Organization>>> + Send;
}

/// Incidents and their parties.
pub trait IncidentStore {
    /// Stores a new incident with its parties, timeline and tasks, and makes its data key.
    fn create_incident(&self, actor: &Actor, facts: &Incident) -> impl Future<Output = Result<IncidentId>> + Send;

    /// An incident with all its facts.
    fn incident(&self, id: IncidentId) -> impl Future<Output = Result<IncidentRecord>> + Send;

    /// The whole case in one snapshot, kept in memory while its revision stays the same: asking
    /// again costs one small read.
    fn case(&self, id: IncidentId) -> impl Future<Output = Result<std::sync::Arc<CaseSnapshot>>> + Send;

    /// Resolves a full id or a unique prefix of at least 4 characters.
    fn find_incident(&self, id_or_prefix: &str) -> impl Future<Output = Result<IncidentId>> + Send;

    /// Every incident, oldest first.
    fn incidents(&self) -> impl Future<Output = Result<Vec<IncidentSummary>>> + Send;

    /// An incident's parties, in the order of its facts.
    fn parties(&self, id: IncidentId) -> impl Future<Output = Result<Vec<StoredParty>>> + Send;

    /// Replaces an incident's facts and parties (matched by name; a party that reports or people
    /// depend on cannot be removed). Timeline and tasks are kept as they are.
    fn update_incident(
        &self,
        actor: &Actor,
        id: IncidentId,
        facts: &Incident,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Destroys the incident's data key: its personal data becomes unreadable for good. Returns the
    /// certificate of what was destroyed, why and when; the audit entry of the erasure carries its
    /// digest, so a kept certificate can be checked against the log.
    fn erase_incident(
        &self,
        actor: &Actor,
        id: IncidentId,
        reason: &str,
    ) -> impl Future<Output = Result<DestructionCertificate>> + Send;
}

/// Affected people, stored encrypted.
pub trait PersonStore {
    /// Adds people to a party's list; a record already stored is not stored again.
    fn add_people(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        people: &[AffectedPerson],
    ) -> impl Future<Output = Result<PeopleAdded>> + Send;

    /// How many people a party's list holds, and the first `limit` of them decrypted (in id order):
    /// a page of a long list without decrypting all of it.
    fn party_people(
        &self,
        incident: IncidentId,
        party: PartyId,
        limit: u64,
    ) -> impl Future<Output = Result<(u64, Vec<StoredPerson>)>> + Send;

    /// One person of an incident, decrypted; `None` when the incident has no such person.
    fn person(&self, incident: IncidentId, id: PersonId) -> impl Future<Output = Result<Option<StoredPerson>>> + Send;

    /// The people of an incident (of one party, if given), decrypted.
    fn people(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
    ) -> impl Future<Output = Result<Vec<StoredPerson>>> + Send;

    /// How many people an incident has stored (readable even after erasure).
    fn count_people(&self, incident: IncidentId) -> impl Future<Output = Result<u64>> + Send;

    /// "Am I affected?": the people with this kana name and birth date, by blind index only.
    fn find_people_by_kana(
        &self,
        incident: IncidentId,
        name_kana: &str,
        birth_date: Date,
    ) -> impl Future<Output = Result<Vec<(PersonId, PartyId)>>> + Send;
}

/// Timeline, tasks, reports and inquiries of an incident.
pub trait CaseRecordStore {
    /// Adds a timeline event.
    fn add_timeline_event(
        &self,
        actor: &Actor,
        incident: IncidentId,
        event: &TimelineEvent,
    ) -> impl Future<Output = Result<TimelineEventId>> + Send;

    /// The timeline, in time order.
    fn timeline(
        &self,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<(TimelineEventId, TimelineEvent)>>> + Send;

    /// Adds a task.
    fn add_task(&self, actor: &Actor, incident: IncidentId, task: &Task)
    -> impl Future<Output = Result<TaskId>> + Send;

    /// The tasks, in the order they were added.
    fn tasks(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<(TaskId, Task)>>> + Send;

    /// Moves a task on, with the evidence that it is done.
    fn set_task_status(
        &self,
        actor: &Actor,
        task: TaskId,
        status: TaskStatus,
        evidence: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Stores a report (a draft when it has no submission date). A filed report that is already
    /// stored (same party, kind, day, receipt number and content) is not stored twice: its id is returned.
    fn add_report(
        &self,
        actor: &Actor,
        incident: IncidentId,
        report: &Report,
    ) -> impl Future<Output = Result<ReportId>> + Send;

    /// Marks a draft submitted, freezing whether it met `due` (or the due date it was stored with); a
    /// submitted report cannot be submitted again.
    fn submit_report(
        &self,
        actor: &Actor,
        report: ReportId,
        submitted_on: Date,
        receipt_number: Option<&str>,
        due: Option<Date>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// An incident's reports, in the order they were made.
    fn reports(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<(ReportId, Report)>>> + Send;

    /// Logs an inquiry (sealed: what a caller says may be personal).
    fn add_inquiry(
        &self,
        actor: &Actor,
        incident: IncidentId,
        inquiry: &Inquiry,
    ) -> impl Future<Output = Result<InquiryId>> + Send;

    /// An incident's inquiries, in the order received.
    fn inquiries(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<(InquiryId, Inquiry)>>> + Send;

    /// Adds the next version of a topic's answer script; returns its version (1 for a new topic).
    fn add_answer_script(
        &self,
        actor: &Actor,
        incident: IncidentId,
        topic: &str,
        body: &str,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// Every version of every answer script of an incident, by topic then version.
    fn answer_scripts(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<AnswerScript>>> + Send;
}

/// One version of an answer script (想定問答) for the inquiry desks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerScript {
    /// What callers ask about.
    pub topic: String,
    /// 1, 2, … per topic.
    pub version: i64,
    /// What the desk answers.
    pub body: String,
    /// When this version was written (RFC 3339, UTC).
    pub created_at: String,
}

/// An assessment as stored: when, from which facts, with what result (both JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredAssessment {
    /// When it was made (RFC 3339, UTC).
    pub at: String,
    /// The facts it was made from (JSON of the incident).
    pub inputs: String,
    /// The result (JSON of the assessment).
    pub result: String,
}

/// Assessments of stored incidents, kept as records of each decision.
pub trait AssessmentStore {
    /// Records an assessment.
    fn record_assessment(
        &self,
        actor: &Actor,
        incident: IncidentId,
        inputs: &str,
        result: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// An incident's assessments, oldest first.
    fn assessments(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<StoredAssessment>>> + Send;
}

/// Users and their memberships.
pub trait UserStore {
    /// Creates a user; the login must be new.
    fn create_user(&self, actor: &Actor, login: &str, display_name: &str) -> impl Future<Output = Result<User>> + Send;

    /// The user with this login, if any.
    fn user_by_login(&self, login: &str) -> impl Future<Output = Result<Option<User>>> + Send;

    /// Gives a user a role in an organization.
    fn add_membership(
        &self,
        actor: &Actor,
        user: UserId,
        org: OrgId,
        role: Role,
    ) -> impl Future<Output = Result<()>> + Send;

    /// A user's memberships.
    fn memberships(&self, user: UserId) -> impl Future<Output = Result<Vec<Membership>>> + Send;

    /// Takes a user out of an organization (every role there); false when they were not in it.
    fn remove_membership(&self, actor: &Actor, user: UserId, org: OrgId) -> impl Future<Output = Result<bool>> + Send;

    /// The members of an organization with their roles, by login.
    fn members(&self, org: OrgId) -> impl Future<Output = Result<Vec<(User, Role)>>> + Send;
}

/// What sign-in needs to know of a user.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user.
    pub user: User,
    /// The Argon2id hash of the password (PHC string), if one is set.
    pub password_hash: Option<String>,
    /// Failed sign-ins since the last success.
    pub failed_sign_ins: i64,
    /// Locked until this time (RFC 3339), after repeated failures.
    pub locked_until: Option<String>,
    /// The TOTP secret, when two-factor sign-in is set up.
    pub totp_secret: Option<Vec<u8>>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).finish_non_exhaustive()
    }
}

/// A signed-in session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose.
    pub user: User,
    /// The token forms must echo (CSRF).
    pub csrf_token: String,
    /// When it ends (RFC 3339).
    pub expires_at: String,
    /// A TOTP secret being enrolled in this session.
    pub pending_totp: Option<Vec<u8>>,
    /// Whether the user has two-factor sign-in set up.
    pub has_totp: bool,
}

/// Passwords, lockout and sessions. Sessions are found by the SHA-256 of their token.
pub trait AuthStore {
    /// Sets a user's password hash.
    fn set_password_hash(&self, actor: &Actor, user: UserId, hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// The credentials of the user with this login.
    fn credentials(&self, login: &str) -> impl Future<Output = Result<Option<Credentials>>> + Send;

    /// Counts a failed sign-in, locking the account until `lock_until` when given.
    fn record_sign_in_failure(&self, user: UserId, lock_until: Option<&str>)
    -> impl Future<Output = Result<()>> + Send;

    /// Starts a session after a successful sign-in (and clears the failure count).
    fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        expires_at: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The live session with this token hash, if any (expired ones are not returned).
    fn session(&self, token_hash: &str) -> impl Future<Output = Result<Option<Session>>> + Send;

    /// Ends one session.
    fn delete_session(&self, token_hash: &str) -> impl Future<Output = Result<()>> + Send;

    /// Sets (or, with `None`, removes) a user's TOTP secret.
    fn set_totp_secret(
        &self,
        actor: &Actor,
        user: UserId,
        secret: Option<&[u8]>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Marks a TOTP time step as used; false when it (or a later one) was used already.
    fn use_totp_step(&self, user: UserId, step: i64) -> impl Future<Output = Result<bool>> + Send;

    /// Keeps a TOTP secret being enrolled with the session (or drops it).
    fn set_pending_totp(&self, token_hash: &str, secret: Option<&[u8]>) -> impl Future<Output = Result<()>> + Send;

    /// Ends every session of a user ("sign out everywhere").
    fn delete_user_sessions(&self, user: UserId) -> impl Future<Output = Result<u64>> + Send;
}

/// The audit log.
pub trait AuditStore {
    /// Records an event that changes no data but must be accountable (a reveal, a sign-in).
    fn record_event(&self, actor: &Actor, action: &str, object: &str) -> impl Future<Output = Result<()>> + Send;

    /// Checks the whole chain.
    fn verify_audit(&self) -> impl Future<Output = Result<AuditReport>> + Send;

    /// Entries after `after_seq`, at most `limit`.
    fn audit_entries(&self, after_seq: i64, limit: i64) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
}

/// A notice to add to the casebook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// Where it came from (a file name or URL).
    pub source: String,
    /// The notice's text.
    pub body: String,
    /// The facts read from it (JSON of CONTRACTS.md §2).
    pub facts: String,
    /// Its profile.
    pub profile: NoticeProfile,
}

/// A notice kept in the casebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredNotice {
    /// Its id.
    pub id: NoticeId,
    /// The group of notices that concern the same incident (the id of its first notice).
    pub group: NoticeId,
    /// Where it came from.
    pub source: String,
    /// The notice's text (empty in lists that leave it out).
    pub body: String,
    /// The facts read from it (JSON).
    pub facts: String,
    /// A user's corrections (a JSON object of fields), if any.
    pub corrections: Option<String>,
    /// Its profile (with the corrections applied).
    pub profile: NoticeProfile,
    /// When it was added (RFC 3339, UTC).
    pub added_at: String,
}

/// The casebook of published notices.
pub trait CasebookStore {
    /// Adds a notice to the group of the notices it relates to (merging their groups when it relates
    /// to several), or starts a group. The same text added again adds nothing: the answer is the
    /// stored id and `false`.
    fn add_notice(
        &self,
        actor: &Actor,
        notice: &NewNotice,
        related: &[NoticeId],
    ) -> impl Future<Output = Result<(NoticeId, bool)>> + Send;

    /// The notices (without their text) of the organization `org_key` and those that name it.
    fn notices_of_org(&self, org_key: &str) -> impl Future<Output = Result<Vec<StoredNotice>>> + Send;

    /// One notice, with its text.
    fn notice(&self, id: NoticeId) -> impl Future<Output = Result<Option<StoredNotice>>> + Send;

    /// Notices in the order they were added, with their text or without, after `after` (paging).
    fn notices(
        &self,
        after: Option<NoticeId>,
        limit: i64,
        with_body: bool,
    ) -> impl Future<Output = Result<Vec<StoredNotice>>> + Send;

    /// How many notices the casebook holds.
    fn notice_count(&self) -> impl Future<Output = Result<u64>> + Send;

    /// Records a user's corrections of a notice and the profile they give.
    fn correct_notice(
        &self,
        actor: &Actor,
        id: NoticeId,
        corrections: &str,
        profile: &NoticeProfile,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// A notice to plan: to whom (a stored person of the party) on which channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedNotice {
    /// The party whose list the person is on (the sender of the notice).
    pub party: PartyId,
    /// The person.
    pub person: PersonId,
    /// How the notice reaches them.
    pub channel: NoticeChannel,
}

/// What planning notices did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NoticesPlanned {
    /// Notices planned now.
    pub added: u64,
    /// Notices that were planned already (a re-run of the same plan).
    pub already_present: u64,
}

/// One notice to one person on one channel, as stored: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredNotification {
    /// Its id.
    pub id: NotificationId,
    /// The incident.
    pub incident: IncidentId,
    /// The party sending it.
    pub party: PartyId,
    /// The person it is for (their sealed record holds the address).
    pub person: PersonId,
    /// How it goes.
    pub channel: NoticeChannel,
    /// Where it stands.
    pub status: NotificationStatus,
    /// How many times it was handed to the carrier (an SMTP transaction, a mailing).
    pub attempts: i64,
    /// The last error, as a code without personal data (`smtp 451`, `no-address`).
    pub last_error: Option<String>,
    /// The Message-ID of the e-mail, once one was sent.
    pub message_id: Option<String>,
    /// When it was planned (RFC 3339, UTC).
    pub created_at: String,
    /// When its status last changed.
    pub updated_at: String,
}

/// A change of a notice's status, made only if the notice still is in `from` (compare and set): two
/// senders can never both claim a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange<'a> {
    /// The status the notice must be in.
    pub from: NotificationStatus,
    /// The status it moves to.
    pub to: NotificationStatus,
    /// Whether this change hands it to the carrier once more (counts an attempt).
    pub attempt: bool,
    /// What the history records with it: an SMTP reply code, a 返戻 reason code (no personal data).
    pub detail: Option<&'a str>,
    /// The error to keep as the last one (`None` clears it).
    pub error: Option<&'a str>,
    /// The Message-ID to keep (`None` keeps the one stored).
    pub message_id: Option<&'a str>,
}

/// How many notices of a party are in one status on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationCount {
    /// The party.
    pub party: PartyId,
    /// The channel.
    pub channel: NoticeChannel,
    /// The status.
    pub status: NotificationStatus,
    /// How many.
    pub count: u64,
}

/// One step in a notice's history (append-only), for counts over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationEvent {
    /// The notice.
    pub notification: NotificationId,
    /// Its party.
    pub party: PartyId,
    /// Its channel.
    pub channel: NoticeChannel,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The status it entered.
    pub status: NotificationStatus,
    /// An SMTP reply code, a 返戻 reason code …
    pub detail: Option<String>,
}

/// Notices to affected people (本人通知) and their history. Every status change is audited.
pub trait NotificationStore {
    /// Plans notices (status `pending`); a notice already planned for the person on the channel is
    /// not planned again.
    fn plan_notifications(
        &self,
        actor: &Actor,
        incident: IncidentId,
        notices: &[PlannedNotice],
    ) -> impl Future<Output = Result<NoticesPlanned>> + Send;

    /// An incident's notices (of one party, on one channel, when given), in id order.
    fn notifications(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
        channel: Option<NoticeChannel>,
    ) -> impl Future<Output = Result<Vec<StoredNotification>>> + Send;

    /// One notice of an incident, if the incident has it.
    fn notification(
        &self,
        incident: IncidentId,
        id: NotificationId,
    ) -> impl Future<Output = Result<Option<StoredNotification>>> + Send;

    /// The notice whose e-mail had this Message-ID, if any.
    fn notification_by_message_id(
        &self,
        incident: IncidentId,
        message_id: &str,
    ) -> impl Future<Output = Result<Option<StoredNotification>>> + Send;

    /// Moves a notice on, if it still is in `change.from`; false when it was not (someone else moved
    /// it). Appends the step to its history and to the audit log.
    fn change_notification(
        &self,
        actor: &Actor,
        id: NotificationId,
        change: &StatusChange<'_>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// How many notices each party has per channel and status.
    fn notification_counts(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<NotificationCount>>> + Send;

    /// When the last step of an incident's notices was recorded (RFC 3339, UTC), if any was.
    fn last_notification_step(&self, incident: IncidentId) -> impl Future<Output = Result<Option<String>>> + Send;

    /// The history of an incident's notices (of one party, when given), oldest first.
    fn notification_events(
        &self,
        incident: IncidentId,
        party: Option<PartyId>,
    ) -> impl Future<Output = Result<Vec<NotificationEvent>>> + Send;

    /// The sealed record of the person a notice is for, opened (to read the address when sending).
    fn notification_recipient(
        &self,
        incident: IncidentId,
        id: NotificationId,
    ) -> impl Future<Output = Result<AffectedPerson>> + Send;
}
