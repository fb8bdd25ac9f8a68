//! Cost claims (費用請求): each consignor's ledger of what the response cost it, claimed from the
//! handler. The postage and electronic-notice lines are computed from the campaign's counts at the
//! agreed unit costs (the people plan's `PLAN.toml`), so that a city never types in a number the
//! store already knows; printing, the call center and the rest are written by hand. The invoice
//! (請求書) is the docs crate's, filled with the claim's lines.

use crate::AppError;
use jiff::civil::Date;
use todoke_core::{Incident, IncidentId, NoticeChannel, NotificationStatus, PartyId};
use todoke_docs::{Case, ChannelCounts, DocKind, Format, InvoiceProfile, OtherCost, Profile, Rendered, Templates};
use todoke_people::{Channel, PlanConfig};
use todoke_store::{Actor, CostCategory, CostClaim, CostStore, NewCostLine, NotificationCount, NotificationStore};

/// How many letters or e-mails a notice in `status` cost. A notice not yet handed to the carrier,
/// or that never left (failed), cost nothing; one returned or bounced was still paid for; one sent
/// again after a return (再送) was paid for twice. A notice that ended in the substitute measure
/// is counted by what it went through before (its earlier statuses are not in the counts), so it
/// is left out rather than guessed.
fn sendings(status: NotificationStatus) -> u64 {
    match status {
        NotificationStatus::Sent
        | NotificationStatus::Delivered
        | NotificationStatus::Bounced
        | NotificationStatus::Returned => 1,
        NotificationStatus::Remailed => 2,
        NotificationStatus::Pending
        | NotificationStatus::Sending
        | NotificationStatus::Failed
        | NotificationStatus::Substitute => 0,
    }
}

/// The campaign lines of a party: letters posted and e-mails sent, at the party's unit costs.
/// A channel with nothing sent gets no line.
pub fn campaign_lines(
    counts: &[NotificationCount],
    party: PartyId,
    party_name: &str,
    config: &PlanConfig,
) -> Vec<NewCostLine> {
    let sent = |channel: NoticeChannel| -> u64 {
        counts
            .iter()
            .filter(|c| c.party == party && c.channel == channel)
            .map(|c| c.count.saturating_mul(sendings(c.status)))
            .sum()
    };
    [
        (NoticeChannel::Post, Channel::Post, CostCategory::Postage, "本人通知（郵送）"),
        (NoticeChannel::Email, Channel::Email, CostCategory::Electronic, "本人通知（電子メール）"),
    ]
    .into_iter()
    .filter_map(|(channel, plan_channel, category, description)| {
        let quantity = sent(channel);
        (quantity > 0).then(|| NewCostLine {
            category,
            description: description.to_string(),
            quantity: i64::try_from(quantity).unwrap_or(i64::MAX),
            unit_yen: i64::try_from(config.cost(party_name, plan_channel)).unwrap_or(i64::MAX),
        })
    })
    .collect()
}

/// Recomputes a party's campaign lines from the notices sent so far.
pub async fn refresh_campaign_lines<S: NotificationStore + CostStore>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: PartyId,
    party_name: &str,
    config: &PlanConfig,
) -> Result<(), AppError> {
    let counts = store.notification_counts(incident).await?;
    let lines = campaign_lines(&counts, party, party_name, config);
    store.set_campaign_lines(actor, incident, party, &lines).await?;
    Ok(())
}

/// A manual line as a form gives it, checked: a category key, words, whole numbers.
pub fn manual_line(category: &str, description: &str, quantity: &str, unit_yen: &str) -> Result<NewCostLine, AppError> {
    let category = CostCategory::from_key(category.trim())
        .ok_or_else(|| AppError::Invalid(format!("category: unknown `{}`", category.trim())))?;
    let description = description.trim();
    if description.is_empty() {
        return Err(AppError::Invalid("description: expected what was paid for, found nothing".into()));
    }
    let number = |field: &str, text: &str| -> Result<i64, AppError> {
        // Amounts are typed as 1,500 as often as 1500.
        let digits: String = text.trim().chars().filter(|c| *c != ',').collect();
        digits.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            AppError::Invalid(format!("{field}: expected a whole number of 0 or more, found `{}`", text.trim()))
        })
    };
    Ok(NewCostLine {
        category,
        description: description.to_string(),
        quantity: number("quantity", quantity)?,
        unit_yen: number("unit_yen", unit_yen)?,
    })
}

/// The claim's total per category, in the order of [`CostCategory::ALL`] (categories without
/// lines left out).
pub fn totals_by_category(claim: &CostClaim) -> Vec<(CostCategory, i64)> {
    CostCategory::ALL
        .into_iter()
        .filter_map(|category| {
            let lines: Vec<i64> = claim.lines.iter().filter(|l| l.category == category).map(|l| l.amount_yen).collect();
            (!lines.is_empty()).then(|| (category, lines.into_iter().fold(0i64, i64::saturating_add)))
        })
        .collect()
}

/// The invoice (請求書) of a claim as an HTML page: every line as claimed, amounts as agreed
/// (consignors claim what they paid, 消費税 included, so no tax is added on top).
pub fn invoice_html(incident: &Incident, party_name: &str, claim: &CostClaim, today: Date) -> Result<String, AppError> {
    match render_invoice(incident, party_name, claim, today, Format::Html, None)? {
        Rendered::Text(html) => Ok(html),
        Rendered::Bytes(_) => Err(AppError::Invalid("invoice: expected HTML".into())),
    }
}

/// The same invoice as a PDF, set in `fonts`.
pub fn invoice_pdf(
    incident: &Incident,
    party_name: &str,
    claim: &CostClaim,
    today: Date,
    fonts: &todoke_docs::Fonts,
) -> Result<Vec<u8>, AppError> {
    Ok(render_invoice(incident, party_name, claim, today, Format::Pdf, Some(fonts))?.into_bytes())
}

fn render_invoice(
    incident: &Incident,
    party_name: &str,
    claim: &CostClaim,
    today: Date,
    format: Format,
    fonts: Option<&todoke_docs::Fonts>,
) -> Result<Rendered, AppError> {
    let other = claim
        .lines
        .iter()
        .map(|l| OtherCost {
            label: format!("{}：{}", l.category.label_ja(), l.description),
            quantity: u64::try_from(l.quantity).unwrap_or(0),
            unit_cost: u64::try_from(l.unit_yen).unwrap_or(0),
            taxable: false,
        })
        .collect();
    let profile = Profile {
        invoice: InvoiceProfile {
            unit_cost: Default::default(),
            tax_rate: 0,
            channels_taxable: false,
            other,
            payment: claim.paid_on.map(|d| format!("（{} 支払済）", d)),
        },
        ..Profile::default()
    };
    // Empty counts: the notices are already lines of the claim, not to be added from the plan.
    let counts = ChannelCounts::default();
    let case = Case {
        incident,
        assessment: None,
        party: party_name,
        profile: &profile,
        today,
        edition: 1,
        counts: Some(&counts),
        recipient: None,
    };
    todoke_docs::render(DocKind::Invoice, &case, &Templates::default(), format, fonts)
        .map_err(|e| AppError::Invalid(format!("invoice: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use todoke_store::{CostLine, CostState, LineSource};

    fn count(party: PartyId, channel: NoticeChannel, status: NotificationStatus, count: u64) -> NotificationCount {
        NotificationCount { party, channel, status, count }
    }

    #[test]
    fn campaign_lines_count_what_was_sent_at_the_unit_costs() {
        let (city, other) = (PartyId(uuid::Uuid::from_u128(1)), PartyId(uuid::Uuid::from_u128(2)));
        let counts = [
            count(city, NoticeChannel::Post, NotificationStatus::Sent, 10),
            count(city, NoticeChannel::Post, NotificationStatus::Returned, 2),
            count(city, NoticeChannel::Post, NotificationStatus::Remailed, 1),
            count(city, NoticeChannel::Post, NotificationStatus::Pending, 5),
            count(city, NoticeChannel::Email, NotificationStatus::Sent, 4),
            count(city, NoticeChannel::Email, NotificationStatus::Failed, 3),
            count(other, NoticeChannel::Post, NotificationStatus::Sent, 99),
        ];
        let lines = campaign_lines(&counts, city, "春日部市", &PlanConfig::default());
        let got: Vec<_> = lines.iter().map(|l| (l.category, l.quantity, l.unit_yen)).collect();
        assert_eq!(got, [(CostCategory::Postage, 14, 150), (CostCategory::Electronic, 4, 50)]);
        let config = PlanConfig::parse("PLAN.toml", "[parties.\"春日部市\"]\ncosts = { post = 120 }\n").unwrap();
        assert_eq!(campaign_lines(&counts, city, "春日部市", &config)[0].unit_yen, 120);
        assert!(campaign_lines(&[], city, "春日部市", &config).is_empty());
    }

    #[test]
    fn manual_lines_are_checked() {
        let line = manual_line("printing", " 封筒 ", "1,000", "12").unwrap();
        assert_eq!(
            (line.category, line.description.as_str(), line.quantity, line.unit_yen),
            (CostCategory::Printing, "封筒", 1000, 12)
        );
        for (c, d, q, u, field) in [
            ("taxi", "x", "1", "1", "category"),
            ("other", " ", "1", "1", "description"),
            ("other", "x", "-1", "1", "quantity"),
            ("other", "x", "1", "1.5", "unit_yen"),
        ] {
            let err = manual_line(c, d, q, u).unwrap_err().to_string();
            assert!(err.starts_with(field), "{err}");
        }
    }

    #[test]
    fn totals_and_invoice() {
        let incident =
            todoke_core::facts::parse_facts(include_str!("../../../examples/saitama-foundation-ransomware.toml"));
        let incident = incident.unwrap();
        let party = incident.parties.iter().find(|p| p.name != incident.parties[0].name).unwrap().name.clone();
        let line = |category, quantity, unit_yen| CostLine {
            id: uuid::Uuid::nil(),
            source: LineSource::Manual,
            category,
            description: "封筒".into(),
            quantity,
            unit_yen,
            amount_yen: quantity * unit_yen,
        };
        let claim = CostClaim {
            id: uuid::Uuid::nil(),
            incident: IncidentId(uuid::Uuid::nil()),
            party: PartyId(uuid::Uuid::nil()),
            state: CostState::Draft,
            paid_on: None,
            note: None,
            updated_at: String::new(),
            lines: vec![
                line(CostCategory::Postage, 10, 150),
                line(CostCategory::Printing, 10, 20),
                line(CostCategory::Printing, 1, 500),
            ],
        };
        assert_eq!(totals_by_category(&claim), [(CostCategory::Postage, 1500), (CostCategory::Printing, 700)]);
        let html = invoice_html(&incident, &party, &claim, jiff::civil::date(2024, 9, 1)).unwrap();
        assert!(html.contains("請求書") && html.contains("2,200"), "{html}");
    }
}
