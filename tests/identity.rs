//! The identity probes (mtls, enrollment, signing) against the lab's good
//! and broken identity apps: the good ones pass, the broken ones fail
//! exactly their expected rules, untestable cases stay unverified, no key
//! or token reaches a report, and a stalling server ends in an error.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use strata::audit::Status;
use strata::audit::rules::{Layer, Proof};
use strata::pipeline::Outcome;

const SAMPLE: &str = "sample-projects/identity-lab/architecture.yaml";

/// Identity-layer rules each sample endpoint must fail (with a short-lived
/// declared client certificate).
const EXPECTED: &[(&str, &[&str])] = &[
    ("mtls-required", &[]),
    ("mtls-optional", &["mtls-enforced-not-optional"]),
    ("mtls-optional-claimed-required", &["mtls-certless-refused"]),
    ("mtls-any-ca", &["mtls-unknown-ca-refused", "mtls-expired-cert-refused"]),
    ("enroll-good", &[]),
    (
        "enroll-broken",
        &[
            "enroll-refuses-missing-attestation",
            "enroll-refuses-bogus-attestation",
            "enroll-refuses-broken-pop",
            "enroll-refuses-replayed-nonce",
            "enroll-issues-short-lived-certs",
        ],
    ),
    ("signing-good-headers", &[]),
    ("signing-good-httpsig", &[]),
    (
        "signing-broken-headers",
        &[
            "signing-refuses-replay",
            "signing-refuses-stale-timestamp",
            "signing-refuses-reused-nonce",
            "signing-nonce-monotonic",
        ],
    ),
    (
        "signing-broken-httpsig",
        &[
            "signing-refuses-replay",
            "signing-refuses-stale-timestamp",
            "signing-refuses-reused-nonce",
        ],
    ),
];

fn identity_layer(l: Layer) -> bool {
    matches!(l, Layer::ClientIdentity | Layer::Attestation | Layer::RequestSigning)
}

/// A 30-day client certificate from the lab issuing CA, written to `dir`:
/// the short-lived credential the seeds recommend (the committed sample
/// certificate is long-lived so that the sample keeps working).
fn short_lived_client_cert(dir: &Path) -> (String, String) {
    use rcgen::{CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose};
    let pki = strata::lab::pki::LabPki::new(time::OffsetDateTime::now_utc()).expect("pki");
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Strata Lab");
    dn.push(DnType::CommonName, "strata-test-device");
    p.distinguished_name = dn;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::hours(1);
    p.not_after = now + time::Duration::days(30);
    let cert = p.signed_by(&key, pki.issuer()).expect("sign");
    let inter = pem("CERTIFICATE", pki.issuer_der());
    let cert_path = dir.join("client.pem");
    let key_path = dir.join("client.key");
    std::fs::write(&cert_path, format!("{}{inter}", cert.pem())).expect("write");
    std::fs::write(&key_path, key.serialize_pem()).expect("write");
    (cert_path.display().to_string(), key_path.display().to_string())
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

/// The sample, on the lab's ports, with a fresh short-lived client cert.
fn sample_text(lab: &strata::lab::Lab, dir: &Path) -> String {
    let (cert, key) = short_lived_client_cert(dir);
    let text = std::fs::read_to_string(common::repo(SAMPLE)).expect("sample");
    lab.manifest
        .rebase(&text)
        .replace("{ file: secrets/client.pem }", &format!("{{ file: {cert:?} }}"))
        .replace("{ file: secrets/client.key }", &format!("{{ file: {key:?} }}"))
}

async fn audit_text(text: &str) -> Outcome {
    let model = strata::model::load_str(text, &common::repo(SAMPLE)).unwrap_or_else(|e| panic!("{e}"));
    common::audit(&model).await
}

fn layer_evidence(o: &Outcome, endpoint: &str, probe: &str) -> serde_json::Value {
    o.evidence
        .endpoints
        .get(endpoint)
        .and_then(|e| e.layers.get(probe))
        .and_then(|x| x.observed())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no {probe} evidence for {endpoint}: {:?}",
                o.evidence.endpoints.get(endpoint)
            )
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_apps_pass_broken_apps_fail_exactly_their_rules() {
    let lab = common::lab().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let o = audit_text(&sample_text(&lab, dir.path())).await;
    lab.stop().await;

    for (endpoint, expected) in EXPECTED {
        let subject = format!("endpoint:{endpoint}");
        let mine: Vec<_> = o
            .audit
            .findings
            .iter()
            .filter(|f| f.subject == subject && identity_layer(f.layer) && f.proof == Proof::Live)
            .collect();
        assert!(!mine.is_empty(), "no identity findings for {endpoint}");
        let errors: Vec<_> = mine
            .iter()
            .filter(|f| f.status == Status::Error)
            .map(|f| (&f.rule, &f.message))
            .collect();
        assert!(errors.is_empty(), "{endpoint}: {errors:?}");
        let failed: BTreeSet<&str> = mine
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| f.rule.as_str())
            .collect();
        let want: BTreeSet<&str> = expected.iter().copied().collect();
        assert_eq!(
            failed,
            want,
            "{endpoint}: {:#?}",
            mine.iter().map(|f| (&f.rule, f.status, &f.message)).collect::<Vec<_>>()
        );
        // Everything the sample supplies material for is decided.
        let unverified: Vec<_> = mine
            .iter()
            .filter(|f| f.status == Status::Unverified)
            .map(|f| f.rule.as_str())
            .collect();
        let allowed: &[&str] = if *endpoint == "mtls-optional-claimed-required" {
            &["mtls-expired-cert-refused"]
        } else {
            &[]
        };
        assert_eq!(unverified, allowed, "{endpoint}");
        // And the transport rules are undisturbed by the identity apps.
        let transport: Vec<_> = o
            .audit
            .findings
            .iter()
            .filter(|f| {
                f.subject == subject && f.layer == Layer::Transport && matches!(f.status, Status::Fail | Status::Error)
            })
            .map(|f| (&f.rule, &f.message))
            .collect();
        assert!(transport.is_empty(), "{endpoint}: {transport:?}");
    }

    // Where and why, as recorded.
    let req = layer_evidence(&o, "mtls-required", "mtls");
    assert_eq!(req["cert_requested"], true);
    assert_eq!(
        req["ca_names"],
        serde_json::json!(["O=Strata Lab, CN=Strata Lab Root CA"])
    );
    assert_eq!(req["tls_version"], "TLSv1_3");
    assert_eq!(req["no_cert"]["rejected_at"], "first-read", "{req}");
    assert_eq!(req["expired_cert"]["refused"], true);
    assert_eq!(req["declared_cert"]["rejected_at"], "not-rejected");
    assert_eq!(req["declared_cert_info"]["lifetime_days"], 30);
    let opt = layer_evidence(&o, "mtls-optional", "mtls");
    assert_eq!(opt["no_cert"]["rejected_at"], "not-rejected");
    assert_eq!(opt["no_cert"]["status"], 200);
    let any = layer_evidence(&o, "mtls-any-ca", "mtls");
    assert_eq!(any["ca_names"], serde_json::json!([]));
    assert_eq!(any["unknown_ca_cert"]["refused"], false);

    let good = layer_evidence(&o, "enroll-good", "enrollment");
    assert_eq!(good["genuine"]["verdict"], "accepted", "{good}");
    assert_eq!(good["replayed_nonce"]["status"], 409);
    assert_eq!(good["broken_pop"]["status"], 400);
    assert_eq!(good["bogus_kind"], "supplied-token-bad-signature");
    assert_eq!(good["issued_cert"]["lifetime_days"], 30);
    assert_eq!(good["issued_cert"]["matches_csr_key"], true);
    let broken = layer_evidence(&o, "enroll-broken", "enrollment");
    assert_eq!(broken["issued_cert"]["lifetime_days"], 3650);

    let sg = layer_evidence(&o, "signing-good-httpsig", "signing");
    assert_eq!(sg["valid"]["status"], 200, "{sg}");
    assert_eq!(sg["tampered_body"]["status"], 400);
    assert_eq!(sg["stale_timestamp"]["status"], 401);
    assert_eq!(sg["replay"]["status"], 409);
    let sb = layer_evidence(&o, "signing-broken-headers", "signing");
    assert_eq!(sb["tampered_body"]["verdict"], "refused");
    assert_eq!(sb["older_nonce"]["verdict"], "accepted");

    // No key, token, CSR or certificate material in any report.
    let json = strata::report::json::render(&o.report).expect("json");
    let html = strata::report::html::render(&o.report);
    let mut forbidden = vec![
        "PRIVATE KEY".to_string(),
        "CERTIFICATE REQUEST".to_string(),
        "BEGIN CERTIFICATE".to_string(),
        "secrets/".to_string(),
        "x-strata-signature".to_string(),
    ];
    let token = std::fs::read_to_string(common::repo(
        "sample-projects/identity-lab/secrets/attestation-token.txt",
    ))
    .expect("token");
    forbidden.extend(token.trim().split('.').map(str::to_string));
    for key in ["signing.key", "client.key", "expired-client.key"] {
        let text =
            std::fs::read_to_string(common::repo(&format!("sample-projects/identity-lab/secrets/{key}"))).expect("key");
        forbidden.extend(text.lines().filter(|l| !l.starts_with("-----")).map(str::to_string));
    }
    for needle in &forbidden {
        assert!(!json.contains(needle.as_str()), "JSON report contains {needle:?}");
        assert!(!html.contains(needle.as_str()), "HTML report contains {needle:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_test_material_refusals_stay_unverified() {
    let lab = common::lab().await;
    let port = |n: &str| lab.manifest.port(n).expect("port");
    let ca = common::repo("assets/lab/root-ca.pem").display().to_string();
    // A P-256 key the signing apps do not know: every signature is wrong.
    let stranger = common::repo("sample-projects/identity-lab/secrets/client.key")
        .display()
        .to_string();
    let tmpl = r#"'{"csr": "{{csr}}", "attestation": "{{attestation}}", "nonce": "{{nonce}}"}'"#;
    let ep = |id: &str, app: &str, extra: &str| {
        format!(
            "  - {{ id: {id}, component: gw, url: \"https://127.0.0.1:{}/\", server_name: {app}.lab.strata.test, trust: {{ ca_file: {ca:?} }}, {extra} }}\n",
            port(app)
        )
    };
    let mut yaml = String::from(
        "strata: 1\nsystem: { name: bare }\ncomponents:\n  - { id: gw, kind: api-gateway, exposure: public }\nendpoints:\n",
    );
    yaml += &ep("req", "mtls-required", "mtls: { expect: required }");
    let enroll =
        format!("enrollment: {{ path: /v1/enroll, challenge_path: /v1/enroll/challenge, body_template: {tmpl} }}");
    yaml += &ep("eg", "enroll-good", &enroll);
    yaml += &ep("eb", "enroll-broken", &enroll);
    yaml += &ep(
        "sg",
        "signing-good",
        &format!(
            "signing: {{ scheme: header-ecdsa-p256, path: /v1/transfer, key: {{ file: {stranger:?} }}, key_id: lab-device-1 }}"
        ),
    );
    let model = strata::model::load_str(&yaml, Path::new("bare.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let o = common::audit(&model).await;
    lab.stop().await;
    let status = |id: &str| {
        o.audit
            .findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| (f.status, f.message.clone()))
            .unwrap_or_else(|| panic!("no finding {id}"))
    };
    use Status::*;
    for (id, want) in [
        ("mtls-certless-refused@endpoint:req", Pass),
        ("mtls-unknown-ca-refused@endpoint:req", Pass),
        ("mtls-expired-cert-refused@endpoint:req", Unverified),
        ("mtls-declared-cert-accepted@endpoint:req", Unverified),
        ("mtls-client-cert-short-lived@endpoint:req", Unverified),
        // A good server refuses everything without a valid token: no baseline.
        ("enroll-refuses-missing-attestation@endpoint:eg", Unverified),
        ("enroll-refuses-bogus-attestation@endpoint:eg", Unverified),
        ("enroll-refuses-broken-pop@endpoint:eg", Unverified),
        ("enroll-refuses-replayed-nonce@endpoint:eg", Unverified),
        ("enroll-issues-short-lived-certs@endpoint:eg", Unverified),
        // A broken one convicts itself by accepting.
        ("enroll-refuses-missing-attestation@endpoint:eb", Fail),
        ("enroll-refuses-bogus-attestation@endpoint:eb", Fail),
        ("enroll-refuses-broken-pop@endpoint:eb", Fail),
        ("enroll-refuses-replayed-nonce@endpoint:eb", Unverified),
        // A wrong key: the valid request is refused, so nothing else counts.
        ("signing-accepts-valid@endpoint:sg", Fail),
        ("signing-refuses-replay@endpoint:sg", Unverified),
        ("signing-refuses-tampered-body@endpoint:sg", Unverified),
        ("signing-refuses-stale-timestamp@endpoint:sg", Unverified),
        ("signing-refuses-reused-nonce@endpoint:sg", Unverified),
    ] {
        let (got, message) = status(id);
        assert_eq!(got, want, "{id}: {message}");
    }
    let eg = layer_evidence(&o, "eg", "enrollment");
    assert_eq!(eg["replayed_nonce"]["verdict"], "not-tested");
    assert!(
        eg["replayed_nonce"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("unverified")),
        "{eg}"
    );
    assert_eq!(eg["bogus_kind"], "self-signed-jws");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_probes_give_up_on_a_stalling_server() {
    use strata::probe::{EndpointProbe, ProbeContext};
    strata::probe::install_crypto_provider();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accepts and never answers; bounded: at most 8 connections, 30 s.
    tokio::spawn(async move {
        let mut held = Vec::new();
        for _ in 0..8 {
            if let Ok(Ok((s, _))) = tokio::time::timeout(Duration::from_secs(30), listener.accept()).await {
                held.push(s);
            }
        }
    });
    let key = common::repo("sample-projects/identity-lab/secrets/signing.key")
        .display()
        .to_string();
    let yaml = format!(
        "strata: 1\nsystem: {{ name: stall }}\ncomponents:\n  - {{ id: gw, kind: service }}\nendpoints:\n  - id: s\n    component: gw\n    url: \"https://127.0.0.1:{port}/\"\n    mtls: {{ expect: required }}\n    enrollment: {{ path: /e, body_template: '{{}}' }}\n    signing: {{ scheme: http-message-signatures, path: /s, key: {{ file: {key:?} }} }}\n"
    );
    let model = strata::model::load_str(&yaml, Path::new("stall.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let target = &model.endpoints[0];
    let decl = model.endpoint("s").expect("decl");
    let cx = ProbeContext::new(0, Duration::from_secs(1), Duration::from_secs(1));
    let probes: Vec<std::sync::Arc<dyn EndpointProbe>> = strata::probe::registry::probes()
        .iter()
        .filter(|p| ["mtls", "enrollment", "signing"].contains(&p.name()))
        .cloned()
        .collect();
    assert_eq!(probes.len(), 3);
    for p in probes {
        assert!(p.applies(target, decl), "{}", p.name());
        let started = Instant::now();
        let r = tokio::time::timeout(Duration::from_secs(10), p.run(target, decl, &cx))
            .await
            .unwrap_or_else(|_| panic!("{} hung", p.name()));
        let f = r.expect_err("a stalling server is an error");
        assert_eq!(f.stage, "handshake", "{}: {f}", p.name());
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{} took {:?}",
            p.name(),
            started.elapsed()
        );
    }
}

/// Regenerates the committed TEST-ONLY identity material. Run through
/// `assets/lab/make-identity-material.sh`; does nothing otherwise.
#[test]
#[ignore = "writes committed test material; run assets/lab/make-identity-material.sh"]
fn regenerate_identity_material() {
    use rcgen::{CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose};
    if std::env::var("STRATA_WRITE_IDENTITY_MATERIAL").as_deref() != Ok("1") {
        return;
    }
    let now = time::OffsetDateTime::now_utc();
    let pki = strata::lab::pki::LabPki::new(now).expect("pki");
    let inter = pem("CERTIFICATE", pki.issuer_der());
    let secrets = common::repo("sample-projects/identity-lab/secrets");
    let assets = common::repo("assets/lab");
    std::fs::create_dir_all(&secrets).expect("mkdir");
    let write = |p: std::path::PathBuf, text: &str| std::fs::write(p, text).expect("write");
    let client = |cn: &str, nb: time::OffsetDateTime, na: time::OffsetDateTime| {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let mut p = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Strata Lab");
        dn.push(DnType::CommonName, cn);
        p.distinguished_name = dn;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        p.use_authority_key_identifier_extension = true;
        p.not_before = nb;
        p.not_after = na;
        let cert = p.signed_by(&key, pki.issuer()).expect("sign");
        (format!("{}{inter}", cert.pem()), key.serialize_pem())
    };
    let day = time::Duration::days(1);
    let (c, k) = client("strata-lab-device-001", now - day, now + day * 3650);
    write(secrets.join("client.pem"), &c);
    write(secrets.join("client.key"), &k);
    let (c, k) = client(
        "strata-lab-device-expired",
        time::macros::datetime!(2024-01-01 00:00 UTC),
        time::macros::datetime!(2024-03-31 00:00 UTC),
    );
    write(secrets.join("expired-client.pem"), &c);
    write(secrets.join("expired-client.key"), &k);
    let signing = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    write(secrets.join("signing.key"), &signing.serialize_pem());
    write(assets.join("signing-client.pub.pem"), &signing.public_key_pem());
    let authority = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    write(assets.join("attestation-authority.key"), &authority.serialize_pem());
    let claims = serde_json::json!({
        "iss": strata::lab::identity::ATTESTATION_ISSUER,
        "sub": "com.strata.lab.app",
        "verdict": strata::lab::identity::ATTESTATION_VERDICT,
        "nonce": format!("test-only-{}", now.unix_timestamp()),
        "iat": now.unix_timestamp(),
        "exp": now.unix_timestamp() + 20 * 365 * 86_400,
        "test_only": true,
    });
    let token = strata::probe::enrollment::es256_jws(&authority.serialize_der(), &claims).expect("token");
    write(secrets.join("attestation-token.txt"), &format!("{token}\n"));
}
