//! Hostile endpoints: real servers on loopback that each misbehave in one
//! way, so every probe can be shown to end with its own true reason, never a
//! hang, a panic or an unbounded read.
//!
//! [`HostileLab::start`] binds every endpoint of [`ENDPOINTS`] on a free
//! loopback port (`ipv6-only` on `[::1]` alone, skipped with a note when
//! `::1` is unavailable) and returns once all listen. Everything is
//! bounded: each server accepts at most [`HostileConfig::max_connections`]
//! connections and then closes its port, each connection lives at most
//! [`HostileConfig::lifetime`], every endless answer stops after
//! [`ENDLESS_BUDGET`] bytes, and dropping the lab (or [`HostileLab::stop`])
//! ends them all. The TLS servers are rustls with certificates from the lab
//! PKI ([`super::pki`]) for `NAME.hostile.lab.strata.test`, so the lab root
//! CA verifies them. `docs/hostile-lab.md` lists what Strata reports for
//! each.

use super::pki::{LabPki, LeafKind, SERVICE_KEY};
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rcgen::{CustomExtension, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// Every hostile endpoint: name and what it does.
pub const ENDPOINTS: &[(&str, &str)] = &[
    (
        "accept-never-read",
        "accepts the TCP connection and never reads or writes",
    ),
    (
        "read-never-answer",
        "reads everything the client sends and never answers",
    ),
    (
        "slow-handshake",
        "a real rustls server behind a relay that passes its answer on at one byte per second",
    ),
    (
        "slow-http",
        "completes the TLS handshake, then sends its HTTP answer one byte per second",
    ),
    (
        "garbage",
        "answers the ClientHello with bytes that are neither TLS nor HTTP",
    ),
    (
        "reset",
        "resets the connection (SO_LINGER 0, then close) right after accepting it",
    ),
    (
        "fin",
        "closes its side (TCP FIN) right after accepting, and reads whatever comes",
    ),
    (
        "tls-alert",
        "answers the ClientHello with a fatal handshake_failure alert",
    ),
    (
        "lone-server-hello",
        "answers the ClientHello with a TLS 1.2 ServerHello and then nothing",
    ),
    ("tls-no-http", "a valid TLS server that never answers the HTTP request"),
    ("endless-header-line", "a 200 whose first header line never ends"),
    ("many-headers", "a 200 with 10,000 headers"),
    ("endless-body", "a 200 with a chunked body that never ends"),
    (
        "endless-continue",
        "answers with `100 Continue`, again and again, never a final answer",
    ),
    (
        "huge-chain",
        "serves a certificate chain over 200 KB (its leaf and issuer, then four padding CA certificates with 50 KiB extensions)",
    ),
    (
        "h2-only",
        "offers only h2 in ALPN and refuses http/1.1 with no_application_protocol",
    ),
    (
        "no-close-notify",
        "an HTTP/1.0 200 whose body ends with a TCP close and no TLS close_notify",
    ),
    (
        "bogus-chunking",
        "a 200 with Transfer-Encoding: chunked and an invalid chunk size",
    ),
    (
        "redirect-port",
        "a 302 to another loopback port, not declared anywhere (a trap that counts connections)",
    ),
    ("redirect-name", "a 302 to a name that is not loopback"),
    ("ipv6-only", "a healthy TLS server listening on [::1] only"),
    (
        "drop-syn",
        "a listener whose accept queue (backlog 0) is full and never drained: the kernel drops every new SYN, as a firewall that drops packets does",
    ),
];

/// Where `redirect-name` points: a reserved name that is not loopback.
pub const FOREIGN_LOCATION: &str = "https://login.strata-redirect.example/followed";

/// Most bytes any endless answer writes on one connection.
pub const ENDLESS_BUDGET: usize = 64 * 1024 * 1024;

/// Headers sent by `many-headers`.
pub const MANY_HEADERS: usize = 10_000;

/// Bytes of each private extension of the `huge-chain` leaf (four of them).
const PADDING_EXTENSION: usize = 50 * 1024;

/// Most bytes a server reads of a request head or a ClientHello.
const MAX_REQUEST: usize = 16 * 1024;

/// Limit for reading a request head or a ClientHello.
const READ_LIMIT: Duration = Duration::from_secs(5);

/// The DNS name an endpoint's certificate is issued for.
pub fn server_name(name: &str) -> String {
    format!("{name}.hostile.lab.strata.test")
}

/// Limits of a hostile lab.
#[derive(Debug, Clone)]
pub struct HostileConfig {
    /// Connections each server accepts before it closes its port.
    pub max_connections: usize,
    /// Longest life of one connection.
    pub lifetime: Duration,
}

impl Default for HostileConfig {
    fn default() -> Self {
        HostileConfig {
            // An audit opens ~100 connections per endpoint (the suite
            // enumeration alone up to 95 hellos): a lower cap closed ports
            // mid-audit, depending on which probe came first.
            max_connections: 512,
            lifetime: Duration::from_secs(30),
        }
    }
}

/// One running hostile endpoint.
#[derive(Debug, Clone)]
pub struct HostileEndpoint {
    /// Name from [`ENDPOINTS`].
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Address it listens on (loopback).
    pub addr: SocketAddr,
    /// The name its certificate is issued for.
    pub server_name: String,
}

impl HostileEndpoint {
    /// `https://127.0.0.1:PORT/` (`https://[::1]:PORT/` for IPv6).
    pub fn url(&self) -> String {
        match self.addr.ip() {
            IpAddr::V6(ip) => format!("https://[{ip}]:{}/", self.addr.port()),
            IpAddr::V4(ip) => format!("https://{ip}:{}/", self.addr.port()),
        }
    }
}

/// The running hostile endpoints. Dropping it stops every server.
pub struct HostileLab {
    /// Every endpoint that started.
    pub endpoints: Vec<HostileEndpoint>,
    /// Endpoints that could not start, and why.
    pub notes: Vec<String>,
    /// The port `redirect-port` points to.
    pub trap_port: u16,
    trap_hits: Arc<AtomicUsize>,
    stop: CancellationToken,
    tasks: JoinSet<()>,
}

impl Drop for HostileLab {
    fn drop(&mut self) {
        self.stop.cancel();
        self.tasks.abort_all();
    }
}

/// What one endpoint does, and what it needs.
#[derive(Clone)]
struct Plan {
    name: &'static str,
    tls: Option<TlsAcceptor>,
    trap_port: u16,
    lifetime: Duration,
}

impl HostileLab {
    /// Starts every endpoint; returns once all of them listen.
    pub async fn start(config: &HostileConfig) -> Result<HostileLab, String> {
        let pki = LabPki::new(time::OffsetDateTime::now_utc())?;
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut endpoints = Vec::new();
        let mut notes = Vec::new();
        let max = config.max_connections.max(1);

        // The trap `redirect-port` points to: it counts who comes.
        let trap = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| format!("hostile lab: cannot listen for the redirect trap: {e}"))?;
        let trap_port = trap.local_addr().map_err(|e| e.to_string())?.port();
        let trap_hits = Arc::new(AtomicUsize::new(0));
        tasks.spawn(count_connections(trap, trap_hits.clone(), max, stop.clone()));

        for &(name, description) in ENDPOINTS {
            let host = if name == "ipv6-only" {
                IpAddr::V6(Ipv6Addr::LOCALHOST)
            } else {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            };
            let bound = if name == "drop-syn" {
                full_queue(SocketAddr::new(host, 0)).await
            } else {
                TcpListener::bind(SocketAddr::new(host, 0)).await
            };
            let listener = match bound {
                Ok(l) => l,
                Err(e) if host.is_ipv6() => {
                    notes.push(format!("`{name}` not started: cannot listen on [::1]: {e}"));
                    continue;
                }
                Err(e) => return Err(format!("hostile lab: cannot listen for `{name}`: {e}")),
            };
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let sni = server_name(name);
            let tls = tls_acceptor(name, &pki, &sni)?;
            let plan = Plan {
                name,
                tls,
                trap_port,
                lifetime: config.lifetime,
            };
            tasks.spawn(serve(listener, plan, max, stop.clone()));
            endpoints.push(HostileEndpoint {
                name,
                description,
                addr,
                server_name: sni,
            });
        }
        Ok(HostileLab {
            endpoints,
            notes,
            trap_port,
            trap_hits,
            stop,
            tasks,
        })
    }

    /// `(name, port)` of every endpoint that started.
    pub fn ports(&self) -> Vec<(&'static str, u16)> {
        self.endpoints.iter().map(|e| (e.name, e.addr.port())).collect()
    }

    /// The endpoint called `name`, if it started.
    pub fn endpoint(&self, name: &str) -> Option<&HostileEndpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Connections the redirect trap received (anything that followed the
    /// `redirect-port` redirect).
    pub fn trap_connections(&self) -> usize {
        self.trap_hits.load(Ordering::SeqCst)
    }

    /// Stops every server and waits for them.
    pub async fn stop(mut self) {
        self.stop.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

fn err(e: impl std::fmt::Display) -> String {
    format!("hostile lab: {e}")
}

/// The TLS side of an endpoint, `None` for the ones that never get there.
fn tls_acceptor(name: &str, pki: &LabPki, sni: &str) -> Result<Option<TlsAcceptor>, String> {
    let served = match name {
        "accept-never-read" | "read-never-answer" | "garbage" | "reset" | "fin" | "tls-alert" | "lone-server-hello"
        | "drop-syn" => {
            return Ok(None);
        }
        "huge-chain" => huge_chain(pki, sni)?,
        _ => pki.issue(LeafKind::Good, sni)?,
    };
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(served.chain, served.key)
        .map_err(err)?;
    config.alpn_protocols = if name == "h2-only" {
        vec![b"h2".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}

/// A good leaf for `sni` and its issuer, followed by four padding CA
/// certificates each carrying a private non-critical extension of 50 KiB:
/// a chain of over 200 KB. (One certificate cannot carry it all: DER
/// parsers, webpki included, refuse lengths over 64 KiB.)
fn huge_chain(pki: &LabPki, sni: &str) -> Result<super::pki::Served, String> {
    let mut served = pki.issue(LeafKind::Good, sni)?;
    let key = KeyPair::from_pem(SERVICE_KEY).map_err(err)?;
    for i in 0..4u64 {
        let mut params = rcgen::CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Strata Lab");
        dn.push(DnType::CommonName, format!("Strata Lab Padding CA {}", i + 1));
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        params.not_before = pki.now() - time::Duration::days(1);
        params.not_after = pki.now() + time::Duration::days(30);
        // 1.3.6.1.4.1.55555 is no one's arc in practice; this is padding.
        let oid = [1, 3, 6, 1, 4, 1, 55555, 1, i + 1];
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(&oid, vec![b'P'; PADDING_EXTENSION]));
        let cert = params.self_signed(&key).map_err(err)?;
        served.chain.push(cert.der().clone());
    }
    Ok(served)
}

/// Counts connections and closes them.
async fn count_connections(listener: TcpListener, hits: Arc<AtomicUsize>, max: usize, stop: CancellationToken) {
    for _ in 0..max {
        tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => {
                if accepted.is_ok() {
                    hits.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
    }
}

/// A listener with a backlog of 0 whose one queue slot is taken by a
/// connection of our own that is never accepted: every later SYN is
/// dropped by the kernel, so connecting times out (loopback's stand-in for
/// a firewall that drops packets). The filler connection lives in the
/// listener's task ([`serve`] holds it until the lab stops).
async fn full_queue(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.bind(addr)?;
    let listener = socket.listen(0)?;
    Ok(listener)
}

/// Accepts up to `max` connections, each handled under the lifetime and the
/// stop token; then the port closes. `drop-syn` accepts nothing: it fills
/// its queue and holds it until stopped.
async fn serve(listener: TcpListener, plan: Plan, max: usize, stop: CancellationToken) {
    if plan.name == "drop-syn" {
        let filler = match listener.local_addr() {
            Ok(addr) => tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await,
            Err(_) => return,
        };
        stop.cancelled().await;
        drop((filler, listener));
        return;
    }
    for _ in 0..max {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let (plan, stop) = (plan.clone(), stop.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::timeout(plan.lifetime, handle(tcp, &plan)) => {}
            }
        });
    }
}

/// One connection, per endpoint.
async fn handle(mut tcp: TcpStream, plan: &Plan) {
    match plan.name {
        "accept-never-read" => {
            std::future::pending::<()>().await;
        }
        "read-never-answer" => drain(&mut tcp).await,
        "garbage" => {
            if read_record(&mut tcp).await {
                let junk: Vec<u8> = (0..512u32).map(|i| (i.wrapping_mul(151) % 251) as u8).collect();
                let mut answer = vec![0x00, 0xff];
                answer.extend_from_slice(b"STRATA-GARBAGE");
                answer.extend_from_slice(&junk);
                let _ = tcp.write_all(&answer).await;
                close_after_drain(tcp).await;
            }
        }
        "reset" => {
            let _ = tcp.set_zero_linger();
            drop(tcp);
        }
        "fin" => close_after_drain(tcp).await,
        "tls-alert" => {
            if read_record(&mut tcp).await {
                // level fatal (2), handshake_failure (40)
                let _ = tcp.write_all(&[21, 3, 3, 0, 2, 2, 40]).await;
                close_after_drain(tcp).await;
            }
        }
        "lone-server-hello" => {
            if read_record(&mut tcp).await {
                let _ = tcp.write_all(&server_hello()).await;
                drain(&mut tcp).await;
            }
        }
        "slow-handshake" => {
            if let Some(acceptor) = &plan.tls {
                trickle_relay(tcp, acceptor.clone()).await;
            }
        }
        "ipv6-only" | "redirect-port" | "redirect-name" => {
            if let Some(acceptor) = &plan.tls
                && let Ok(Ok(tls)) = tokio::time::timeout(READ_LIMIT, acceptor.accept(tcp)).await
            {
                serve_http(tls, plan).await;
            }
        }
        _ => {
            if let Some(acceptor) = &plan.tls
                && let Ok(Ok(tls)) = tokio::time::timeout(READ_LIMIT, acceptor.accept(tcp)).await
            {
                raw_http(tls, plan.name).await;
            }
        }
    }
}

/// A TLS 1.2 ServerHello (ECDHE-RSA-AES128-GCM-SHA256, no extensions) in
/// one handshake record.
fn server_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[0x5a; 32]); // random
    body.push(0); // empty session id
    body.extend_from_slice(&[0xc0, 0x2f]); // cipher suite
    body.push(0); // null compression
    let mut msg = vec![2, 0, 0, body.len() as u8];
    msg.extend_from_slice(&body);
    let mut record = vec![22, 3, 3, 0, msg.len() as u8];
    record.extend_from_slice(&msg);
    record
}

/// Reads one TLS record (the ClientHello), bounded in size and time.
async fn read_record(tcp: &mut TcpStream) -> bool {
    let work = async {
        let mut header = [0u8; 5];
        tcp.read_exact(&mut header).await.ok()?;
        let len = usize::from(u16::from_be_bytes([header[3], header[4]])).min(MAX_REQUEST);
        let mut body = vec![0u8; len];
        tcp.read_exact(&mut body).await.ok()?;
        Some(())
    };
    matches!(tokio::time::timeout(READ_LIMIT, work).await, Ok(Some(())))
}

/// Reads and discards until the client closes (bounded by the lifetime).
async fn drain<S: AsyncRead + Unpin>(stream: &mut S) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

/// Closes the write side (TCP FIN), then reads until the client closes, so
/// that unread data never turns the close into a reset.
async fn close_after_drain(mut tcp: TcpStream) {
    let _ = tcp.shutdown().await;
    let _ = tokio::time::timeout(READ_LIMIT, drain(&mut tcp)).await;
}

/// Reads a request head (up to the blank line), bounded in size and time.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> bool {
    let work = async {
        let mut head = Vec::with_capacity(1024);
        let mut buf = [0u8; 2048];
        while head.len() < MAX_REQUEST {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(buf.get(..n).unwrap_or_default());
            if head.windows(4).any(|w| w == b"\r\n\r\n") {
                return Some(());
            }
        }
        None
    };
    matches!(tokio::time::timeout(READ_LIMIT, work).await, Ok(Some(())))
}

/// Writes `head`, then `piece` again and again, up to [`ENDLESS_BUDGET`]
/// bytes or until the client goes away.
async fn endless<S: AsyncWrite + Unpin>(stream: &mut S, head: &[u8], piece: &[u8]) {
    if stream.write_all(head).await.is_err() {
        return;
    }
    let mut sent = head.len();
    while sent < ENDLESS_BUDGET {
        if stream.write_all(piece).await.is_err() {
            return;
        }
        sent += piece.len();
    }
}

/// The answers written by hand, byte for byte, after the TLS handshake.
async fn raw_http(mut tls: tokio_rustls::server::TlsStream<TcpStream>, name: &str) {
    if name == "tls-no-http" {
        drain(&mut tls).await;
        return;
    }
    if !read_head(&mut tls).await {
        return;
    }
    match name {
        "slow-http" => {
            let answer =
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"ok\":true}\n";
            for byte in answer {
                if tls.write_all(&[*byte]).await.is_err() || tls.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        "endless-header-line" => endless(&mut tls, b"HTTP/1.1 200 OK\r\nX-Endless: ", &[b'a'; 16 * 1024]).await,
        "many-headers" => {
            let mut answer = String::from("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
            for i in 0..MANY_HEADERS {
                answer.push_str(&format!("X-Header-{i}: {i}\r\n"));
            }
            answer.push_str("\r\n");
            if tls.write_all(answer.as_bytes()).await.is_ok() {
                close_tls(tls).await;
            }
        }
        "endless-body" => {
            let head =
                b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
            let mut chunk = b"4000\r\n".to_vec();
            chunk.extend_from_slice(&[b'x'; 0x4000]);
            chunk.extend_from_slice(b"\r\n");
            endless(&mut tls, head, &chunk).await;
        }
        "endless-continue" => endless(&mut tls, b"", &b"HTTP/1.1 100 Continue\r\n\r\n".repeat(256)).await,
        "no-close-notify" => {
            let answer =
                b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nServer: strata-hostile\r\n\r\n{\"ok\":true}\n";
            if tls.write_all(answer).await.is_ok() && tls.flush().await.is_ok() {
                // Close TCP under TLS: no close_notify.
                let (tcp, _) = tls.into_inner();
                close_after_drain(tcp).await;
            }
        }
        "bogus-chunking" => {
            let answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\n{\"ok\":true}\r\n0\r\n\r\n";
            if tls.write_all(answer).await.is_ok() {
                close_tls(tls).await;
            }
        }
        _ => {}
    }
}

/// Sends close_notify and FIN, then reads until the client closes.
async fn close_tls(mut tls: tokio_rustls::server::TlsStream<TcpStream>) {
    let _ = tls.shutdown().await;
    let _ = tokio::time::timeout(READ_LIMIT, drain(&mut tls)).await;
}

/// Real HTTP/1.1 (hyper): the healthy IPv6 server and the redirects.
async fn serve_http(tls: tokio_rustls::server::TlsStream<TcpStream>, plan: &Plan) {
    let location = match plan.name {
        "redirect-port" => Some(format!("https://127.0.0.1:{}/followed", plan.trap_port)),
        "redirect-name" => Some(FOREIGN_LOCATION.to_string()),
        _ => None,
    };
    let service = service_fn(move |_req: hyper::Request<hyper::body::Incoming>| {
        let location = location.clone();
        async move {
            let builder = hyper::Response::builder().header("server", "strata-hostile");
            let response = match location {
                Some(l) => builder.status(302).header("location", l).body(Full::new(Bytes::new())),
                None => builder
                    .status(200)
                    .header("content-type", "application/json")
                    .header("strict-transport-security", "max-age=31536000; includeSubDomains")
                    .body(Full::new(Bytes::from_static(b"{\"ok\":true}\n"))),
            };
            Ok::<_, std::convert::Infallible>(
                response.unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()))),
            )
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tls), service)
        .await;
}

/// A real rustls server on one end of an in-memory pipe; the client's bytes
/// go to it at once, its answer reaches the client one byte per second.
async fn trickle_relay(tcp: TcpStream, acceptor: TlsAcceptor) {
    let (relay_end, server_end) = tokio::io::duplex(64 * 1024);
    let server = async move {
        if let Ok(mut tls) = acceptor.accept(server_end).await
            && read_head(&mut tls).await
        {
            let _ = tls
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await;
            let _ = tls.shutdown().await;
        }
    };
    let (mut from_client, mut to_client) = tcp.into_split();
    let (mut from_server, mut to_server) = tokio::io::split(relay_end);
    let upstream = async move {
        let _ = tokio::io::copy(&mut from_client, &mut to_server).await;
    };
    let downstream = async move {
        let mut byte = [0u8; 1];
        loop {
            match from_server.read(&mut byte).await {
                Ok(1) => {}
                _ => return,
            }
            if to_client.write_all(&byte).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    tokio::join!(server, upstream, downstream);
}
