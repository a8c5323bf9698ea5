//! The `strata audit` process under interruption and awkward outputs:
//! SIGINT/SIGTERM stop probing, write nothing and exit 130; a closed stderr
//! does not turn an exit code into a panic; output folders are created.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn strata() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_strata"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// A loopback server that accepts connections and never answers, for at
/// most `max` connections or 60 s.
fn stalling_server(max: usize) -> (u16, std::sync::mpsc::Receiver<()>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for _ in 0..max {
            match l.accept() {
                Ok((s, _)) => {
                    held.push(s);
                    let _ = tx.send(());
                }
                Err(_) => return,
            }
        }
        std::thread::sleep(Duration::from_secs(60));
    });
    (port, rx)
}

fn model_file(dir: &std::path::Path, port: u16) -> std::path::PathBuf {
    let path = dir.join("stall.yaml");
    std::fs::write(
        &path,
        format!(
            "strata: 1\nsystem: {{ name: stall }}\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - {{ id: api, component: gw, url: \"https://127.0.0.1:{port}/\" }}\n"
        ),
    )
    .expect("write model");
    path
}

fn interrupted_by(signal: &str) {
    let (port, accepted) = stalling_server(8);
    let dir = tempfile::tempdir().expect("tempdir");
    let model = model_file(dir.path(), port);
    let out = dir.path().join("out");
    let evidence = dir.path().join("out/evidence.json");
    let mut child = strata()
        .args(["audit", model.to_str().unwrap_or_default(), "--out"])
        .arg(&out)
        .arg("--save-evidence")
        .arg(&evidence)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn strata");
    // Probing has started once the server sees a connection.
    accepted
        .recv_timeout(Duration::from_secs(30))
        .expect("strata connected");
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("strata did not stop after {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert_eq!(status.code(), Some(130), "{signal}: {err}");
    assert!(err.contains("interrupted"), "{err}");
    assert!(
        !out.join("stall-stall.strata.json").exists() && !out.join("stall-stall.strata.html").exists(),
        "no report that looks complete"
    );
    assert!(!evidence.exists(), "no evidence file either");
}

#[test]
fn sigint_stops_probing_writes_nothing_and_exits_130() {
    interrupted_by("-INT");
}

#[test]
fn sigterm_stops_probing_writes_nothing_and_exits_130() {
    interrupted_by("-TERM");
}

#[test]
fn fail_under_exits_1_even_when_stderr_is_closed() {
    let mut child = strata()
        .args([
            "audit",
            "sample-projects/acme-pay/architecture.yaml",
            "--offline",
            "--format",
            "json",
            "--fail-under",
            "A",
            "--out",
        ])
        .arg(tempfile::tempdir().expect("tempdir").path().join("r"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Close the reading end before strata writes its verdict.
    drop(child.stderr.take());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn evidence_and_reports_go_into_folders_that_do_not_exist_yet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("new/reports");
    let evidence = out.join("evidence/e.json");
    let status = strata()
        .args([
            "audit",
            "sample-projects/acme-pay/architecture.yaml",
            "--offline",
            "--out",
        ])
        .arg(&out)
        .arg("--save-evidence")
        .arg(&evidence)
        .stdout(Stdio::null())
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(0));
    let saved = std::fs::read_to_string(&evidence).expect("evidence written");
    let v: serde_json::Value = serde_json::from_str(&saved).expect("evidence is JSON");
    assert!(v["observed_at"].is_i64());
    assert!(out.join("architecture-acme-pay.strata.json").is_file());
    assert!(out.join("architecture-acme-pay.strata.html").is_file());
}

#[test]
fn an_unwritable_evidence_path_still_writes_the_reports_and_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    // A file where a folder is needed.
    std::fs::write(dir.path().join("blocker"), "x").expect("write");
    let output = strata()
        .args([
            "audit",
            "sample-projects/acme-pay/architecture.yaml",
            "--offline",
            "--out",
        ])
        .arg(&out)
        .arg("--save-evidence")
        .arg(dir.path().join("blocker/e.json"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("blocker"), "{err}");
    assert!(
        out.join("architecture-acme-pay.strata.json").is_file(),
        "the audit is not lost"
    );
}
