//! `todoke serve --tls-cert --tls-key`: HTTPS with a certificate the test makes, HSTS, the client's
//! address kept for the sign-in limit, plain HTTP refused, and clear errors for bad flags and files.

use crate::Env;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A self-signed certificate for localhost and 127.0.0.1, written as PEM files into `dir`.
struct Cert {
    cert: PathBuf,
    key: PathBuf,
    der: rustls::pki_types::CertificateDer<'static>,
}

fn make_cert(dir: &Path) -> Cert {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    Cert { cert, key, der: made.cert.der().clone() }
}

/// The server, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `todoke serve` with the certificate; returns the server, its first line and its port.
fn start(env: &Env, cert: &Cert) -> (Server, String, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_todoke"))
        .args(["--database", &env.database, "serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert.cert)
        .arg("--tls-key")
        .arg(&cert.key)
        .current_dir(env.dir.path())
        .env("TODOKE_MASTER_KEY", &env.master_key)
        .env_remove("TODOKE_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Server(child);
    let first = lines.next().unwrap().unwrap();
    let port = first
        .strip_prefix("todoke: https://localhost:")
        .unwrap_or_else(|| panic!("{first}"))
        .trim_end_matches('/')
        .parse()
        .unwrap();
    // The rest of stdout is read so that the server never blocks writing it.
    std::thread::spawn(move || lines.for_each(drop));
    (server, first, port)
}

/// A client that trusts only `cert`, offering `alpn`, over the given TLS versions.
fn client(
    cert: &Cert,
    alpn: &[&[u8]],
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.der.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

/// Connects over TLS and finishes the handshake.
fn connect(config: Arc<rustls::ClientConfig>, port: u16) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(config, name).unwrap();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).unwrap();
    }
    rustls::StreamOwned::new(conn, tcp)
}

/// Sends one HTTP/1.1 request over TLS and returns the whole response.
fn request(config: Arc<rustls::ClientConfig>, port: u16, head: &str, body: &str) -> String {
    let mut stream = connect(config, port);
    let message =
        format!("{head}\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}", body.len());
    stream.write_all(message.as_bytes()).unwrap();
    let mut response = Vec::new();
    // The server may close without close_notify once it has answered; what came before counts.
    if let Err(e) = stream.read_to_end(&mut response) {
        assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof, "{e}");
    }
    String::from_utf8(response).unwrap()
}

#[test]
fn serve_over_tls_answers_with_hsts_and_refuses_plain_http() {
    let env = Env::sqlite();
    let cert = make_cert(env.dir.path());
    let (_server, first, port) = start(&env, &cert);
    assert_eq!(first, format!("todoke: https://localhost:{port}/"));

    let http11 = client(&cert, &[b"http/1.1"], rustls::DEFAULT_VERSIONS);
    let response = request(http11.clone(), port, "GET /healthz HTTP/1.1", "");
    assert!(response.starts_with("HTTP/1.1 200") && response.ends_with("ok"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("\r\nstrict-transport-security: max-age=31536000\r\n"),
        "{response}"
    );

    // A browser is offered HTTP/2; TLS 1.3 is preferred and 1.2 still served.
    let stream = connect(client(&cert, &[b"h2", b"http/1.1"], rustls::DEFAULT_VERSIONS), port);
    assert_eq!(stream.conn.alpn_protocol(), Some(&b"h2"[..]));
    assert_eq!(stream.conn.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));
    let tls12 = client(&cert, &[b"http/1.1"], &[&rustls::version::TLS12]);
    let response = request(tls12, port, "GET /healthz HTTP/1.1", "");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    // Plain HTTP on the TLS port gets no page, and the failed handshake leaves the server serving.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).unwrap();
    plain.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = plain.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/"), "{}", String::from_utf8_lossy(&answer));
    let response = request(http11.clone(), port, "GET /healthz HTTP/1.1", "");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    // The sign-in limit still counts per client address: the server knows it over TLS too.
    let form = "login=nobody&password=wrong";
    let head = "POST /sign-in HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded";
    for _ in 0..todoke_web::SIGN_INS_PER_MINUTE {
        let response = request(http11.clone(), port, head, form);
        assert!(!response.starts_with("HTTP/1.1 429"), "{response}");
    }
    let response = request(http11, port, head, form);
    assert!(response.starts_with("HTTP/1.1 429"), "{response}");
}

#[test]
fn serve_tls_flags_and_files_are_checked() {
    let env = Env::sqlite();
    let cert = make_cert(env.dir.path());
    let cert_path = cert.cert.to_str().unwrap();
    let key_path = cert.key.to_str().unwrap();

    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert_path]);
    assert!(err.contains("--tls-key"), "{err}");
    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--tls-key", key_path]);
    assert!(err.contains("--tls-cert"), "{err}");

    let garbage = env.dir.path().join("garbage.key");
    std::fs::write(&garbage, "not a key\n").unwrap();
    let garbage = garbage.to_str().unwrap();
    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert_path, "--tls-key", garbage]);
    assert!(err.contains(garbage), "{err}");

    // A key where the certificate belongs: the message says a certificate was expected there.
    let err =
        env.fails(&["--lang", "en", "serve", "--listen", "127.0.0.1:0", "--tls-cert", key_path, "--tls-key", key_path]);
    assert!(err.contains(&format!("no PEM certificate found in {key_path}")), "{err}");
    assert!(!err.contains("PRIVATE KEY"), "no key material in {err}");

    let missing = env.dir.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", missing, "--tls-key", key_path]);
    assert!(err.contains(missing), "{err}");

    // A key that is not the certificate's.
    let elsewhere = env.dir.path().join("other");
    std::fs::create_dir(&elsewhere).unwrap();
    let other = make_cert(&elsewhere);
    let other_key = other.key.to_str().unwrap();
    let err = env.fails(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert_path, "--tls-key", other_key]);
    assert!(err.contains(cert_path) && err.contains(other_key), "{err}");
}
