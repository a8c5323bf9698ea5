//! Bad architecture files give errors that name file, line:column and the
//! field path, and suggest the intended name.

use std::path::Path;
use strata::model::{ModelError, load_str};

fn errors(yaml: &str) -> Vec<ModelError> {
    match load_str(yaml, Path::new("arch.yaml")) {
        Ok(_) => panic!("expected an error for:\n{yaml}"),
        Err(e) => e.0,
    }
}

const HEAD: &str = "strata: 1\nsystem: { name: t }\n";

#[test]
fn syntax_error_names_line_and_column() {
    let e = errors("strata: 1\nsystem: { name: t\nclients: []\n");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].file, Path::new("arch.yaml"));
    assert!(e[0].line >= 2, "{:?}", e[0]);
    assert!(e[0].column > 0, "{:?}", e[0]);
}

#[test]
fn unknown_field_suggests_the_right_one() {
    let yaml = format!("{HEAD}clients:\n  - id: app\n    platfrom: android\n");
    let e = errors(&yaml);
    assert_eq!((e[0].line, e[0].column), (5, 5), "{:?}", e[0]);
    assert_eq!(e[0].path, "clients[0].platfrom");
    assert!(e[0].message.contains("did you mean `platform`?"), "{}", e[0].message);
    let shown = e[0].to_string();
    assert!(
        shown.starts_with("arch.yaml:5:5: clients[0].platfrom: unknown field"),
        "{shown}"
    );
    assert!(!shown.contains(" at line "), "position is said once: {shown}");
}

#[test]
fn unknown_enum_value_suggests_the_right_one() {
    let yaml = format!("{HEAD}clients:\n  - id: app\n    platform: android\n    key_storage: strongbx\n");
    let e = errors(&yaml);
    assert_eq!(e[0].line, 6);
    assert_eq!(e[0].path, "clients[0].key_storage");
    assert!(e[0].message.contains("did you mean `strongbox`?"), "{}", e[0].message);
}

#[test]
fn wrong_type_names_the_field() {
    let yaml =
        format!("{HEAD}endpoints:\n  - id: api\n    component: gw\n    url: https://x.test/\n    active: maybe\n");
    let e = errors(&yaml);
    assert_eq!(e[0].line, 7);
    assert_eq!(e[0].path, "endpoints[0].active");
}

#[test]
fn dangling_references_name_both_ends() {
    let yaml = format!(
        "{HEAD}clients:\n  - {{ id: app, platform: ios }}\ncomponents:\n  - {{ id: gateway, kind: api-gateway }}\nflows:\n  - {{ from: app, to: gatway }}\n  - {{ from: ghost, to: gateway }}\n"
    );
    let e = errors(&yaml);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(e[0].path, "flows[0].to");
    assert_eq!(e[0].line, 8);
    assert!(
        e[0].message.contains("`gatway`") && e[0].message.contains("flow `app` → `gatway`"),
        "{}",
        e[0].message
    );
    assert!(e[0].message.contains("did you mean `gateway`?"), "{}", e[0].message);
    assert_eq!(e[1].path, "flows[1].from");
    assert!(e[1].message.contains("`ghost`"), "{}", e[1].message);
}

#[test]
fn secrets_cannot_be_written_inline() {
    let yaml = format!(
        "{HEAD}components:\n  - {{ id: gw, kind: api-gateway }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://x.test/\n    auth: {{ expect: jwt, token: eyJhbGciOi }}\n"
    );
    let e = errors(&yaml);
    assert!(e[0].path.starts_with("endpoints[0].auth.token"), "{:?}", e[0]);
    let yaml = yaml.replace("token: eyJhbGciOi", "token: { env: API_TOKEN }");
    assert!(load_str(&yaml, Path::new("arch.yaml")).is_ok());
}

/// Every 12-byte piece of `secret` that appears in `text`.
fn pieces_in(text: &str, secret: &str) -> Vec<String> {
    secret
        .as_bytes()
        .windows(12)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .filter(|w| text.contains(w.as_str()))
        .collect()
}

#[test]
fn a_literal_secret_is_named_by_its_field_never_repeated() {
    const JWT: &str =
        "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsYWItdXNlci0xIn0.c2lnbmF0dXJlLXZhbHVlLW9mLWEtdG9rZW4";
    let endpoint = |policy: &str| {
        format!(
            "{HEAD}components:\n  - {{ id: gw, kind: api-gateway }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://x.test/\n    {policy}\n"
        )
    };
    let cases = [
        (
            format!("auth: {{ expect: jwt, token: {JWT} }}"),
            "endpoints[0].auth.token",
        ),
        (
            format!("auth: {{ expect: jwt, token: \"{JWT}\" }}"),
            "endpoints[0].auth.token",
        ),
        (
            format!("auth:\n      expect: jwt\n      token: '{JWT}'"),
            "endpoints[0].auth.token",
        ),
        (
            format!("auth: {{ expect: jwt, token: [{JWT}] }}"),
            "endpoints[0].auth.token",
        ),
        (
            format!("auth: {{ expect: jwt, token: {{ {JWT}: x }} }}"),
            "endpoints[0].auth.token",
        ),
        (
            format!("auth: {{ expect: jwt, token: {{ value: {JWT} }} }}"),
            "endpoints[0].auth.token",
        ),
        (
            format!("enrollment: {{ path: /e, body_template: x, attestation_token: {JWT} }}"),
            "endpoints[0].enrollment.attestation_token",
        ),
        (
            format!("signing: {{ scheme: header-ecdsa-p256, path: /t, key: {JWT} }}"),
            "endpoints[0].signing.key",
        ),
        (
            format!("mtls: {{ expect: required, client_key: {JWT} }}"),
            "endpoints[0].mtls.client_key",
        ),
    ];
    for (policy, field) in cases {
        let yaml = endpoint(&policy);
        let e = errors(&yaml);
        let shown = strata::model::ModelErrors(e.clone()).to_string();
        assert!(
            pieces_in(&shown, JWT).is_empty(),
            "the error repeats the secret: {shown}"
        );
        assert!(e[0].path.starts_with(field), "{policy}: {:?}", e[0]);
        assert!(e[0].line > 0, "{:?}", e[0]);
    }
    // The plain literal gets the one explanatory message.
    let e = errors(&endpoint(&format!("auth: {{ expect: jwt, token: {JWT} }}")));
    assert_eq!(
        e[0].to_string(),
        format!(
            "arch.yaml:{}:{}: endpoints[0].auth.token: a secret must be a reference ({{env: NAME}} or {{file: PATH}}), not a literal value",
            e[0].line, e[0].column
        )
    );
}

#[test]
fn bad_pins_dates_urls_and_duplicates_are_all_reported() {
    let yaml = format!(
        "{HEAD}clients:\n  - id: app\n    platform: android\n    pins:\n      - host: api.test\n        pins: [\"sha256/notbase64!\", \"AAAA\"]\n        expires: 2026-13-01\ncomponents:\n  - {{ id: app, kind: service }}\nendpoints:\n  - {{ id: api, component: app, url: \"ftp://x.test/\" }}\n"
    );
    let e = errors(&yaml);
    let paths: Vec<&str> = e.iter().map(|x| x.path.as_str()).collect();
    assert!(paths.contains(&"clients[0].pins[0].pins[0]"), "{paths:?}");
    assert!(paths.contains(&"clients[0].pins[0].pins[1]"), "{paths:?}");
    assert!(paths.contains(&"clients[0].pins[0].expires"), "{paths:?}");
    assert!(paths.contains(&"components[0].id"), "{paths:?}");
    assert!(paths.contains(&"endpoints[0].url"), "{paths:?}");
    assert!(e.iter().all(|x| x.line > 0 && x.column > 0), "{e:?}");
}

#[test]
fn bundled_samples_are_valid() {
    for s in ["acme-pay", "lab-tour"] {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("sample-projects/{s}/architecture.yaml"));
        if let Err(e) = strata::model::load(&p) {
            panic!("{e}");
        }
    }
}

#[test]
fn missing_and_oversized_files_are_clear_errors() {
    let e = strata::model::load(Path::new("/nonexistent/arch.yaml")).expect_err("error");
    assert_eq!(e.to_string(), "/nonexistent/arch.yaml: does not exist");
}

#[test]
fn an_attestation_token_is_either_fixed_or_fetched_and_a_path_starts_with_a_slash() {
    let endpoint = |policy: &str| {
        format!(
            "{HEAD}components:\n  - {{ id: gw, kind: api-gateway }}\nendpoints:\n  - id: api\n    component: gw\n    url: https://x.test/\n    enrollment: {{ path: /e, body_template: x, {policy} }}\n"
        )
    };
    let e = errors(&endpoint(
        "attestation_token: { env: T }, attestation_token_path: /lab/attestation-token",
    ));
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].path, "endpoints[0].enrollment");
    assert!(e[0].to_string().contains("not both"), "{}", e[0]);
    let e = errors(&endpoint("attestation_token_path: lab/attestation-token"));
    assert_eq!(e[0].path, "endpoints[0].enrollment.attestation_token_path");
    // Either one alone is a valid model.
    for policy in ["attestation_token: { env: T }", "attestation_token_path: /t"] {
        let yaml = endpoint(policy);
        assert!(
            strata::model::load_str(&yaml, std::path::Path::new("arch.yaml")).is_ok(),
            "{policy}"
        );
    }
}
