//! Stable grades: repeated audits of an unchanged lab give the same grade,
//! score and finding statuses, whatever was audited before (issue 9). The
//! lab's good enrollment app accepts each attestation token once, so the
//! samples fetch a fresh one per audit; its replay is still refused.

mod common;

use std::collections::BTreeMap;
use strata::pipeline::Outcome;

const ACME: &str = "sample-projects/acme-pay/architecture.yaml";
/// The README's order of audits.
const README_ORDER: &[&str] = &[
    "sample-projects/lab-tour/architecture.yaml",
    "sample-projects/identity-lab/architecture.yaml",
    ACME,
    "sample-projects/gateway-lab/architecture.yaml",
];

/// What must not change between audits: grade, grade before caps, score,
/// caps, and every finding's status by id.
#[derive(Debug, PartialEq)]
struct Verdict {
    grade: String,
    uncapped: String,
    overall: u32,
    caps: Vec<String>,
    statuses: BTreeMap<String, String>,
}

fn verdict(o: &Outcome) -> Verdict {
    let s = &o.audit.score;
    Verdict {
        grade: s.grade.clone(),
        uncapped: s.uncapped_grade.clone(),
        overall: s.overall,
        caps: s.caps.clone(),
        statuses: o
            .audit
            .findings
            .iter()
            .map(|f| (f.id.clone(), format!("{:?}", f.status)))
            .collect(),
    }
}

/// The enrollment evidence shows a genuine enrollment accepted and the
/// same token's replay refused: the good app's security property holds.
fn assert_enrollment_sound(o: &Outcome, endpoint: &str) {
    let e = o
        .evidence
        .endpoints
        .get(endpoint)
        .and_then(|e| e.layers.get("enrollment"))
        .and_then(|x| x.observed())
        .unwrap_or_else(|| panic!("no enrollment evidence for {endpoint}"));
    assert_eq!(e["token_supplied"], true, "{e}");
    assert_eq!(e["genuine"]["accepted"], true, "{e}");
    assert_eq!(e["replayed_nonce"]["verdict"], "refused", "{e}");
    assert_eq!(e["replayed_nonce"]["status"], 409, "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_audits_of_an_unchanged_lab_give_the_same_grade() {
    let lab = common::lab().await;
    let acme = common::sample(&lab, ACME);

    // The oracle: acme-pay audited first, on a lab nothing has touched.
    let first = common::audit(&acme).await;
    assert_enrollment_sound(&first, "enroll");
    let baseline = verdict(&first);
    assert!(
        baseline
            .statuses
            .keys()
            .any(|id| id.starts_with("enroll-refuses-replayed-nonce@")),
        "the replay rule ran: {:?}",
        baseline.statuses.keys()
    );

    // Then the README's order, then acme-pay twice more.
    let mut acme_runs = Vec::new();
    for rel in README_ORDER {
        let o = common::audit(&common::sample(&lab, rel)).await;
        if *rel == ACME {
            acme_runs.push(o);
        } else if rel.contains("identity-lab") {
            assert_enrollment_sound(&o, "enroll-good");
        }
    }
    for _ in 0..2 {
        acme_runs.push(common::audit(&acme).await);
    }
    for (i, o) in acme_runs.iter().enumerate() {
        assert_enrollment_sound(o, "enroll");
        assert_eq!(verdict(o), baseline, "acme-pay audit {} differs from the first", i + 2);
    }
    lab.stop().await;
}
