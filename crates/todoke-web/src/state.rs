//! What every handler shares.

use std::sync::Arc;
use todoke_core::Clock;
use todoke_rules::Packs;
use todoke_store::{Db, Store};

/// How many requests may list the incidents at once (the SQLite pool has 8 connections).
const LIST_CALLERS: usize = 2;

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
    /// Few callers at a time for the incident list: see [`AppState::incidents`].
    list_gate: Arc<tokio::sync::Semaphore>,
}

impl<D: Db> Clone for AppState<D> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            clock: self.clock.clone(),
            packs: self.packs.clone(),
            cache: self.cache.clone(),
            list_gate: self.list_gate.clone(),
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
            list_gate: Arc::new(tokio::sync::Semaphore::new(LIST_CALLERS)),
        })
    }

    /// Every incident. The store's list holds a connection while it takes another for each
    /// incident's parties, so that as many concurrent callers as the pool has connections wait on
    /// each other until the pool's timeout (50 users on the dashboard: no answer for 30 s). Letting
    /// only a few list at once leaves the pool enough connections to finish them.
    pub async fn incidents(&self) -> Result<Vec<todoke_store::IncidentSummary>, todoke_store::StoreError> {
        let _permit = self.list_gate.acquire().await.map_err(|e| todoke_store::StoreError::Corrupt(e.to_string()))?;
        todoke_store::IncidentStore::incidents(&self.store).await
    }

    /// Today in Japan (JST has no daylight saving, so a fixed offset is exact).
    pub fn today(&self) -> jiff::civil::Date {
        let jst = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
        self.clock.now().to_zoned(jst).date()
    }
}
