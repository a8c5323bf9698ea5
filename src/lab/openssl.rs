//! Lab scenarios served by a TLS stack Strata did not write: Debian's
//! `openssl s_server`, configured the way legacy servers still are
//! ([`SCENARIOS`]: every cipher suite at TLS 1.0–1.2; CBC at TLS 1.0 with
//! 3DES and RC4 when the build has them; DHE with the 1024-bit Oakley
//! group 2; NULL encryption; and a TLS 1.3-only "modern" one). They show
//! what the raw-ClientHello probes find. When `openssl` is not installed
//! the scenarios are left out of the lab (and the manifest says so).

use super::pki::Served;
use rustls::pki_types::PrivateKeyDer;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `openssl s_server`; killed (and its files removed) on drop.
///
/// It runs under a tiny `sh` guard that holds a pipe from this process:
/// when the pipe closes (on drop, or when this process dies in any way,
/// even by SIGKILL) the guard kills the server, so no `s_server` outlives
/// the lab.
pub struct OpensslServer {
    child: Child,
    guard: Option<std::process::ChildStdin>,
    dir: PathBuf,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        // Closing the pipe makes the guard kill s_server and exit.
        drop(self.guard.take());
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    crate::evidence::cert::to_pem(label, der)
}

/// Whether `openssl` can be run.
pub fn available() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// One `openssl s_server` scenario.
#[derive(Debug, Clone, Copy)]
pub struct OpensslScenario {
    /// Scenario (and endpoint) name.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Its port: the lab's base port plus this.
    pub port_offset: u16,
    /// `s_server` arguments besides the certificate and the port; `{dir}`
    /// is the scenario's directory, which holds `oakley2.pem` (RFC 2409
    /// group 2 DH parameters) and `rsa.pem`/`rsa.key` (a self-signed
    /// RSA-2048 certificate, for DHE-RSA suites as `-dcert`).
    pub args: &'static [&'static str],
    /// Transport rules the scenario must fail.
    pub expected_failures: &'static [&'static str],
}

/// The 1024-bit RFC 2409 Oakley group 2 (the prime most Logjam-vulnerable
/// servers shared), as `-dhparam` reads it.
pub const OAKLEY2_PEM: &str = "-----BEGIN DH PARAMETERS-----
MIGHAoGBAP//////////yQ/aoiFowjTExmKLgNwc0SkCTgiKZ8x0Agu+pjsTmyJR
Sgh5jjQE3e+VGbPNOkMbMCsKbfJfFDdP4TVtbVHCReSFtXZiXn7G9ExC6aY37WsL
/1y29Aa37e44a/taiZ+lrp8kEXxLH+ZJKGZR7OZTgf//////////AgEC
-----END DH PARAMETERS-----
";

/// Every `openssl s_server` scenario, the first being the original
/// `legacy-tls` one.
pub const SCENARIOS: &[OpensslScenario] = &[
    OpensslScenario {
        name: "legacy-tls",
        description: "openssl s_server: TLS 1.0-1.2, every suite, security level 0, no HSTS",
        port_offset: 11,
        args: &["-no_tls1_3", "-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
        expected_failures: super::OPENSSL_EXPECTED,
    },
    OpensslScenario {
        name: "tls10-cbc",
        description: "openssl s_server: TLS 1.0 (and 1.2/1.3) with CBC suites, 3DES and RC4 when the build has them, server order",
        port_offset: 12,
        args: &[
            "-no_tls1_1",
            "-serverpref",
            "-groups",
            "X25519:P-256:P-384",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:3DES:RC4:@SECLEVEL=0",
        ],
        expected_failures: &[
            "tls-no-legacy-versions",
            "tls-no-beast",
            "tls-hsts",
            "tls-hsts-subdomains",
            "tls-mozilla-intermediate",
            // OpenSSL issues TLS 1.2 session tickets by default.
            "tls12-no-session-tickets",
        ],
    },
    OpensslScenario {
        name: "dhe-1024",
        description: "openssl s_server: DHE-RSA with the 1024-bit Oakley group 2 (Logjam), TLS 1.2/1.3",
        port_offset: 13,
        args: &[
            "-no_tls1",
            "-no_tls1_1",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-dhparam",
            "{dir}/oakley2.pem",
            "-dcert",
            "{dir}/rsa.pem",
            "-dkey",
            "{dir}/rsa.key",
            "-groups",
            "X25519:P-256:P-384",
        ],
        expected_failures: &[
            "tls-no-logjam",
            "tls-hsts",
            "tls-hsts-subdomains",
            "tls-mozilla-intermediate",
            // OpenSSL issues TLS 1.2 session tickets by default.
            "tls12-no-session-tickets",
        ],
    },
    OpensslScenario {
        name: "null-cipher",
        description: "openssl s_server: a NULL-encryption suite next to a strong one (Debian's OpenSSL has no EXPORT suites left)",
        port_offset: 14,
        args: &[
            "-no_tls1",
            "-no_tls1_1",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0",
            "-groups",
            "X25519:P-256:P-384",
        ],
        expected_failures: &[
            "tls-no-null-or-anonymous",
            "tls-hsts",
            "tls-hsts-subdomains",
            "tls-mozilla-intermediate",
            // OpenSSL issues TLS 1.2 session tickets by default.
            "tls12-no-session-tickets",
            "tls-mozilla-old",
            "tls-server-cipher-order",
        ],
    },
    OpensslScenario {
        name: "modern-tls13",
        description: "openssl s_server: TLS 1.3 only, x25519/P-256/P-384 (Mozilla modern)",
        port_offset: 15,
        args: &["-no_tls1", "-no_tls1_1", "-no_tls1_2", "-groups", "X25519:P-256:P-384"],
        expected_failures: &["tls-hsts", "tls-hsts-subdomains"],
    },
];

/// Starts `openssl s_server` with `served` on `addr` (port 0: a free port)
/// and waits (at most 5 s) until it accepts connections.
pub fn start(served: &Served, addr: SocketAddr) -> Result<OpensslServer, String> {
    start_scenario(served, addr, &SCENARIOS[0])
}

/// Starts the `openssl s_server` of `scenario` with `served` on `addr`
/// (port 0: a free port) and waits (at most 5 s) until it accepts
/// connections.
pub fn start_scenario(served: &Served, addr: SocketAddr, scenario: &OpensslScenario) -> Result<OpensslServer, String> {
    let dir = std::env::temp_dir().join(format!(
        "strata-lab-openssl-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("openssl scenario: {e}"))?;
    let write = |name: &str, text: &str| -> Result<PathBuf, String> {
        let p = dir.join(name);
        let mut f = std::fs::File::create(&p).map_err(|e| format!("openssl scenario: {e}"))?;
        f.write_all(text.as_bytes())
            .map_err(|e| format!("openssl scenario: {e}"))?;
        Ok(p)
    };
    let leaf = served.chain.first().ok_or("openssl scenario: empty chain")?;
    let cert = write("leaf.pem", &pem("CERTIFICATE", leaf))?;
    let chain: String = served.chain.iter().skip(1).map(|c| pem("CERTIFICATE", c)).collect();
    let chain = write("chain.pem", &chain)?;
    let key = match &served.key {
        PrivateKeyDer::Pkcs8(k) => write("key.pem", &pem("PRIVATE KEY", k.secret_pkcs8_der()))?,
        _ => return Err("openssl scenario: the lab key is not PKCS#8".into()),
    };
    write("oakley2.pem", OAKLEY2_PEM)?;
    let dir_text = dir.display().to_string();
    let args: Vec<String> = scenario.args.iter().map(|a| a.replace("{dir}", &dir_text)).collect();
    if scenario.args.iter().any(|a| a.contains("{dir}/rsa.")) {
        self_signed_rsa(&dir.join("rsa.pem"), &dir.join("rsa.key"), "lab-rsa", 30)
            .map_err(|e| format!("openssl scenario `{}`: {e}", scenario.name))?;
    }
    // Pick the port now when asked for a free one: s_server cannot report it.
    let addr = if addr.port() == 0 {
        let l = std::net::TcpListener::bind(addr).map_err(|e| format!("openssl scenario: {e}"))?;
        l.local_addr().map_err(|e| format!("openssl scenario: {e}"))?
    } else {
        addr
    };
    // sh -c '<guard>' sh s_server ARGS...: start openssl in the background,
    // wait for our pipe to close, then kill it.
    // It also removes the key material it was given.
    let guard = r#"openssl "$@" </dev/null & server=$!; cat >/dev/null; kill "$server" 2>/dev/null; wait "$server"; rm -rf "$STRATA_LAB_DIR""#;
    let mut child = Command::new("sh")
        .args(["-c", guard, "sh"])
        .env("STRATA_LAB_DIR", &dir)
        .args(["s_server", "-accept", &addr.to_string(), "-www", "-quiet"])
        .args(&args)
        .arg("-cert")
        .arg(&cert)
        .arg("-cert_chain")
        .arg(&chain)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("openssl scenario: cannot run openssl: {e}"))?;
    let guard = child.stdin.take();
    let mut server = OpensslServer {
        child,
        guard,
        dir,
        addr,
    };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!(
                "openssl s_server exited at start ({status}); is port {} free?",
                addr.port()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("openssl s_server did not listen on {addr} within 5 s"))
}

/// Writes a fresh self-signed RSA-2048 certificate for `CN=cn`, valid for
/// `days`, and its key, with `openssl req` (the lab's and the tests' one
/// way to make a leaf for an `openssl s_server`).
pub fn self_signed_rsa(cert: &Path, key: &Path, cn: &str, days: u32) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj"])
        .arg(format!("/CN={cn}"))
        .arg("-days")
        .arg(days.to_string())
        .arg("-keyout")
        .arg(key)
        .arg("-out")
        .arg(cert)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run openssl req: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl req failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Starts `PROGRAM s_server -accept 127.0.0.1:PORT ARGS…` on a free
/// loopback port and waits up to 5 s until it accepts a connection. A port
/// found free can be taken before openssl binds it, so up to three ports
/// are tried; `stdio` gives each attempt its (stdin, stdout, stderr). The
/// tests' one way to run a real `s_server` peer.
pub fn start_s_server(
    program: &Path,
    args: &[std::ffi::OsString],
    stdio: &mut dyn FnMut() -> (Stdio, Stdio, Stdio),
) -> Result<(Child, std::net::SocketAddr), String> {
    for _attempt in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let (stdin, stdout, stderr) = stdio();
        let mut child = Command::new(program)
            .args(["s_server", "-accept", &addr.to_string()])
            .args(args)
            .stdin(stdin)
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot run {} s_server: {e}", program.display()))?;
        for _ in 0..50 {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                return Ok((child, addr));
            }
            if !matches!(child.try_wait(), Ok(None)) {
                break; // exited (the port was taken, or bad arguments)
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    Err(format!("openssl s_server {args:?} did not start"))
}
