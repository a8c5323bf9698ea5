//! Pin sets (inline and imported from the apps' own files) against the live
//! chain of the lab, through the bundled Acme Pay sample.

mod common;

use strata::audit::Status;

fn status(o: &strata::pipeline::Outcome, id: &str) -> Status {
    match o.audit.findings.iter().find(|f| f.id == id) {
        Some(f) => f.status,
        None => panic!("no finding {id}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_pin_mismatches_are_found_and_the_sound_pin_set_passes() {
    let lab = common::lab().await;
    let model = common::sample(&lab, "sample-projects/acme-pay/architecture.yaml");
    // Imported: Android NSC (CA pin + backup), iOS Info.plist (wrong pins).
    assert!(
        model
            .pin_sets
            .iter()
            .any(|p| p.client == "android-app" && p.origin.contains("network_security_config.xml"))
    );
    assert!(
        model
            .pin_sets
            .iter()
            .any(|p| p.client == "ios-app" && p.origin.contains("Info.plist"))
    );
    let o = common::audit(&model).await;
    let android = "pinset:android-app/gateway-good.lab.strata.test";
    for rule in [
        "pin-matches-live-chain",
        "pin-backup-present",
        "pin-not-leaf-only",
        "pin-set-has-expiry",
        "pin-set-not-expired",
    ] {
        assert_eq!(status(&o, &format!("{rule}@{android}")), Status::Pass, "{rule}");
    }
    // The iOS app pins keys the server does not use: locked out.
    let ios = o
        .audit
        .findings
        .iter()
        .find(|f| f.id == "pin-matches-live-chain@pinset:ios-app/gateway-good.lab.strata.test");
    let ios = ios.expect("ios finding");
    assert_eq!(ios.status, Status::Fail);
    assert!(ios.message.contains("locked out"), "{}", ios.message);
    // The ops app pins only the leaf, with no backup and no expiry.
    let ops = "pinset:ops-app/gateway-good.lab.strata.test";
    assert_eq!(status(&o, &format!("pin-matches-live-chain@{ops}")), Status::Pass);
    // One pin: no backup whatever the chain (the live backup check does not
    // apply, so the cause is reported once).
    assert_eq!(status(&o, &format!("pin-set-has-two-pins@{ops}")), Status::Fail);
    assert_eq!(status(&o, &format!("pin-backup-present@{ops}")), Status::NotApplicable);
    assert_eq!(status(&o, &format!("pin-not-leaf-only@{ops}")), Status::Fail);
    assert_eq!(status(&o, &format!("pin-set-has-expiry@{ops}")), Status::Fail);
    // Hosts a pinning client calls without pins.
    assert_eq!(status(&o, "client-pins-every-host@client:ios-app"), Status::Fail);
    assert_eq!(status(&o, "client-pins-every-host@client:android-app"), Status::Pass);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_without_live_evidence_are_unverified_or_error_never_pass() {
    // The same sample with the lab down: every live pin check is an error
    // with its reason, none passes.
    let lab = common::lab().await;
    let model = common::sample(&lab, "sample-projects/acme-pay/architecture.yaml");
    lab.stop().await;
    let o = common::audit(&model).await;
    for f in o
        .audit
        .findings
        .iter()
        .filter(|f| f.subject.starts_with("pinset:") && f.proof == strata::audit::rules::Proof::Live)
    {
        // A rule whose `when` rules it out from the model alone (one pin:
        // no live backup check) does not apply; every other is an error.
        if f.status == Status::NotApplicable {
            continue;
        }
        assert_eq!(f.status, Status::Error, "{} {}", f.id, f.message);
        assert!(f.message.contains("connect"), "{}", f.message);
    }
    assert!(
        o.audit
            .findings
            .iter()
            .any(|f| f.subject.starts_with("pinset:") && f.status == Status::Error)
    );
}
