//! The SMTP server notices go through, and how to reach it. The password is read from the
//! environment ([`PASSWORD_VAR`]), never taken on a command line (where `ps` would show it), and
//! never printed: `Debug` leaves it out.

use crate::AppError;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::time::Duration;
use zeroize::Zeroizing;

/// The environment variable holding the SMTP password.
pub const PASSWORD_VAR: &str = "TODOKE_SMTP_PASSWORD";

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain text: only for a relay on the same host or network (and tests).
    None,
    /// STARTTLS on the submission port (587), required: a server that does not offer it is refused.
    #[default]
    StartTls,
    /// TLS from the first byte (465).
    Tls,
}

impl Security {
    /// Reads `none`, `starttls` or `tls`.
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "none" => Some(Self::None),
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }

    /// The port a server usually listens on with this security.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::StartTls => 587,
            Self::Tls => 465,
        }
    }
}

/// The SMTP server and the sending pace.
#[derive(Clone)]
pub struct SmtpConfig {
    /// The server's host name (checked against its certificate with TLS).
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub security: Security,
    /// The user to sign in as, if the server wants it.
    pub username: Option<String>,
    /// The password (from [`PASSWORD_VAR`]).
    pub password: Option<Zeroizing<String>>,
    /// The sender: `notice@city.example.jp` or `春日部市 <notice@city.example.jp>`.
    pub from: String,
    /// At most this many messages a second (mail servers throttle or block bursts).
    pub rate_per_second: f64,
    /// How many times a temporary refusal (4xx) is retried before the notice counts as failed.
    pub retries: u32,
    /// The wait before the first retry; it doubles with each further one.
    pub retry_delay: Duration,
    /// How long to wait for the server at each step.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .field("from", &self.from)
            .field("rate_per_second", &self.rate_per_second)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// A configuration for `host` with the usual port of `security`, one message a second, three
    /// retries a minute apart, and the password from the environment if set there.
    pub fn new(host: &str, security: Security, from: &str) -> Self {
        Self {
            host: host.to_string(),
            port: security.default_port(),
            security,
            username: None,
            password: password_from_env(),
            from: from.to_string(),
            rate_per_second: 1.0,
            retries: 3,
            retry_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
        }
    }

    /// Checks what can be checked before connecting.
    pub fn check(&self) -> Result<(), AppError> {
        if self.host.trim().is_empty() {
            return Err(AppError::Invalid("smtp host: expected the SMTP server's host name".into()));
        }
        if !(self.rate_per_second.is_finite() && self.rate_per_second > 0.0) {
            return Err(AppError::Invalid("rate: expected a number of messages per second above 0".into()));
        }
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(AppError::Invalid(format!(
                "from: `{}` is not an e-mail address (notice@city.example.jp or 名前 <notice@city.example.jp>)",
                self.from
            )));
        }
        if self.password.is_some() && self.username.is_none() {
            return Err(AppError::Invalid(format!("smtp user: {PASSWORD_VAR} is set, expected the user too")));
        }
        Ok(())
    }

    /// The transport to the server: one connection kept open and reused.
    pub(crate) fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, AppError> {
        let tls = |wrap: fn(TlsParameters) -> Tls| {
            TlsParameters::new(self.host.clone())
                .map(wrap)
                .map_err(|e| AppError::Invalid(format!("smtp host `{}`: cannot set up TLS: {e}", self.host)))
        };
        let tls = match self.security {
            Security::None => Tls::None,
            Security::StartTls => tls(Tls::Required)?,
            Security::Tls => tls(Tls::Wrapper)?,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.host.as_str())
            .port(self.port)
            .tls(tls)
            .timeout(Some(self.timeout));
        if let Some(user) = &self.username {
            let password = self.password.as_ref().map(|p| p.to_string()).unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(builder.build())
    }
}

/// The password from [`PASSWORD_VAR`], if set and not empty.
pub fn password_from_env() -> Option<Zeroizing<String>> {
    std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty()).map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows_in_debug_output() {
        let mut config = SmtpConfig::new("smtp.example.jp", Security::StartTls, "notice@example.jp");
        config.username = Some("notice".into());
        config.password = Some(Zeroizing::new("hunter2-secret".into()));
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("(set)") && shown.contains("smtp.example.jp"), "{shown}");
        assert_eq!(config.port, 587);
        config.check().unwrap();
    }

    #[test]
    fn bad_settings_are_named() {
        let config = SmtpConfig { rate_per_second: 0.0, ..SmtpConfig::new("h", Security::None, "a@b.jp") };
        assert!(config.check().unwrap_err().to_string().contains("rate"));
        let config = SmtpConfig::new("h", Security::None, "not an address");
        assert!(config.check().unwrap_err().to_string().contains("from"));
        assert_eq!(Security::from_key("tls"), Some(Security::Tls));
        assert_eq!(Security::from_key("ssl"), None);
    }
}
