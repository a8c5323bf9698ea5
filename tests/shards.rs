//! Sharded audits of the Acme Pay sample against the in-process lab
//! (docs/ci.md):
//! * `strata audit --shard K/3` probes exactly its slice of the sorted
//!   endpoint ids (round-robin) and saves only that evidence;
//! * `strata merge` of one full evidence file split the way `--shard`
//!   selects gives the same JSON bytes as `--replay` of the whole (live
//!   probing differs run to run, so the byte comparison is on one
//!   evidence set), and the merged evidence is that file again;
//! * the live shards merge into one report of every endpoint;
//! * missing, overlapping and foreign shards are refused with exit 2.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use strata::evidence::Evidence;
use strata::shard::Shard;

const REPORT: &str = "architecture-acme-pay.strata.json";

/// Runs the CLI off the async threads (the lab serves on them).
async fn strata(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .output()
            .expect("run strata")
    })
    .await
    .expect("join")
}

fn args(a: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<String> {
    a.iter().map(|s| s.as_ref().to_string_lossy().into_owned()).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// The sample, rebased on `lab`'s ports, in `dir` with the files it names
/// (`../../assets/lab`); returns the model file.
fn sample_file(lab: &strata::lab::Lab, dir: &Path) -> PathBuf {
    copy_dir(
        &common::repo("sample-projects/acme-pay"),
        &dir.join("sample-projects/acme-pay"),
    );
    copy_dir(&common::repo("assets/lab"), &dir.join("assets/lab"));
    let file = dir.join("sample-projects/acme-pay/architecture.yaml");
    let text = std::fs::read_to_string(&file).expect("sample");
    std::fs::write(&file, lab.manifest.rebase(&text)).expect("write rebased sample");
    file
}

fn read_evidence(path: &Path) -> Evidence {
    serde_json::from_str(&std::fs::read_to_string(path).expect("evidence file")).expect("evidence parses")
}

fn endpoints(e: &Evidence) -> BTreeSet<String> {
    e.endpoints.keys().cloned().collect()
}

fn ok(run: &Output) {
    assert_eq!(
        run.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_probe_their_slice_and_merge_to_the_unsharded_report() {
    let lab = common::lab().await;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let file = sample_file(&lab, dir);
    let model = strata::model::load(&file).unwrap_or_else(|e| panic!("{e}"));

    // The documented selection: sorted ids, round-robin.
    let all: Vec<&str> = vec!["admin", "api", "auth", "enroll", "partner", "static", "transfers"];
    let declared: BTreeSet<String> = model.endpoints.iter().map(|e| e.id.clone()).collect();
    assert_eq!(declared, all.iter().map(|s| s.to_string()).collect());
    let expected = [
        vec!["admin", "enroll", "transfers"],
        vec!["api", "partner"],
        vec!["auth", "static"],
    ];

    // Live shards: each probes exactly its slice and writes no report.
    let mut live = Vec::new();
    for (k, want) in expected.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        let ev = dir.join(format!("shard-{}.json", k + 1));
        let out = dir.join(format!("shard-out-{}", k + 1));
        let run = strata(args(&[
            &"audit",
            &file,
            &"--shard",
            &shard,
            &"--save-evidence",
            &ev,
            &"--out",
            &out,
        ]))
        .await;
        ok(&run);
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(
            said.starts_with(&format!(
                "shard {shard}: probed {} endpoint(s) ({})",
                want.len(),
                want.join(", ")
            )),
            "{said}"
        );
        assert!(!out.exists(), "a shard writes evidence, not reports");
        let e = read_evidence(&ev);
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(endpoints(&e), want, "shard {shard}");
        let probed: BTreeSet<String> = e
            .probes_run
            .iter()
            .map(|p| p.split_once('@').expect("probe@endpoint").1.to_string())
            .collect();
        assert_eq!(probed, want, "shard {shard} ran probes only on its endpoints");
        for id in &want {
            assert!(
                e.probes_run.contains(&format!("tls@{id}")),
                "{shard}: {:?}",
                e.probes_run
            );
            assert!(
                e.endpoints[id].tls.observed().is_some(),
                "{shard}: {id} was really probed"
            );
        }
        assert_eq!(
            endpoints(&Shard::split(&Shard { index: k + 1, count: 3 }, &model, &e)),
            endpoints(&e),
            "split selects what --shard probed"
        );
        live.push(ev);
    }

    // One unsharded live run: the evidence E.
    let full = dir.join("full.json");
    let run = strata(args(&[
        &"audit",
        &file,
        &"--save-evidence",
        &full,
        &"--out",
        &dir.join("full-out"),
        &"--format",
        &"json",
    ]))
    .await;
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let e = read_evidence(&full);
    assert_eq!(endpoints(&e), declared);

    // A shard observes what the unsharded run observes: the same probes,
    // each with the same kind of outcome.
    let kind = |o: &strata::evidence::Observation<serde_json::Value>| match o {
        strata::evidence::Observation::Observed(_) => "observed",
        strata::evidence::Observation::Error(_) => "error",
        strata::evidence::Observation::NotProbed => "not-probed",
    };
    let mut sharded_probes = Vec::new();
    for path in &live {
        let s = read_evidence(path);
        sharded_probes.extend(s.probes_run.iter().cloned());
        for (id, got) in &s.endpoints {
            let want = &e.endpoints[id];
            let layers = |x: &strata::evidence::EndpointEvidence| -> Vec<(String, &'static str)> {
                x.layers.iter().map(|(k, o)| (k.clone(), kind(o))).collect()
            };
            assert_eq!(
                layers(got),
                layers(want),
                "{id}: layer probes of the shard and the full run"
            );
            assert_eq!(got.tls.observed().is_some(), want.tls.observed().is_some(), "{id}: tls");
            assert_eq!(
                got.http.observed().is_some(),
                want.http.observed().is_some(),
                "{id}: http"
            );
        }
    }
    sharded_probes.sort();
    assert_eq!(sharded_probes, e.probes_run, "the shards together ran every probe once");

    // E split as --shard selects, then merged == --replay E, byte for byte.
    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = Shard { index: k, count: 3 }.split(&model, &e);
        assert_eq!(
            endpoints(&part),
            expected[k - 1].iter().map(|s| s.to_string()).collect()
        );
        let path = dir.join(format!("split-{k}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(&part).expect("json")).expect("write split");
        parts.push(path);
    }
    let merged_dir = dir.join("merged");
    let merged_ev = dir.join("merged.evidence.json");
    // Out of order on purpose: the order of the files does not matter.
    let run = strata(args(&[
        &"merge",
        &file,
        &parts[2],
        &parts[0],
        &parts[1],
        &"-o",
        &merged_dir,
        &"--format",
        &"json",
        &"--save-evidence",
        &merged_ev,
        &"--quiet",
    ]))
    .await;
    ok(&run);
    let replay_dir = dir.join("replayed");
    let run = strata(args(&[
        &"audit",
        &file,
        &"--replay",
        &full,
        &"--out",
        &replay_dir,
        &"--format",
        &"json",
    ]))
    .await;
    ok(&run);
    let merged = std::fs::read(merged_dir.join(REPORT)).expect("merged report");
    let replayed = std::fs::read(replay_dir.join(REPORT)).expect("replayed report");
    assert!(
        merged == replayed,
        "merge of the split evidence differs from --replay of the whole"
    );
    assert_eq!(
        std::fs::read(&merged_ev).expect("merged evidence"),
        std::fs::read(&full).expect("full evidence"),
        "the merged evidence is the unsharded evidence"
    );

    // The live shards merge too, into a report of every endpoint.
    let live_dir = dir.join("live-merged");
    let run = strata(args(&[
        &"merge",
        &file,
        &live[0],
        &live[1],
        &live[2],
        &"--out",
        &live_dir,
        &"--format",
        &"json",
    ]))
    .await;
    ok(&run);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(live_dir.join(REPORT)).expect("live merged report")).expect("json");
    let keys: BTreeSet<String> = report["evidence"]["endpoints"]
        .as_object()
        .expect("endpoints")
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, declared);
    let earliest = live.iter().map(|p| read_evidence(p).observed_at).min().expect("shards");
    assert_eq!(
        report["evidence"]["observed_at"], earliest,
        "the earliest shard's clock"
    );

    // Missing, overlapping and foreign shards are refused.
    let run = strata(args(&[&"merge", &file, &parts[0], &parts[1], &"--out", &dir.join("x")])).await;
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("shards are missing") && err.contains("auth, static"),
        "{err}"
    );
    assert!(!dir.join("x").exists(), "nothing written");
    let run = strata(args(&[
        &"merge",
        &file,
        &parts[0],
        &parts[1],
        &parts[2],
        &live[1],
        &"--out",
        &dir.join("x"),
    ]))
    .await;
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("the shards overlap: endpoint `api`"), "{err}");
    let run = strata(args(&[&"merge", &file, &full, &parts[0], &"--out", &dir.join("x")])).await;
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("overlap"));
    let mut foreign = Shard { index: 1, count: 3 }.split(&model, &e);
    let v = foreign.endpoints.values().next().cloned().expect("an endpoint");
    foreign.endpoints.insert("elsewhere".into(), v);
    let foreign_path = dir.join("foreign.json");
    std::fs::write(&foreign_path, serde_json::to_vec(&foreign).expect("json")).expect("write");
    let run = strata(args(&[
        &"merge",
        &file,
        &foreign_path,
        &parts[1],
        &parts[2],
        &"--out",
        &dir.join("x"),
    ]))
    .await;
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("endpoint `elsewhere` is not in the architecture file"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!dir.join("x").exists(), "nothing written");

    // --shard without --save-evidence is a usage error.
    let run = strata(args(&[&"audit", &file, &"--shard", &"1/3"])).await;
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--save-evidence"));
    let run = strata(args(&[
        &"audit",
        &file,
        &"--shard",
        &"4/3",
        &"--save-evidence",
        &dir.join("y.json"),
    ]))
    .await;
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not a shard K/N"));

    lab.stop().await;
}

#[test]
fn skipped_lines_merge_back_into_model_order() {
    let model = strata::model::load(&common::repo("sample-projects/acme-pay/architecture.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(common::repo("tests/fixtures/reports/acme-pay.evidence.json")).expect("fixture");
    let mut e: Evidence = serde_json::from_str(&text).expect("parses");
    // As the runner lists them: model endpoint order, then probe order.
    let order: Vec<String> = model.endpoints.iter().map(|t| t.id.clone()).collect();
    e.skipped = order
        .iter()
        .flat_map(|id| [format!("enrollment@{id}: not run"), format!("rate_limit@{id}: not run")])
        .collect();
    let mut parts = Vec::new();
    for k in 1..=3 {
        let mut p = Shard { index: k, count: 3 }.split(&model, &e);
        p.observed_at += 10 * k as i64;
        parts.push((PathBuf::from(format!("s{k}")), p));
    }
    parts.reverse();
    let merged = strata::shard::merge(&model, &parts).expect("merge");
    assert_eq!(merged.skipped, e.skipped);
    assert_eq!(merged.probes_run, e.probes_run);
    assert_eq!(merged.endpoints, e.endpoints);
    assert_eq!(merged.observed_at, e.observed_at + 10, "the earliest shard's clock");
    parts[0].1.cancelled = true;
    let err = strata::shard::merge(&model, &parts).expect_err("cancelled shard");
    assert!(err.to_string().contains("interrupted run"), "{err}");
}
