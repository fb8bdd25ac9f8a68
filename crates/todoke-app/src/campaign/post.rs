//! Letters: recorded as posted (a return only means something after posting), re-mailed to a
//! corrected address after a return, or given up on in favour of the substitute notice (代替措置).
//! The history keeps `posted DATE`, `publication ID`: dates and ids, nothing personal.

use crate::AppError;
use jiff::civil::Date;
use serde::Serialize;
use todoke_core::{IncidentId, NoticeChannel, NotificationId, NotificationStatus, PartyId};
use todoke_store::{
    Actor, NotificationStore, PostalAddress, ReturnStore, StatusChange, StoredNotification, SubstitutePublication,
};

/// What recording a posting did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Posted {
    /// Letters posted for the first time.
    pub posted: u64,
    /// Letters posted again to a corrected address (再送).
    pub reposted: u64,
}

/// Records that `party`'s letters waiting to go (planned, or re-addressed after a return) were
/// posted on `on`: all of them, in one change.
pub async fn record_posted<S: NotificationStore + ReturnStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: PartyId,
    on: Date,
) -> Result<Posted, AppError> {
    let letters = store.notifications(incident, Some(party), Some(NoticeChannel::Post)).await?;
    let detail = format!("posted {on}");
    let mut outcome = Posted::default();
    let mut changes = Vec::new();
    for n in &letters {
        match n.status {
            NotificationStatus::Pending => outcome.posted += 1,
            NotificationStatus::Remailed => outcome.reposted += 1,
            _ => continue,
        }
        changes.push((
            n.id,
            StatusChange {
                from: n.status,
                to: NotificationStatus::Sent,
                attempt: true,
                detail: Some(&detail),
                error: None,
                message_id: None,
            },
        ));
    }
    if changes.is_empty() {
        return Err(AppError::Invalid("party: no letter of this party is waiting to be posted".into()));
    }
    if !store.change_notifications(actor, incident, &changes).await? {
        return Err(AppError::Invalid("party: a letter changed meanwhile; nothing was recorded, try again".into()));
    }
    Ok(outcome)
}

/// The notice `id` of `incident`, if it is of one of `parties` (otherwise it is not found, as one
/// that does not exist).
async fn notice_of<S: NotificationStore + Sync>(
    store: &S,
    incident: IncidentId,
    parties: &[PartyId],
    id: NotificationId,
) -> Result<StoredNotification, AppError> {
    store
        .notification(incident, id)
        .await?
        .filter(|n| parties.contains(&n.party))
        .ok_or_else(|| AppError::Invalid(format!("notice: no notice {id} of this case")))
}

/// `〒123-4567`, `1234567`, `１２３－４５６７` → `123-4567`.
pub fn normalize_postal_code(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            _ => None,
        })
        .collect();
    let rest: String = text.chars().filter(|c| !c.is_ascii_digit() && !('０'..='９').contains(c)).collect();
    let rest_ok = rest.chars().all(|c| matches!(c, '〒' | '-' | '－' | 'ー' | '‐' | ' ' | '　'));
    let (head, tail) = digits.split_at_checked(3)?;
    (digits.len() == 7 && rest_ok).then(|| format!("{head}-{tail}"))
}

/// Keeps a corrected address for a returned (or bounced) notice and marks it `remailed`: it goes
/// out again with the next posting.
pub async fn remail<S: NotificationStore + ReturnStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    parties: &[PartyId],
    id: NotificationId,
    postal_code: &str,
    address: &str,
) -> Result<(), AppError> {
    let Some(postal_code) = normalize_postal_code(postal_code) else {
        return Err(AppError::Invalid("postal code: expected seven digits such as 344-8577".into()));
    };
    let address = address.trim();
    if address.is_empty() || address.chars().count() > 200 {
        return Err(AppError::Invalid("address: expected the corrected address (at most 200 characters)".into()));
    }
    let n = notice_of(store, incident, parties, id).await?;
    if !matches!(n.status, NotificationStatus::Returned | NotificationStatus::Bounced) {
        return Err(AppError::Invalid(format!("notice: {id} is `{}`, not returned", n.status.key())));
    }
    let change = StatusChange {
        from: n.status,
        to: NotificationStatus::Remailed,
        attempt: false,
        detail: None,
        error: None,
        message_id: None,
    };
    let address = PostalAddress { postal_code, address: address.to_string() };
    if !store.readdress_notification(actor, incident, id, &address, &change).await? {
        return Err(AppError::Invalid("notice: it changed meanwhile; try again".into()));
    }
    Ok(())
}

/// Records a publication of `party`'s substitute notice (代替措置): where (a URL or a place), from
/// when, until when.
pub async fn publish_substitute<S: ReturnStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    party: PartyId,
    place: &str,
    from: Date,
    to: Option<Date>,
) -> Result<(), AppError> {
    let place = place.trim();
    if place.is_empty() || place.chars().count() > 300 {
        return Err(AppError::Invalid(
            "place: expected the URL or place of publication (at most 300 characters)".into(),
        ));
    }
    if to.is_some_and(|to| to < from) {
        return Err(AppError::Invalid("to: the publication cannot end before it starts".into()));
    }
    let publication = SubstitutePublication { place: place.to_string(), from, to };
    store.add_substitute_publication(actor, incident, party, &publication).await?;
    Ok(())
}

/// Gives up on reaching a person by their notice (returned, bounced, failed): they are reached by
/// the party's substitute notice, which must have been published.
pub async fn move_to_substitute<S: NotificationStore + ReturnStore + Sync>(
    store: &S,
    actor: &Actor,
    incident: IncidentId,
    parties: &[PartyId],
    id: NotificationId,
) -> Result<(), AppError> {
    let n = notice_of(store, incident, parties, id).await?;
    if !matches!(n.status, NotificationStatus::Returned | NotificationStatus::Bounced | NotificationStatus::Failed) {
        return Err(AppError::Invalid(format!("notice: {id} is `{}`, not returned or failed", n.status.key())));
    }
    let publications = store.substitute_publications(incident, Some(n.party)).await?;
    let Some(latest) = publications.last() else {
        return Err(AppError::Invalid(
            "notice: record where the substitute notice is published before moving anyone to it".into(),
        ));
    };
    let detail = format!("publication {}", latest.id);
    let change = StatusChange {
        from: n.status,
        to: NotificationStatus::Substitute,
        attempt: false,
        detail: Some(&detail),
        error: None,
        message_id: None,
    };
    if !store.change_notifications(actor, incident, &[(id, change)]).await? {
        return Err(AppError::Invalid("notice: it changed meanwhile; try again".into()));
    }
    Ok(())
}
