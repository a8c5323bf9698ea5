//! The demo lab: real TLS servers on loopback, good and deliberately broken.
//!
//! `strata lab` runs it in the foreground; tests and `strata demo` start it
//! in-process. Every scenario is a real tokio-rustls server answering real
//! HTTP/1.1 (hyper), on its own port. The manifest lists ports, what each
//! scenario is, which rule it should trip, and the SPKI pins of every
//! certificate it serves.

pub mod echo;
pub mod gateway;
pub mod hostile;
pub mod identity;
pub mod openssl;
pub mod pki;
pub mod tls_vulns;

use crate::evidence::cert::cert_info;
use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use pki::{LabPki, LeafKind};
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;

/// First port of the fixed layout used by `strata lab` and the samples.
pub const DEFAULT_BASE_PORT: u16 = 18443;

/// One lab scenario.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    /// Stable name, also the DNS label: `NAME.lab.strata.test`.
    pub name: &'static str,
    /// What it demonstrates.
    pub description: &'static str,
    /// The certificate it serves.
    pub leaf: LeafKind,
    /// Whether responses carry HSTS.
    pub hsts: bool,
    /// Whether TLS 1.3 is offered.
    pub tls13: bool,
    /// Rules this scenario must fail (and only these among transport rules).
    pub expected_failures: &'static [&'static str],
}

/// Every scenario, in port order (base port + index).
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "good",
        description: "full chain, TLS 1.3, HSTS with includeSubDomains",
        leaf: LeafKind::Good,
        hsts: true,
        tls13: true,
        expected_failures: &[],
    },
    Scenario {
        name: "expired",
        description: "leaf expired 30 days ago",
        leaf: LeafKind::Expired,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-leaf-not-expired"],
    },
    Scenario {
        name: "not-yet-valid",
        description: "leaf valid only from 10 days from now",
        leaf: LeafKind::NotYetValid,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-leaf-already-valid"],
    },
    Scenario {
        name: "expiring-soon",
        description: "leaf expires in 7 days",
        leaf: LeafKind::ExpiringSoon,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-leaf-expiry-window"],
    },
    Scenario {
        name: "self-signed",
        description: "self-signed leaf",
        leaf: LeafKind::SelfSigned,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-not-self-signed"],
    },
    Scenario {
        name: "wrong-host",
        description: "leaf for elsewhere.example.test",
        leaf: LeafKind::WrongHost,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-hostname-match"],
    },
    Scenario {
        name: "incomplete-chain",
        description: "leaf sent without its intermediate",
        leaf: LeafKind::Incomplete,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-chain-complete"],
    },
    Scenario {
        name: "weak-key",
        description: "chain with an RSA-1024 CA key",
        leaf: LeafKind::WeakKey,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-strong-keys"],
    },
    Scenario {
        name: "sha1-signature",
        description: "leaf signed with SHA-1",
        leaf: LeafKind::Sha1,
        hsts: true,
        tls13: true,
        expected_failures: &["tls-chain-trusted", "tls-strong-signatures"],
    },
    Scenario {
        name: "no-hsts",
        description: "good chain, no HSTS header",
        leaf: LeafKind::Good,
        hsts: false,
        tls13: true,
        expected_failures: &["tls-hsts", "tls-hsts-subdomains"],
    },
    Scenario {
        name: "tls12-only",
        description: "good chain, TLS 1.2 only",
        leaf: LeafKind::Good,
        hsts: true,
        tls13: false,
        expected_failures: &["tls-supports-1-3"],
    },
];

/// The scenario served by `openssl s_server` (when installed), on the port
/// after the in-process ones.
pub const OPENSSL_SCENARIO: &str = "legacy-tls";
/// Rules the OpenSSL scenario must fail among transport rules.
pub const OPENSSL_EXPECTED: &[&str] = &[
    "tls-no-legacy-versions",
    "tls-supports-1-3",
    "tls-hsts",
    "tls-hsts-subdomains",
    "tls-no-beast",
    "tls-no-null-or-anonymous",
    "tls-no-logjam",
    "tls-server-cipher-order",
    "tls-mozilla-intermediate",
    "tls-mozilla-old",
    // OpenSSL issues TLS 1.2 session tickets by default.
    "tls12-no-session-tickets",
];

/// The DNS name a scenario's certificate is (supposed to be) issued for.
pub fn server_name(scenario: &str) -> String {
    format!("{scenario}.lab.strata.test")
}

/// A certificate as listed in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestCert {
    /// Subject DN.
    pub subject: String,
    /// `sha256/<base64>` SPKI pin.
    pub pin: String,
}

/// One running server in the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestServer {
    /// Scenario name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// `https://127.0.0.1:PORT/`.
    pub url: String,
    /// The name to verify.
    pub server_name: String,
    /// Port.
    pub port: u16,
    /// Port in the fixed layout (`strata lab` without `--base-port`), which
    /// sample projects name.
    pub default_port: u16,
    /// Rules it must fail.
    pub expected_failures: Vec<String>,
    /// Chain served, leaf first.
    pub chain: Vec<ManifestCert>,
}

/// What the lab is serving.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// The root CA PEM, to trust the lab.
    pub root_ca_pem: String,
    /// Pin of the lab service key (the live leaf key).
    pub service_pin: String,
    /// Pin of a key that is never deployed (a valid backup pin).
    pub backup_pin: String,
    /// The servers.
    pub servers: Vec<ManifestServer>,
    /// Scenarios that could not start, and why.
    pub notes: Vec<String>,
}

impl Manifest {
    /// The port of a scenario.
    pub fn port(&self, name: &str) -> Option<u16> {
        self.servers.iter().find(|s| s.name == name).map(|s| s.port)
    }

    /// Rewrites `127.0.0.1:<default port>` in a sample's text to the ports
    /// this lab actually listens on (tests run the lab on free ports).
    pub fn rebase(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.servers {
            let from = format!("127.0.0.1:{}", s.default_port);
            // The NUL marks rewritten text so a new port is never rewritten again.
            out = out.replace(&from, &format!("127.0.0.1:{}\u{0}", s.port));
        }
        out.replace('\u{0}', "")
    }
}

/// The manifest entries (subject, pin) of a served chain.
fn manifest_chain(served: &pki::Served) -> Result<Vec<ManifestCert>, String> {
    served
        .chain
        .iter()
        .map(|c| {
            cert_info(c).map(|ci| ManifestCert {
                subject: ci.subject,
                pin: format!("sha256/{}", ci.spki_sha256),
            })
        })
        .collect()
}

/// Where to listen.
#[derive(Debug, Clone)]
pub struct LabConfig {
    /// Bind address (loopback).
    pub host: std::net::IpAddr,
    /// First port; 0 picks free ports.
    pub base_port: u16,
}

impl Default for LabConfig {
    fn default() -> Self {
        LabConfig {
            host: std::net::IpAddr::from([127, 0, 0, 1]),
            base_port: DEFAULT_BASE_PORT,
        }
    }
}

/// A running lab. Dropping it stops the servers.
pub struct Lab {
    /// What it serves.
    pub manifest: Manifest,
    stop: CancellationToken,
    tasks: JoinSet<()>,
    openssl: Vec<openssl::OpensslServer>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop.cancel();
        self.tasks.abort_all();
    }
}

impl Lab {
    /// Starts every scenario; returns once all of them listen.
    pub async fn start(config: &LabConfig) -> Result<Lab, String> {
        let pki = LabPki::new(time::OffsetDateTime::now_utc())?;
        let stop = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let mut servers = Vec::new();
        for (i, sc) in SCENARIOS.iter().enumerate() {
            let name = server_name(sc.name);
            let served = pki.issue(sc.leaf, &name)?;
            let chain = manifest_chain(&served)?;
            let versions: &[&rustls::SupportedProtocolVersion] = if sc.tls13 {
                &[&rustls::version::TLS13, &rustls::version::TLS12]
            } else {
                &[&rustls::version::TLS12]
            };
            let mut tls =
                rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                    .with_protocol_versions(versions)
                    .map_err(|e| format!("lab TLS config: {e}"))?
                    .with_no_client_auth()
                    .with_single_cert(served.chain, served.key)
                    .map_err(|e| format!("lab TLS config for {}: {e}", sc.name))?;
            tls.alpn_protocols = vec![b"http/1.1".to_vec()];
            let port = if config.base_port == 0 {
                0
            } else {
                config.base_port.saturating_add(i as u16)
            };
            let addr = SocketAddr::new(config.host, port);
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("lab: cannot listen on {addr} for `{}`: {e}", sc.name))?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            servers.push(ManifestServer {
                name: sc.name.into(),
                description: sc.description.into(),
                url: format!("https://{}:{port}/", config.host),
                server_name: name,
                port,
                default_port: DEFAULT_BASE_PORT + i as u16,
                expected_failures: sc.expected_failures.iter().map(|s| s.to_string()).collect(),
                chain,
            });
            tasks.spawn(serve(
                listener,
                TlsAcceptor::from(Arc::new(tls)),
                cert_handler(*sc),
                stop.clone(),
            ));
        }
        // The OpenSSL scenarios: a real OpenSSL, when there is one.
        let mut openssl_servers = Vec::new();
        let mut notes = Vec::new();
        if openssl::available() {
            for scenario in openssl::SCENARIOS {
                let name = server_name(scenario.name);
                let served = pki.issue(LeafKind::Good, &name)?;
                let chain = manifest_chain(&served)?;
                let port = if config.base_port == 0 {
                    0
                } else {
                    config.base_port.saturating_add(scenario.port_offset)
                };
                // Starting s_server waits (up to 5 s) for it to listen: off the runtime.
                let addr = SocketAddr::new(config.host, port);
                let srv = tokio::task::spawn_blocking(move || openssl::start_scenario(&served, addr, scenario))
                    .await
                    .map_err(|e| format!("openssl scenario: {e}"))??;
                servers.push(ManifestServer {
                    name: scenario.name.into(),
                    description: scenario.description.into(),
                    url: format!("https://{}:{}/", config.host, srv.addr.port()),
                    server_name: name,
                    port: srv.addr.port(),
                    default_port: DEFAULT_BASE_PORT + scenario.port_offset,
                    expected_failures: scenario.expected_failures.iter().map(|s| s.to_string()).collect(),
                    chain,
                });
                openssl_servers.push(srv);
            }
        } else {
            notes.push(format!(
                "the openssl scenarios ({}) not started: openssl is not installed",
                openssl::SCENARIOS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ));
        }
        for app in app_scenarios() {
            let name = server_name(app.name);
            let served = pki.issue(LeafKind::Good, &name)?;
            let chain = manifest_chain(&served)?;
            let tls = (app.tls)(&pki, served)?;
            let default_port = DEFAULT_BASE_PORT + app.port_offset;
            let port = if config.base_port == 0 {
                0
            } else {
                config.base_port.saturating_add(app.port_offset)
            };
            let addr = SocketAddr::new(config.host, port);
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|e| format!("lab: cannot listen on {addr} for `{}`: {e}", app.name))?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            servers.push(ManifestServer {
                name: app.name.into(),
                description: app.description.into(),
                url: format!("https://{}:{port}/", config.host),
                server_name: name,
                port,
                default_port,
                expected_failures: app.expected_failures.clone(),
                chain,
            });
            tasks.spawn(serve(
                listener,
                TlsAcceptor::from(Arc::new(tls)),
                app.handler.clone(),
                stop.clone(),
            ));
        }
        let manifest = Manifest {
            notes,
            root_ca_pem: pki::ROOT_CA_PEM.to_string(),
            service_pin: format!("sha256/{}", pki::pin_of_key(pki::SERVICE_KEY)?),
            backup_pin: format!("sha256/{}", pki::pin_of_key(pki::BACKUP_KEY)?),
            servers,
        };
        Ok(Lab {
            manifest,
            stop,
            tasks,
            openssl: openssl_servers,
        })
    }

    /// Stops every server and waits for them.
    pub async fn stop(mut self) {
        self.stop.cancel();
        self.openssl.clear();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// At most this many connections per scenario are served at once; more wait
/// in the accept queue. Keeps a misbehaving client from exhausting the host.
const MAX_CONNECTIONS: usize = 64;

/// What a lab HTTP handler knows about the connection.
#[derive(Debug, Clone, Default)]
pub struct ConnInfo {
    /// The client certificate chain, when the client presented one (mTLS).
    pub peer_certs: Option<Vec<rustls::pki_types::CertificateDer<'static>>>,
}

/// A lab HTTP handler: state lives inside the closure.
pub type Handler = Arc<
    dyn Fn(
            ConnInfo,
            hyper::Request<hyper::body::Incoming>,
        ) -> crate::probe::BoxFuture<'static, hyper::Response<Full<Bytes>>>
        + Send
        + Sync,
>;

/// Builds a scenario's TLS configuration from the lab PKI and the
/// certificate issued for it (mTLS scenarios add client authentication).
pub type TlsBuilder = Box<dyn Fn(&LabPki, pki::Served) -> Result<rustls::ServerConfig, String> + Send + Sync>;

/// A lab scenario that is an application (gateway, enrollment, signing...)
/// rather than a certificate variation. Its port is the base port plus
/// `port_offset` (fixed, so sample projects can name it).
pub struct AppScenario {
    /// Stable name, also the DNS label.
    pub name: &'static str,
    /// What it demonstrates.
    pub description: &'static str,
    /// Offset from the base port (20 and up; each module keeps its own range).
    pub port_offset: u16,
    /// Rules it must fail.
    pub expected_failures: Vec<String>,
    /// TLS configuration.
    pub tls: TlsBuilder,
    /// HTTP handler.
    pub handler: Handler,
}

/// A plain TLS server configuration (no client authentication) for `served`.
pub fn plain_tls(_pki: &LabPki, served: pki::Served) -> Result<rustls::ServerConfig, String> {
    let mut tls = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("lab TLS config: {e}"))?
        .with_no_client_auth()
        .with_single_cert(served.chain, served.key)
        .map_err(|e| format!("lab TLS config: {e}"))?;
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tls)
}

/// Every application scenario, from the modules that define them.
pub fn app_scenarios() -> Vec<AppScenario> {
    let mut apps = Vec::new();
    apps.extend(identity::scenarios());
    apps.extend(gateway::scenarios());
    apps
}

/// Reads a request body, refusing more than `limit` bytes.
pub async fn read_body(
    req: hyper::Request<hyper::body::Incoming>,
    limit: usize,
) -> Result<(hyper::http::request::Parts, Bytes), String> {
    use http_body_util::BodyExt;
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, limit);
    let bytes = limited.collect().await.map_err(|e| format!("body: {e}"))?.to_bytes();
    Ok((parts, bytes))
}

/// A JSON response.
pub fn json_response(status: u16, body: &serde_json::Value) -> hyper::Response<Full<Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("server", "strata-lab")
        .body(Full::new(Bytes::from(format!("{body}\n"))))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

fn cert_handler(sc: Scenario) -> Handler {
    Arc::new(move |_info, req| Box::pin(async move { respond(req, sc).await.unwrap_or_else(|e| match e {}) }))
}

/// Serves `handler` over TLS on `listener` until `stop`, with bounded
/// connections and timeouts.
pub(crate) async fn serve(listener: TcpListener, acceptor: TlsAcceptor, handler: Handler, stop: CancellationToken) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            _ = stop.cancelled() => return,
            p = slots.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
        };
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let (acceptor, stop, handler) = (acceptor.clone(), stop.clone(), handler.clone());
        tokio::spawn(async move {
            let _permit = permit;
            let conn = async {
                let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else {
                    return;
                };
                let info = ConnInfo {
                    peer_certs: tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .map(|c| c.iter().map(|d| d.clone().into_owned()).collect()),
                };
                let service = service_fn(move |req| {
                    let fut = handler(info.clone(), req);
                    async move { Ok::<_, std::convert::Infallible>(fut.await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            };
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = tokio::time::timeout(Duration::from_secs(60), conn) => {}
            }
        });
    }
}

async fn respond(
    req: hyper::Request<hyper::body::Incoming>,
    sc: Scenario,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let body = format!("{{\"scenario\":\"{}\",\"path\":{:?}}}\n", sc.name, req.uri().path());
    let mut resp = hyper::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("server", "strata-lab");
    if sc.hsts {
        resp = resp.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    }
    Ok(resp
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new()))))
}
