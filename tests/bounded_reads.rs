//! Every file Strata reads because its user named it is read bounded and
//! only if it is a regular file: `/dev/zero`, a FIFO, a directory, a
//! symlink loop or an oversized file as the architecture file, an OpenAPI
//! document, a `{file: …}` secret, a `ca_file`, a pin import, a rule file or
//! a `--replay` evidence file ends with exit 2 and a message naming the
//! path and what is wrong with it.
//!
//! The oracle for "bounded memory" is the kernel: each run has its address
//! space capped at 512 MiB (`ulimit -v`), so an unbounded read aborts the
//! process instead of exiting 2. A run that does not end within 30 s is
//! killed and fails the test (a hang).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address-space cap per run, in KiB.
const MEMORY_KIB: u64 = 512 * 1024;

struct Run {
    code: Option<i32>,
    stderr: String,
}

/// Runs `strata ARGS` in `dir` under the memory cap, killed after 30 s.
fn strata(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn strata");
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("strata {args:?} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    Run { code, stderr }
}

/// A directory holding every kind of special file the cases point at.
struct Specials {
    dir: tempfile::TempDir,
}

impl Specials {
    fn new() -> Specials {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        let ok = Command::new("mkfifo").arg(p.join("fifo")).status().expect("mkfifo");
        assert!(ok.success(), "mkfifo failed");
        std::fs::create_dir(p.join("a-dir")).expect("mkdir");
        std::os::unix::fs::symlink(p.join("loop-b"), p.join("loop-a")).expect("symlink");
        std::os::unix::fs::symlink(p.join("loop-a"), p.join("loop-b")).expect("symlink");
        // 9 MiB: over every text limit (the architecture file's is 8 MiB).
        let big = vec![b'#'; 9 * 1024 * 1024];
        std::fs::write(p.join("big.yaml"), big).expect("write big");
        std::fs::write(p.join("token.jwt"), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln\n").expect("token");
        Specials { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The special files, as (name in the directory or absolute path,
    /// what the error must say).
    fn cases(&self) -> Vec<(String, &'static str)> {
        vec![
            ("/dev/zero".to_string(), "character device"),
            ("fifo".to_string(), "FIFO"),
            ("a-dir".to_string(), "directory"),
            ("loop-a".to_string(), "symbolic links"),
        ]
    }

    /// Writes a model whose endpoint carries `policy` and returns its path.
    fn model(&self, name: &str, endpoint_extra: &str, client_extra: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(
            &path,
            format!(
                "strata: 1\nsystem: {{ name: bounded }}\nclients:\n  - id: app\n    platform: android\n{client_extra}    calls: [api]\ncomponents:\n  - {{ id: gw, kind: api-gateway, exposure: public }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://127.0.0.1:9/\n{endpoint_extra}"
            ),
        )
        .expect("write model");
        path
    }
}

fn assert_refused(run: &Run, what: &str, path: &str, reason: &str) {
    assert_eq!(
        run.code,
        Some(2),
        "{what} {path}: expected exit 2, stderr: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(path) && run.stderr.contains(reason),
        "{what} {path}: the message must name the path and say `{reason}`: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what} {path}: {}", run.stderr);
}

#[test]
fn the_architecture_file_itself() {
    let s = Specials::new();
    let mut cases = s.cases();
    cases.push(("big.yaml".into(), "larger than"));
    for (path, reason) in cases {
        for cmd in [
            vec!["validate", path.as_str()],
            vec!["audit", "--offline", "--out", "out", path.as_str()],
        ] {
            let run = strata(s.path(), &cmd);
            assert_refused(&run, "architecture file", &path, reason);
        }
    }
}

#[test]
fn an_openapi_document() {
    let s = Specials::new();
    let mut cases = s.cases();
    cases.push(("big.yaml".into(), "larger than"));
    for (i, (path, reason)) in cases.into_iter().enumerate() {
        let model = s.model(&format!("openapi{i}.yaml"), &format!("    openapi: {path}\n"), "");
        let run = strata(s.path(), &["validate", &model.to_string_lossy()]);
        assert_refused(&run, "openapi", &path, reason);
    }
}

#[test]
fn a_secret_file() {
    let s = Specials::new();
    for (i, (path, reason)) in s.cases().into_iter().enumerate() {
        let model = s.model(
            &format!("secret{i}.yaml"),
            &format!("    auth: {{ expect: jwt, token: {{ file: {path} }} }}\n"),
            "",
        );
        let run = strata(s.path(), &["validate", &model.to_string_lossy()]);
        assert_refused(&run, "secret", &path, reason);
        assert!(run.stderr.contains("endpoints[0].auth.token"), "{}", run.stderr);
    }
}

#[test]
fn a_ca_file() {
    let s = Specials::new();
    for (i, (path, reason)) in s.cases().into_iter().enumerate() {
        let model = s.model(
            &format!("ca{i}.yaml"),
            &format!("    trust: {{ ca_file: {path} }}\n"),
            "",
        );
        let run = strata(s.path(), &["validate", &model.to_string_lossy()]);
        assert_refused(&run, "ca_file", &path, reason);
        assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
    }
}

#[test]
fn a_pin_import() {
    let s = Specials::new();
    for (i, (path, reason)) in s.cases().into_iter().enumerate() {
        for kind in ["android_nsc", "ios_plist"] {
            let model = s.model(
                &format!("pins{i}-{kind}.yaml"),
                "",
                &format!("    pin_imports:\n      - {kind}: {path}\n"),
            );
            let run = strata(s.path(), &["validate", &model.to_string_lossy()]);
            assert_refused(&run, kind, &path, reason);
        }
    }
}

#[test]
fn a_rule_file_and_a_replayed_evidence_file() {
    let s = Specials::new();
    let model = s.model("plain.yaml", "", "");
    let model = model.to_string_lossy();
    // A rule directory whose rule file is special.
    for (i, (path, reason)) in s.cases().into_iter().enumerate() {
        if path.starts_with('/') {
            continue;
        }
        let rules = s.path().join(format!("rules{i}"));
        std::fs::create_dir(&rules).expect("mkdir rules");
        let target = s.path().join(&path);
        std::os::unix::fs::symlink(&target, rules.join("broken.yaml")).expect("symlink rule");
        let run = strata(
            s.path(),
            &[
                "audit",
                "--offline",
                "--out",
                "out",
                "--rules",
                &rules.to_string_lossy(),
                &model,
            ],
        );
        assert_refused(&run, "rule file", "broken.yaml", reason);
    }
    let rules = s.path().join("rules-zero");
    std::fs::create_dir(&rules).expect("mkdir rules");
    std::os::unix::fs::symlink("/dev/zero", rules.join("zero.yaml")).expect("symlink rule");
    let run = strata(
        s.path(),
        &[
            "audit",
            "--offline",
            "--out",
            "out",
            "--rules",
            &rules.to_string_lossy(),
            &model,
        ],
    );
    assert_refused(&run, "rule file", "zero.yaml", "character device");
    // Replayed evidence.
    for (path, reason) in s.cases() {
        let run = strata(s.path(), &["audit", "--replay", &path, "--out", "out", &model]);
        assert_refused(&run, "evidence file", &path, reason);
    }
    assert!(!s.path().join("out").exists(), "a refused input wrote a report");
}
