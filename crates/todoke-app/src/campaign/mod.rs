//! Notice campaigns (本人通知): a party's notices planned from its stored people, then the e-mail
//! ones sent through an SMTP server.
//!
//! - [`plan_party`] runs the people plan (`todoke-people`: 名寄せ and the channel rule, exactly as
//!   `todoke people plan` does) over the party's stored list and stores one notice per person on the
//!   chosen channel. Planning again adds nothing.
//! - [`send_email`] sends the party's e-mail notices: throttled, retried on temporary refusals,
//!   never twice. Each notice is claimed (`sending`, one attempt more) in the store before its SMTP
//!   transaction and marked `sent` after; a notice left in `sending` (a crash, a lost connection)
//!   may or may not have gone, so it is reported and sent again only when asked for explicitly.
//! - [`record_bounce`] records a bounce that came back later, by the e-mail's Message-ID.
//! - [`record_posted`], [`record_returns`], [`remail`], [`move_to_substitute`]: letters posted,
//!   returned (返戻), re-mailed to a corrected address, or given up on for the substitute notice.
//! - [`handoff_rows`] and [`handoff_csv`]: the print vendor's file of the letters waiting to go.
//! - [`start_letters`] and [`print_letters`]: the same letters as PDF, printed batch by batch in the
//!   background and resumable.
//! - [`dashboards`] counts each party's campaign over time; [`item6_text`] makes 確報 item 6 of it.
//!
//! Nothing personal reaches the store's notices, the history, the audit log or the errors: the
//! address is read from the sealed record when a notice is sent, and SMTP refusals are kept as
//! their reply codes (a refusal's text often quotes the address).

mod dashboard;
mod email;
mod handoff;
mod letters;
mod notice;
mod plan;
mod post;
mod returns;
mod smtp;

pub use dashboard::{Figures, PartyDashboard, dashboards, dashboards_of, item6_text, with_item6};
pub(crate) use email::Pace;
pub use email::{SendOptions, SendReport, record_bounce, send_email};
pub use handoff::{HandoffRow, handoff_csv, handoff_rows};
pub use letters::{LETTER_BATCH, letter_body, print_letters, start_letters};
pub use notice::{NoticeText, notice_text};
pub use plan::{PartyPlan, plan_party};
pub use post::{Posted, move_to_substitute, normalize_postal_code, publish_substitute, record_posted, remail};
pub use returns::{ReturnReason, ReturnRow, RowError, parse_day, read_returns, record_returns, upload_returns};
pub use smtp::{PASSWORD_VAR, Security, SmtpConfig};

#[cfg(test)]
mod letters_tests;
#[cfg(test)]
mod returns_tests;
#[cfg(test)]
mod tests;
