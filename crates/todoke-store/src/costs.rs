//! Cost claims (費用請求): what each consignor claims from the handler for its share of the
//! response, line by line, and where the claim stands. Lines can change only while the claim is a
//! draft or was returned for correction; every move of the state is compare-and-set (two clerks
//! can never both approve, nor pay twice) and audited. Amounts are whole yen (i64), never floats.

use crate::audit::Actor;
use crate::db::{Db, Row, Tx};
use crate::error::{Result, StoreError};
use crate::store::{Store, parse_id};
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;
use std::future::Future;
use todoke_core::{IncidentId, PartyId};
use uuid::Uuid;

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostState {
    /// Being written by the consignor.
    Draft,
    /// Sent to the handler for approval.
    Submitted,
    /// Sent back by the handler for correction (the consignor edits and submits again).
    Returned,
    /// Accepted by the handler.
    Approved,
    /// Paid by the handler.
    Paid,
}

impl CostState {
    /// Every state, in the order a claim goes through them.
    pub const ALL: [CostState; 5] = [Self::Draft, Self::Submitted, Self::Returned, Self::Approved, Self::Paid];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Approved => "approved",
            Self::Paid => "paid",
        }
    }

    /// The state with this key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Draft => "作成中",
            Self::Submitted => "提出済（承認待ち）",
            Self::Returned => "差戻し（修正待ち）",
            Self::Approved => "承認済",
            Self::Paid => "支払済",
        }
    }

    /// Whether the consignor may still change the lines.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Whether a claim may move from `self` to `to` (who may move it is the caller's business).
    pub fn may_move_to(self, to: CostState) -> bool {
        matches!(
            (self, to),
            (Self::Draft | Self::Returned, Self::Submitted)
                | (Self::Submitted, Self::Approved | Self::Returned)
                | (Self::Approved, Self::Paid)
        )
    }
}

/// What a line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostCategory {
    /// Letters posted (郵送料).
    Postage,
    /// Electronic notices (e-mail).
    Electronic,
    /// Printing and envelopes (印刷・封入).
    Printing,
    /// The call center (コールセンター).
    CallCenter,
    /// Forensic investigation (調査費).
    Forensic,
    /// Apology gifts (お詫びの品).
    ApologyGift,
    /// Anything else.
    Other,
}

impl CostCategory {
    /// Every category, in the order of an invoice.
    pub const ALL: [CostCategory; 7] = [
        Self::Postage,
        Self::Electronic,
        Self::Printing,
        Self::CallCenter,
        Self::Forensic,
        Self::ApologyGift,
        Self::Other,
    ];

    /// The stored key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Postage => "postage",
            Self::Electronic => "electronic",
            Self::Printing => "printing",
            Self::CallCenter => "call_center",
            Self::Forensic => "forensic",
            Self::ApologyGift => "apology_gift",
            Self::Other => "other",
        }
    }

    /// The category with this key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            Self::Postage => "郵送料",
            Self::Electronic => "電子通知",
            Self::Printing => "印刷・封入",
            Self::CallCenter => "コールセンター",
            Self::Forensic => "調査",
            Self::ApologyGift => "お詫びの品",
            Self::Other => "その他",
        }
    }
}

/// Where a line came from: computed from the campaign's counts (replaced when recomputed) or
/// written by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineSource {
    /// From the notices sent, at the agreed unit cost.
    Campaign,
    /// Written by the consignor.
    Manual,
}

impl LineSource {
    fn key(self) -> &'static str {
        match self {
            Self::Campaign => "campaign",
            Self::Manual => "manual",
        }
    }
}

/// A line to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCostLine {
    /// What it is for.
    pub category: CostCategory,
    /// What was paid for (no personal data: "封筒印刷 長3", not a name).
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Yen per unit.
    pub unit_yen: i64,
}

/// A line as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostLine {
    /// Its id.
    pub id: Uuid,
    /// Campaign or manual.
    pub source: LineSource,
    /// What it is for.
    pub category: CostCategory,
    /// What was paid for.
    pub description: String,
    /// How many.
    pub quantity: i64,
    /// Yen per unit.
    pub unit_yen: i64,
    /// quantity × unit, in yen.
    pub amount_yen: i64,
}

/// A party's claim on an incident, with its lines in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostClaim {
    /// Its id.
    pub id: Uuid,
    /// The incident.
    pub incident: IncidentId,
    /// The claiming party.
    pub party: PartyId,
    /// Where it stands.
    pub state: CostState,
    /// The day it was paid.
    pub paid_on: Option<Date>,
    /// Why it was returned, when it was.
    pub note: Option<String>,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
    /// Its lines.
    pub lines: Vec<CostLine>,
}

impl CostClaim {
    /// The sum of the lines, in yen (saturating: no claim comes near i64::MAX).
    pub fn total_yen(&self) -> i64 {
        self.lines.iter().fold(0i64, |sum, l| sum.saturating_add(l.amount_yen))
    }
}

/// A move of a claim from one state to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostMove<'a> {
    /// The state the mover saw.
    pub from: CostState,
    /// The state it moves to.
    pub to: CostState,
    /// The day of payment (moving to `paid`).
    pub paid_on: Option<Date>,
    /// Why it is returned (moving to `returned`).
    pub note: Option<&'a str>,
}

/// Cost claims, one per (incident, party).
pub trait CostStore {
    /// A party's claim, if it has one.
    fn cost_claim(
        &self,
        incident: IncidentId,
        party: PartyId,
    ) -> impl Future<Output = Result<Option<CostClaim>>> + Send;

    /// Every claim of an incident, by party id.
    fn cost_claims(&self, incident: IncidentId) -> impl Future<Output = Result<Vec<CostClaim>>> + Send;

    /// Adds a manual line to the party's claim (made as a draft when missing); refused
    /// ([`StoreError::Conflict`]) once the claim is submitted.
    fn add_cost_line(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        line: &NewCostLine,
    ) -> impl Future<Output = Result<Uuid>> + Send;

    /// Replaces the claim's campaign lines with `lines` (made as a draft when missing); refused once
    /// the claim is submitted.
    fn set_campaign_lines(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        lines: &[NewCostLine],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Removes a line from an editable claim.
    fn remove_cost_line(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        line: Uuid,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Moves the claim, if it still is in `step.from`; false when it was not (someone moved it
    /// first). A move the states do not allow is [`StoreError::Invalid`].
    fn move_cost_claim(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        step: &CostMove<'_>,
    ) -> impl Future<Output = Result<bool>> + Send;
}

/// The columns every query of a claim selects, in the order [`claim`] reads them.
macro_rules! select_claim {
    ($where:literal) => {
        concat!(
            "select cost_claim_id, incident_id, party_id, state, paid_on, note, updated_at from cost_claim ",
            $where
        )
    };
}

fn claim(row: &Row) -> Result<CostClaim> {
    let state = row.text(3)?;
    Ok(CostClaim {
        id: parse_id(&row.text(0)?)?,
        incident: parse_id(&row.text(1)?)?,
        party: parse_id(&row.text(2)?)?,
        state: CostState::from_key(&state)
            .ok_or_else(|| StoreError::corrupt(format!("unknown cost claim state `{state}`")))?,
        paid_on: row.opt_text(4)?.map(|t| t.parse().map_err(StoreError::corrupt)).transpose()?,
        note: row.opt_text(5)?,
        updated_at: row.text(6)?,
        lines: Vec::new(),
    })
}

fn line(row: &Row) -> Result<CostLine> {
    let (source, category) = (row.text(1)?, row.text(2)?);
    Ok(CostLine {
        id: parse_id(&row.text(0)?)?,
        source: match source.as_str() {
            "campaign" => LineSource::Campaign,
            "manual" => LineSource::Manual,
            other => return Err(StoreError::corrupt(format!("unknown cost line source `{other}`"))),
        },
        category: CostCategory::from_key(&category)
            .ok_or_else(|| StoreError::corrupt(format!("unknown cost category `{category}`")))?,
        description: row.text(3)?,
        quantity: row.int(4)?,
        unit_yen: row.int(5)?,
        amount_yen: row.int(6)?,
    })
}

/// quantity × unit, refusing negatives and overflow (a typo of a few digits must not wrap).
fn amount(line: &NewCostLine) -> Result<i64> {
    if line.quantity < 0 || line.unit_yen < 0 {
        return Err(StoreError::Invalid("cost line: quantity and unit cost must not be negative".into()));
    }
    line.quantity
        .checked_mul(line.unit_yen)
        .ok_or_else(|| StoreError::Invalid("cost line: the amount is too large".into()))
}

impl<D: Db> Store<D> {
    /// The claim's id and state in `tx`, made as a draft when missing; checks that the party is
    /// the incident's.
    async fn claim_for_edit(&self, tx: &mut D::Tx, incident: IncidentId, party: PartyId) -> Result<Uuid> {
        tx.fetch_optional(
            "select 1 from party where party_id = $1 and incident_id = $2",
            &[party.to_string().into(), incident.to_string().into()],
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("party {party} of incident {incident}")))?;
        let now = self.now();
        tx.execute(
            "insert into cost_claim (cost_claim_id, incident_id, party_id, state, paid_on, note, created_at, updated_at) \
             values ($1, $2, $3, $4, null, null, $5, $5) on conflict (incident_id, party_id) do nothing",
            &[
                self.new_id().to_string().into(),
                incident.to_string().into(),
                party.to_string().into(),
                CostState::Draft.key().into(),
                now.clone().into(),
            ],
        )
        .await?;
        // Touching the row only while editable both checks the state and, on PostgreSQL, locks
        // the claim against a concurrent submit until this transaction ends.
        let row = tx
            .fetch_optional(
                "update cost_claim set updated_at = $1 where incident_id = $2 and party_id = $3 \
                 and state in ('draft', 'returned') returning cost_claim_id",
                &[now.into(), incident.to_string().into(), party.to_string().into()],
            )
            .await?
            .ok_or_else(|| StoreError::Conflict("the cost claim is submitted and can no longer be changed".into()))?;
        parse_id(&row.text(0)?)
    }

    async fn insert_line(&self, tx: &mut D::Tx, claim: Uuid, source: LineSource, new: &NewCostLine) -> Result<Uuid> {
        let amount = amount(new)?;
        let id = self.new_id();
        tx.execute(
            "insert into cost_line (cost_line_id, cost_claim_id, source, category, description, quantity, unit_yen, \
             amount_yen, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                id.to_string().into(),
                claim.to_string().into(),
                source.key().into(),
                new.category.key().into(),
                new.description.clone().into(),
                new.quantity.into(),
                new.unit_yen.into(),
                amount.into(),
                self.now().into(),
            ],
        )
        .await?;
        Ok(id)
    }

    async fn read_lines(&self, tx: &mut D::Tx, claims: &mut [CostClaim]) -> Result<()> {
        for c in claims {
            let rows = tx
                .fetch_all(
                    "select cost_line_id, source, category, description, quantity, unit_yen, amount_yen from cost_line \
                     where cost_claim_id = $1 order by created_at, cost_line_id",
                    &[c.id.to_string().into()],
                )
                .await?;
            c.lines = rows.iter().map(line).collect::<Result<_>>()?;
        }
        Ok(())
    }
}

impl<D: Db> CostStore for Store<D> {
    async fn cost_claim(&self, incident: IncidentId, party: PartyId) -> Result<Option<CostClaim>> {
        let mut tx = self.db.begin_read().await?;
        let row = tx
            .fetch_optional(
                select_claim!("where incident_id = $1 and party_id = $2"),
                &[incident.to_string().into(), party.to_string().into()],
            )
            .await?;
        let mut found: Vec<CostClaim> = row.as_ref().map(claim).transpose()?.into_iter().collect();
        self.read_lines(&mut tx, &mut found).await?;
        Ok(found.pop())
    }

    async fn cost_claims(&self, incident: IncidentId) -> Result<Vec<CostClaim>> {
        let mut tx = self.db.begin_read().await?;
        let rows = tx
            .fetch_all(select_claim!("where incident_id = $1 order by party_id"), &[incident.to_string().into()])
            .await?;
        let mut claims = rows.iter().map(claim).collect::<Result<Vec<_>>>()?;
        self.read_lines(&mut tx, &mut claims).await?;
        Ok(claims)
    }

    async fn add_cost_line(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        new: &NewCostLine,
    ) -> Result<Uuid> {
        let mut tx = self.db.begin_write().await?;
        let claim = self.claim_for_edit(&mut tx, incident, party).await?;
        let id = self.insert_line(&mut tx, claim, LineSource::Manual, new).await?;
        self.audit(&mut tx, actor, "cost.line.add", format!("cost_claim:{claim}"), new).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn set_campaign_lines(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        lines: &[NewCostLine],
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let claim = self.claim_for_edit(&mut tx, incident, party).await?;
        tx.execute(
            "delete from cost_line where cost_claim_id = $1 and source = $2",
            &[claim.to_string().into(), LineSource::Campaign.key().into()],
        )
        .await?;
        for new in lines {
            self.insert_line(&mut tx, claim, LineSource::Campaign, new).await?;
        }
        self.audit(&mut tx, actor, "cost.campaign_lines", format!("cost_claim:{claim}"), &lines).await?;
        tx.commit().await
    }

    async fn remove_cost_line(&self, actor: &Actor, incident: IncidentId, party: PartyId, line: Uuid) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        let claim = self.claim_for_edit(&mut tx, incident, party).await?;
        let removed = tx
            .execute(
                "delete from cost_line where cost_line_id = $1 and cost_claim_id = $2",
                &[line.to_string().into(), claim.to_string().into()],
            )
            .await?;
        if removed == 0 {
            return Err(StoreError::NotFound(format!("cost line {line}")));
        }
        self.audit(&mut tx, actor, "cost.line.remove", format!("cost_claim:{claim}"), &line.to_string()).await?;
        tx.commit().await
    }

    async fn move_cost_claim(
        &self,
        actor: &Actor,
        incident: IncidentId,
        party: PartyId,
        step: &CostMove<'_>,
    ) -> Result<bool> {
        if !step.from.may_move_to(step.to) {
            return Err(StoreError::Invalid(format!(
                "a cost claim cannot move from {} to {}",
                step.from.key(),
                step.to.key()
            )));
        }
        if step.to == CostState::Paid && step.paid_on.is_none() {
            return Err(StoreError::Invalid("paid_on: the day of payment is needed".into()));
        }
        let mut tx = self.db.begin_write().await?;
        let row = tx
            .fetch_optional(
                "update cost_claim set state = $1, paid_on = $2, note = $3, updated_at = $4 \
                 where incident_id = $5 and party_id = $6 and state = $7 returning cost_claim_id",
                &[
                    step.to.key().into(),
                    step.paid_on.map(|d| d.to_string()).into(),
                    step.note.map(str::to_string).into(),
                    self.now().into(),
                    incident.to_string().into(),
                    party.to_string().into(),
                    step.from.key().into(),
                ],
            )
            .await?;
        let Some(row) = row else { return Ok(false) };
        let claim: Uuid = parse_id(&row.text(0)?)?;
        // The note may quote a line's description; the audit keeps only its digest anyway.
        let what = json!({ "from": step.from.key(), "to": step.to.key(), "paid_on": step.paid_on });
        self.audit(&mut tx, actor, "cost.state", format!("cost_claim:{claim}"), &what).await?;
        tx.commit().await?;
        Ok(true)
    }
}
