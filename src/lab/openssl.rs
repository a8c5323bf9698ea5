//! A lab scenario served by a TLS stack Strata did not write: Debian's
//! `openssl s_server`, configured the way legacy servers still are
//! (TLS 1.0–1.2, every cipher suite, security level 0). It shows what the
//! raw-ClientHello probe finds. When `openssl` is not installed the
//! scenario is left out of the lab (and the manifest says so).

use super::pki::Served;
use rustls::pki_types::PrivateKeyDer;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
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

/// Starts `openssl s_server` with `served` on `addr` (port 0: a free port)
/// and waits (at most 5 s) until it accepts connections.
pub fn start(served: &Served, addr: SocketAddr) -> Result<OpensslServer, String> {
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
        .args(["s_server", "-accept", &addr.to_string(), "-www", "-quiet", "-no_tls1_3"])
        .args(["-cipher", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
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
