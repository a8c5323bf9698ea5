//! `strata tls-scan HOST:PORT...`: the cipher-suite enumeration
//! ([`crate::probe::enumerate`]) of bare TLS endpoints, without an
//! architecture file: one line per endpoint, and with `--json FILE` the
//! `tls_suites` facts of each (the shape of `docs/probes/tls_suites.md`).
//! Endpoints are scanned side by side (at most `--parallel` at once); the
//! connections to one endpoint are always made one after another.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What `tls-scan` was asked.
pub(super) struct TlsScan {
    /// HOST:PORT targets.
    pub targets: Vec<String>,
    /// Where to write the facts as JSON.
    pub json: Option<PathBuf>,
    /// Endpoints scanned at once.
    pub parallel: usize,
    /// Limit of one connection, in seconds.
    pub timeout: u64,
}

/// Splits `HOST:PORT` (IPv6 in brackets).
fn split(target: &str) -> Result<(String, u16), String> {
    target
        .rsplit_once(':')
        .and_then(|(h, p)| {
            p.parse::<u16>()
                .ok()
                .map(|p| (h.trim_matches(['[', ']']).to_string(), p))
        })
        .ok_or_else(|| format!("`{target}` is not HOST:PORT"))
}

/// Runs the scan; exit 0 when every endpoint was scanned, 2 otherwise.
pub(super) fn run(scan: TlsScan) -> Result<ExitCode, String> {
    let parsed: Vec<(String, String, u16)> = scan
        .targets
        .iter()
        .map(|t| split(t).map(|(h, p)| (t.clone(), h, p)))
        .collect::<Result<_, _>>()?;
    let rt = super::runtime()?;
    let limits = crate::probe::enumerate::Limits {
        io_timeout: Duration::from_secs(scan.timeout.max(1)),
        ..crate::probe::enumerate::Limits::default()
    };
    let gate = Arc::new(tokio::sync::Semaphore::new(scan.parallel.max(1)));
    let results = rt.block_on(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, (target, host, port)) in parsed.into_iter().enumerate() {
            let gate = gate.clone();
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await;
                let started = Instant::now();
                let outcome = match tokio::net::lookup_host((host.as_str(), port)).await {
                    Err(e) => Err(format!("cannot resolve {host}: {e}")),
                    Ok(mut addrs) => match addrs.next() {
                        None => Err(format!("{host} has no address")),
                        Some(addr) => {
                            let sni = host.parse::<std::net::IpAddr>().is_err().then_some(host.as_str());
                            crate::probe::enumerate::enumerate(addr, sni, limits).await
                        }
                    },
                };
                (i, target, started.elapsed(), outcome)
            });
        }
        let mut out = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(r) = joined {
                out.push(r);
            }
        }
        out.sort_by_key(|(i, ..)| *i);
        out
    });
    let mut all_ok = true;
    let mut json = Vec::new();
    for (_, target, took, outcome) in results {
        match outcome {
            Ok(found) => {
                let facts = crate::probe::tls_suites_probe::facts(&found);
                let accepted: usize =
                    found.versions.iter().map(|v| v.suites.len()).sum::<usize>() + found.tls13_suites.len();
                say!(
                    "{target}: {} suites accepted ({}), {} tested in {} hellos, {:.2} s{}",
                    accepted,
                    facts["protocols"]
                        .as_array()
                        .map(|p| p.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                    found.suites_tested,
                    found.hellos,
                    took.as_secs_f64(),
                    if found.complete { "" } else { " (incomplete)" }
                );
                json.push(serde_json::json!({"target": target, "seconds": took.as_secs_f64(), "facts": facts}));
            }
            Err(e) => {
                all_ok = false;
                warn!("{target}: {e}");
                json.push(serde_json::json!({"target": target, "error": e}));
            }
        }
    }
    if let Some(path) = scan.json {
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
