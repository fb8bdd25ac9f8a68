//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;
use todoke_core::Clock;
use todoke_rules::Packs;
use todoke_store::{Db, Store};

/// The application's state: the store, the clock and the rule packs.
pub struct AppState<D: Db> {
    /// The store.
    pub store: Store<D>,
    /// The clock (deadlines count from today in Japan).
    pub clock: Arc<dyn Clock>,
    /// The rule packs, loaded and checked once.
    pub packs: Arc<Packs>,
    /// Assessments kept between requests, keyed by the facts they were made from.
    pub(crate) cache: Arc<crate::cache::AssessmentCache>,
    /// "Am I affected?" questions per user (see [`LOOKUPS_PER_MINUTE`]).
    pub(crate) lookups: Arc<crate::ratelimit::RateLimit>,
    /// Sign-in attempts per client address (see [`SIGN_INS_PER_MINUTE`]).
    pub(crate) sign_ins: Arc<crate::ratelimit::RateLimit>,
    /// The SMTP server e-mail notices go through, when the server was given one.
    pub(crate) smtp: Option<Arc<todoke_app::campaign::SmtpConfig>>,
    /// E-mail campaigns running or finished since the start, per case and party.
    pub(crate) campaigns: Arc<crate::campaign::Runs>,
    /// Whether this server terminates TLS itself, so that browsers may be told to use only https.
    pub(crate) tls: bool,
    /// The fonts letters are printed in, when the server found them.
    pub(crate) fonts: Option<Arc<todoke_docs::Fonts>>,
    /// The letter jobs this server is printing.
    pub(crate) printing: Arc<crate::campaign_letters::Printing>,
    /// The organization's own documents and plan: its profile (sender, desk, invoice), its
    /// templates and its PLAN.toml (channels and unit costs per party).
    pub(crate) org: Arc<Organization>,
}

/// What an organization sets for its documents and notices; the built-in defaults otherwise.
#[derive(Debug, Default)]
pub struct Organization {
    /// The letterhead, desk and invoice settings.
    pub profile: todoke_docs::Profile,
    /// Templates replacing the built-in ones by name.
    pub templates: todoke_docs::Templates,
    /// Channels and unit costs per party.
    pub plan: todoke_people::PlanConfig,
}

/// How many "am I affected?" questions one user may ask a minute: enough for a call-center
/// operator on the phone, far too few to try names from a telephone directory.
pub const LOOKUPS_PER_MINUTE: usize = 30;

/// How many sign-in attempts one client address may make a minute. Lockout stops guessing one
/// account's password; this stops trying one password across many accounts. An office signing in
/// together behind one address stays well under it.
pub const SIGN_INS_PER_MINUTE: usize = 60;

impl<D: Db> Clone for AppState<D> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            clock: self.clock.clone(),
            packs: self.packs.clone(),
            cache: self.cache.clone(),
            lookups: self.lookups.clone(),
            sign_ins: self.sign_ins.clone(),
            smtp: self.smtp.clone(),
            campaigns: self.campaigns.clone(),
            tls: self.tls,
            fonts: self.fonts.clone(),
            printing: self.printing.clone(),
            org: self.org.clone(),
        }
    }
}

impl<D: Db> AppState<D> {
    /// A state over `store`, with the shipped rule packs.
    pub fn new(store: Store<D>, clock: Arc<dyn Clock>) -> Result<Self, todoke_rules::PackError> {
        Ok(Self {
            store,
            clock,
            packs: Arc::new(Packs::embedded()?),
            cache: Arc::default(),
            lookups: Arc::new(crate::ratelimit::RateLimit::new(LOOKUPS_PER_MINUTE, Duration::from_secs(60))),
            sign_ins: Arc::new(crate::ratelimit::RateLimit::new(SIGN_INS_PER_MINUTE, Duration::from_secs(60))),
            smtp: None,
            campaigns: Arc::default(),
            tls: false,
            fonts: None,
            printing: Arc::default(),
            org: Arc::default(),
        })
    }

    /// The state with an SMTP server for the campaign page's e-mail notices.
    pub fn with_smtp(mut self, config: todoke_app::campaign::SmtpConfig) -> Self {
        self.smtp = Some(Arc::new(config));
        self
    }

    /// The state of a server that terminates TLS itself: every response then carries HSTS. Not for
    /// plain HTTP behind a TLS proxy: the proxy sends HSTS itself.
    pub fn with_tls(mut self) -> Self {
        self.tls = true;
        self
    }

    /// The state with the organization's profile, templates and plan.
    pub fn with_organization(mut self, org: Organization) -> Self {
        self.org = Arc::new(org);
        self
    }

    /// The state with the fonts the campaign page prints letters in.
    pub fn with_fonts(mut self, fonts: todoke_docs::Fonts) -> Self {
        self.fonts = Some(Arc::new(fonts));
        self
    }

    /// Today in Japan.
    pub fn today(&self) -> jiff::civil::Date {
        todoke_core::japan_date(self.clock.now())
    }
}
