//! Identifier newtypes, so that an incident id can never be passed where a person id is expected.
//! All are UUIDv7 (time-ordered); they are made by the store, which owns the clock.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// The id as a UUID.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// An organization (a business, a city, a hospital).
    OrgId,
    /// An incident (a case).
    IncidentId,
    /// One organization's part in an incident.
    PartyId,
    /// An affected person.
    PersonId,
    /// A user account.
    UserId,
    /// An event on an incident's timeline.
    TimelineEventId,
    /// A task or recurrence-prevention measure.
    TaskId,
    /// A report to an authority.
    ReportId,
    /// An inquiry from the public.
    InquiryId,
    /// A published notice kept in the casebook.
    NoticeId,
    /// One notice to one affected person on one channel.
    NotificationId,
);
