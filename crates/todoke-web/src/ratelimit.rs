//! How often one user may do something, counted in memory over a sliding window. "Am I affected?"
//! tells whether a person is on a list, so trying names by the thousand must not be possible.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` events per `window` for each key.
#[derive(Debug)]
pub struct RateLimit {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// Above this many keys, keys with nothing left in their window are forgotten.
const TIDY_ABOVE: usize = 1024;

impl RateLimit {
    /// A limit of `max` events per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max, window, seen: Mutex::default() }
    }

    /// Whether `key` may act now; counts the event when it may.
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    fn allow_at(&self, key: &str, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else { return false };
        let live = |t: &Instant| now.saturating_duration_since(*t) < self.window;
        if seen.len() > TIDY_ABOVE {
            seen.retain(|_, times| times.back().is_some_and(live));
        }
        let times = seen.entry(key.to_string()).or_default();
        while times.front().is_some_and(|t| !live(t)) {
            times.pop_front();
        }
        if times.len() >= self.max {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_above_the_limit_until_the_window_moves_on() {
        let limit = RateLimit::new(3, Duration::from_secs(60));
        let start = Instant::now();
        assert!((0..3).all(|i| limit.allow_at("a", start + Duration::from_secs(i))));
        assert!(!limit.allow_at("a", start + Duration::from_secs(10)));
        assert!(limit.allow_at("b", start + Duration::from_secs(10)), "each key has its own count");
        assert!(limit.allow_at("a", start + Duration::from_secs(60)), "the first event left the window");
        assert!(!limit.allow_at("a", start + Duration::from_secs(60)), "three in the window again");
    }
}
