//! Injected time, so that deadlines, audit entries and ids are testable.

use jiff::Timestamp;
use std::sync::Mutex;

/// The source of the current time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The day in Japan at an instant: deadlines count in Japanese days (JST has no daylight saving,
/// so a fixed offset is exact).
pub fn japan_date(at: Timestamp) -> jiff::civil::Date {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9))).date()
}

/// The real clock of the machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock for tests: it says what it was set to, and can be moved.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    /// A clock standing at `at`.
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        if let Ok(mut now) = self.0.lock() {
            *now = at;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        match self.0.lock() {
            Ok(now) => *now,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}
