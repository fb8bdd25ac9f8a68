//! A point in time together with the offset it was observed in, as forensic timelines need:
//! "02:10 JST" and "17:10 UTC" are the same instant but not the same record.

use jiff::fmt::temporal::Pieces;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An instant and the UTC offset it is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetTime {
    /// The instant.
    pub at: Timestamp,
    /// The offset it was observed in.
    pub offset: Offset,
}

impl OffsetTime {
    /// The instant in its own offset.
    pub fn zoned(&self) -> Zoned {
        self.at.to_zoned(TimeZone::fixed(self.offset))
    }
}

/// Why a date-time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a date-time with a UTC offset such as 2024-01-28T02:10:00+09:00, found `{0}`")]
pub struct OffsetTimeError(String);

impl FromStr for OffsetTime {
    type Err = OffsetTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || OffsetTimeError(s.to_string());
        let at: Timestamp = s.parse().map_err(|_| bad())?;
        let offset = Pieces::parse(s).ok().and_then(|pieces| pieces.to_numeric_offset()).ok_or_else(bad)?;
        Ok(Self { at, offset })
    }
}

impl fmt::Display for OffsetTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // RFC 3339 wants `+09:00`; jiff's own `Offset` display would write `+09`.
        let seconds = self.offset.seconds();
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        write!(f, "{}{sign}{:02}:{:02}", self.zoned().datetime(), minutes / 60, minutes % 60)
    }
}

impl Serialize for OffsetTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OffsetTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_offset_it_was_written_in() {
        let t: OffsetTime = "2024-01-28T02:10:00+09:00".parse().unwrap();
        assert_eq!(t.to_string(), "2024-01-28T02:10:00+09:00");
        assert_eq!(t.at.to_string(), "2024-01-27T17:10:00Z");
        let utc: OffsetTime = "2024-01-27T17:10:00Z".parse().unwrap();
        assert_eq!(utc.at, t.at);
        assert_eq!(utc.to_string(), "2024-01-27T17:10:00+00:00");
        let west: OffsetTime = "2024-01-27T12:10:00-05:00".parse().unwrap();
        assert_eq!(west.at, t.at);
        assert_eq!(west.to_string(), "2024-01-27T12:10:00-05:00");
    }

    #[test]
    fn rejects_a_time_without_offset() {
        assert!("2024-01-28T02:10:00".parse::<OffsetTime>().is_err());
        assert!("yesterday".parse::<OffsetTime>().is_err());
    }
}
