//! A minimal WebDriver client (W3C protocol: JSON over HTTP/1.1) for the browser tests, speaking to
//! Debian's `chromedriver` on loopback. Only the commands the tests use.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use tokio::net::TcpStream;

pub struct Driver {
    process: Child,
    port: u16,
    /// Chromium's temporary folder: a killed browser leaves its profile copies there, removed
    /// with the folder instead of piling up in /tmp.
    _tmp: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    /// Starts chromedriver, or `None` when it is not installed.
    pub async fn start() -> Option<Self> {
        let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())?;
        let port = free_port();
        let tmp = tempfile::tempdir().ok()?;
        let process = Command::new(path)
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let driver = Self { process, port, _tmp: tmp };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Some(driver);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        None
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (port, method, path) = (self.port, method.to_string(), path.to_string());
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let value = tokio::task::spawn_blocking(move || exchange(port, &method, &path, &body)).await.unwrap();
        if let Some(error) = value["value"]["error"].as_str() {
            panic!("webdriver: {error}: {}", value["value"]["message"]);
        }
        value["value"].clone()
    }

    /// A new headless browser session.
    pub async fn session(&self) -> Session<'_> {
        let caps = json!({ "capabilities": { "alwaysMatch": { "browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,2000"]
        } } } });
        let value = self.call("POST", "/session", Some(caps)).await;
        Session { driver: self, id: value["sessionId"].as_str().unwrap().to_string() }
    }
}

/// One request and its response, on a blocking socket with timeouts.
fn exchange(port: u16, method: &str, path: &str, body: &str) -> Value {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(90))).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    // Read the head, then exactly the body it announces: the driver keeps the connection open.
    let mut response = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        let n = stream.read(&mut chunk).unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        response.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&response).into_owned();
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let lower = head.to_ascii_lowercase();
            let length = lower
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let json = match length {
                Some(len) if rest.len() >= len => Some(rest[..len].to_string()),
                None if lower.contains("transfer-encoding: chunked") && rest.contains("\r\n0\r\n") => {
                    Some(dechunk(rest))
                }
                _ => None,
            };
            if let Some(json) = json {
                return serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
            }
        }
        assert!(n > 0, "webdriver closed the connection early");
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    pub async fn go(&self, url: &str) {
        self.driver.call("POST", &format!("/session/{}/url", self.id), Some(json!({ "url": url }))).await;
    }

    pub async fn url(&self) -> String {
        self.driver.call("GET", &format!("/session/{}/url", self.id), None).await.as_str().unwrap().to_string()
    }

    pub async fn source(&self) -> String {
        self.driver.call("GET", &format!("/session/{}/source", self.id), None).await.as_str().unwrap().to_string()
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .driver
            .call(
                "POST",
                &format!("/session/{}/element", self.id),
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        // The reference is the one value of the object (keyed by the W3C element identifier).
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.driver
            .call("GET", &format!("/session/{}/element/{e}/text", self.id), None)
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.driver.call("POST", &format!("/session/{}/element/{e}/clear", self.id), Some(json!({}))).await;
        self.driver
            .call("POST", &format!("/session/{}/element/{e}/value", self.id), Some(json!({ "text": text })))
            .await;
    }

    /// Chooses a local file in a file input.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let e = self.find(css).await;
        let path = path.to_str().unwrap();
        self.driver
            .call("POST", &format!("/session/{}/element/{e}/value", self.id), Some(json!({ "text": path })))
            .await;
    }

    /// Waits until `condition` (a JavaScript expression) holds on the page.
    pub async fn wait_until(&self, condition: &str) {
        for _ in 0..200 {
            if self.script(&format!("return Boolean({condition});")).await == json!(true) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("waited in vain for {condition}");
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.driver.call("POST", &format!("/session/{}/element/{e}/click", self.id), Some(json!({}))).await;
    }

    pub async fn script(&self, script: &str) -> Value {
        self.driver
            .call("POST", &format!("/session/{}/execute/sync", self.id), Some(json!({ "script": script, "args": [] })))
            .await
    }

    /// Clicks a submit button and waits until the page it leads to has loaded.
    pub async fn submit(&self, css: &str) {
        self.script("window.todokeOldPage = true; return true;").await;
        self.click(css).await;
        for _ in 0..100 {
            let state = self.script("return [window.todokeOldPage === true, document.readyState];").await;
            if state[0] == json!(false) && state[1] == json!("complete") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the page after clicking {css} did not load");
    }

    /// A PNG of the page.
    pub async fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let v = self.driver.call("GET", &format!("/session/{}/screenshot", self.id), None).await;
        base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap()
    }

    pub async fn close(self) {
        self.driver.call("DELETE", &format!("/session/{}", self.id), None).await;
    }
}
