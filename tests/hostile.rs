//! Dead and hostile endpoints become "error" results with a reason; the
//! audit always completes, within its time limits.

use std::path::Path;
use std::time::{Duration, Instant};
use strata::audit::Status;
use strata::audit::rules::Ruleset;
use strata::evidence::Observation;
use strata::probe::runner::RunnerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Servers that misbehave on purpose, each on a free loopback port.
async fn hostile() -> Vec<(&'static str, u16)> {
    let mut out = Vec::new();
    for kind in ["stall", "garbage", "reset", "huge"] {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = l.local_addr().expect("addr").port();
        tokio::spawn(async move {
            // Bounded: serves at most 8 connections, then exits.
            for _ in 0..8 {
                let Ok((mut s, _)) = l.accept().await else { return };
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    match kind {
                        "stall" => tokio::time::sleep(Duration::from_secs(30)).await,
                        "garbage" => {
                            let _ = s.read(&mut buf).await;
                            let _ = s.write_all(b"HTTP/1.1 200 OK\r\n\r\nthis is not TLS\x00\xff\xfe").await;
                        }
                        "reset" => drop(s),
                        _ => {
                            let _ = s.read(&mut buf).await;
                            // A TLS record header claiming a handshake, then 1 MiB of junk.
                            let _ = s.write_all(&[0x16, 0x03, 0x03, 0xff, 0xff]).await;
                            let junk = vec![0x41u8; 1 << 20];
                            let _ = s.write_all(&junk).await;
                        }
                    }
                });
            }
        });
        out.push((kind, port));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_and_hostile_endpoints_are_errors_with_reasons() {
    strata::probe::install_crypto_provider();
    let servers = hostile().await;
    let dead = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead_port = dead.local_addr().expect("addr").port();
    drop(dead);
    let mut yaml = String::from(
        "strata: 1\nsystem: { name: hostile }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\nendpoints:\n",
    );
    for (kind, port) in servers.iter().chain(std::iter::once(&("dead", dead_port))) {
        yaml.push_str(&format!(
            "  - {{ id: {kind}, component: gw, url: \"https://127.0.0.1:{port}/\", server_name: {kind}.test }}\n"
        ));
    }
    let model = strata::model::load_str(&yaml, Path::new("hostile.yaml")).expect("model");
    let config = RunnerConfig {
        connect_timeout: Duration::from_secs(2),
        io_timeout: Duration::from_secs(2),
        probe_timeout: Duration::from_secs(5),
        ..RunnerConfig::default()
    };
    let rules = Ruleset::builtin().expect("rules");
    let started = Instant::now();
    let o = strata::pipeline::probe_and_audit(&model, &rules, &config, CancellationToken::new(), None).await;
    let took = started.elapsed();
    for id in ["stall", "garbage", "reset", "huge", "dead"] {
        let ev = o
            .evidence
            .endpoints
            .get(id)
            .unwrap_or_else(|| panic!("no evidence for {id}"));
        let Observation::Error(f) = &ev.tls else {
            panic!("{id}: expected an error, got {:?}", ev.tls)
        };
        assert!(!f.reason.is_empty());
        let chain = o
            .audit
            .findings
            .iter()
            .find(|x| x.id == format!("tls-chain-trusted@endpoint:{id}"))
            .expect("finding");
        assert_eq!(chain.status, Status::Error, "{id}");
        assert!(chain.message.contains(&f.stage), "{id}: {}", chain.message);
    }
    let stall = o.evidence.endpoints["stall"].tls.failure().map(|f| f.stage.clone());
    assert_eq!(stall.as_deref(), Some("handshake"));
    let dead = o.evidence.endpoints["dead"].tls.failure().map(|f| f.stage.clone());
    assert_eq!(dead.as_deref(), Some("connect"));
    // Everything ran in parallel under the per-probe limits.
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_records_every_probe_as_cancelled() {
    strata::probe::install_crypto_provider();
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = l.local_addr().expect("addr").port();
    // Accepts and never answers.
    tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..4 {
            if let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        }
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let yaml = format!(
        "strata: 1\nsystem: {{ name: c }}\ncomponents:\n  - {{ id: gw, kind: service }}\nendpoints:\n  - {{ id: a, component: gw, url: \"https://127.0.0.1:{port}/\" }}\n  - {{ id: b, component: gw, url: \"https://127.0.0.1:{port}/x\" }}\n"
    );
    let model = strata::model::load_str(&yaml, Path::new("c.yaml")).expect("model");
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        c2.cancel();
    });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let started = Instant::now();
    let ev = strata::probe::runner::run(
        &model,
        0,
        &RunnerConfig::default(),
        strata::probe::registry::probes(),
        cancel,
        Some(tx),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    for id in ["a", "b"] {
        assert_eq!(
            ev.endpoints[id].tls.failure().map(|f| f.stage.as_str()),
            Some("cancelled")
        );
    }
    for id in ["a", "b"] {
        for layer in [
            "legacy",
            "tls_suites",
            "revocation",
            "heartbleed",
            "ccs_injection",
            "robot",
            "renegotiation",
            "resumption",
        ] {
            let stage = ev.endpoints[id]
                .layers
                .get(layer)
                .and_then(|o| o.failure())
                .map(|f| f.stage.clone());
            assert_eq!(
                stage.as_deref(),
                Some("cancelled"),
                "layer probes are cancelled too: {layer}"
            );
        }
    }
    let (mut finished, mut planned) = (0, 0);
    while let Ok(e) = rx.try_recv() {
        match e {
            strata::probe::runner::ProgressEvent::Finished { .. } => finished += 1,
            strata::probe::runner::ProgressEvent::Planned { total } => planned = total,
            _ => {}
        }
    }
    assert_eq!(
        planned, 18,
        "tls, legacy, tls_suites, revocation and the five TLS vulnerability probes for each endpoint"
    );
    assert_eq!(finished, planned);
}
