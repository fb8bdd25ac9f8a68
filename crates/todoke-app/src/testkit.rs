//! Test support for campaigns: a local SMTP receiver on a loopback port that speaks enough SMTP
//! for lettre (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what arrived, and can refuse a
//! chosen recipient for good (550) or the first time only (451).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use base64::Engine as _;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message the receiver accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub recipients: Vec<String>,
    /// The message as sent (headers and encoded body), dot-unstuffed.
    pub data: String,
}

impl Received {
    /// A header's value, unfolded (`None` when missing).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        let mut current = false;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if current && let Some(v) = value.as_mut() {
                    v.push_str(line);
                }
                continue;
            }
            current = false;
            if let Some((key, v)) = line.split_once(':')
                && key.eq_ignore_ascii_case(name)
                && value.is_none()
            {
                value = Some(v.trim().to_string());
                current = true;
            }
        }
        value
    }

    /// The subject, its RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        decode_words(&self.header("subject").unwrap_or_default())
    }

    /// The body, its base64 or quoted-printable transfer encoding decoded.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let encoding = self.header("content-transfer-encoding").unwrap_or_default().to_ascii_lowercase();
        match encoding.as_str() {
            "base64" => {
                let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap()).unwrap()
            }
            "quoted-printable" => decode_qp(body),
            _ => body.to_string(),
        }
    }
}

/// `=?utf-8?b?…?=` words (adjacent ones joined) decoded; other text kept.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut bytes = Vec::new();
    for token in value.split_whitespace() {
        let word = token.strip_prefix("=?").and_then(|t| t.strip_suffix("?="));
        match word.and_then(|w| {
            let mut parts = w.splitn(3, '?');
            let (_charset, encoding, text) = (parts.next()?, parts.next()?, parts.next()?);
            match encoding {
                "b" | "B" => base64::engine::general_purpose::STANDARD.decode(text).ok(),
                _ => Some(decode_qp(&text.replace('_', " ")).into_bytes()),
            }
        }) {
            Some(decoded) => bytes.extend(decoded),
            None => {
                out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut bytes)));
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(token);
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

fn decode_qp(text: &str) -> String {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 3 <= bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Default)]
struct Shared {
    received: Vec<Received>,
    /// Recipients refused with 550.
    reject: HashSet<String>,
    /// Recipients refused with 451 until they were refused once.
    defer_once: HashSet<String>,
    /// Every RCPT the receiver answered, with its reply code.
    rcpts: Vec<(String, u16)>,
}

/// A running receiver; it stops when dropped.
pub struct SmtpReceiver {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpReceiver {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, state.clone()));
            }
        });
        Self { port, shared, task }
    }

    /// Refuses `address` for good (550 5.1.1).
    pub fn reject(&self, address: &str) {
        self.shared.lock().unwrap().reject.insert(address.to_ascii_lowercase());
    }

    /// Refuses `address` once for now (451 4.3.0), then accepts it.
    pub fn defer_once(&self, address: &str) {
        self.shared.lock().unwrap().defer_once.insert(address.to_ascii_lowercase());
    }

    /// The messages accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Every RCPT answered so far, with its reply code.
    pub fn rcpts(&self) -> Vec<(String, u16)> {
        self.shared.lock().unwrap().rcpts.clone()
    }
}

fn address_of(arg: &str) -> String {
    let inner = arg.split_once('<').and_then(|(_, rest)| rest.split_once('>')).map_or(arg, |(a, _)| a);
    inner.trim().to_ascii_lowercase()
}

async fn session(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: &str| format!("{text}\r\n");
    if write.write_all(reply("220 localhost ESMTP todoke-test").as_bytes()).await.is_err() {
        return;
    }
    let mut from = String::new();
    let mut recipients: Vec<String> = Vec::new();
    loop {
        let mut line = String::new();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let (verb, arg) = line.split_once([' ', ':']).unwrap_or((line, ""));
        let answer = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => "250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8".to_string(),
            "HELO" | "NOOP" => "250 OK".to_string(),
            "RSET" => {
                from.clear();
                recipients.clear();
                "250 OK".to_string()
            }
            "MAIL" => {
                from = address_of(arg);
                recipients.clear();
                "250 2.1.0 OK".to_string()
            }
            "RCPT" => {
                let to = address_of(arg);
                let mut s = shared.lock().unwrap();
                let code = if s.reject.contains(&to) {
                    550
                } else if s.defer_once.remove(&to) {
                    451
                } else {
                    recipients.push(to.clone());
                    250
                };
                s.rcpts.push((to, code));
                match code {
                    550 => "550 5.1.1 No such user here".to_string(),
                    451 => "451 4.3.0 Try again later".to_string(),
                    _ => "250 2.1.5 OK".to_string(),
                }
            }
            "DATA" => {
                if write.write_all(reply("354 End data with <CR><LF>.<CR><LF>").as_bytes()).await.is_err() {
                    return;
                }
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    match lines.read_line(&mut l).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if l == ".\r\n" || l == ".\n" {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').filter(|_| l.starts_with("..")).unwrap_or(&l));
                }
                let mut s = shared.lock().unwrap();
                s.received.push(Received { from: from.clone(), recipients: std::mem::take(&mut recipients), data });
                format!("250 2.0.0 Ok: queued as {}", s.received.len())
            }
            "QUIT" => {
                let _ = write.write_all(reply("221 2.0.0 Bye").as_bytes()).await;
                return;
            }
            _ => "502 5.5.2 Command not recognized".to_string(),
        };
        if write.write_all(reply(&answer).as_bytes()).await.is_err() {
            return;
        }
    }
}
