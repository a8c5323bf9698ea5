//! The `auth` probe: does every protected route refuse anonymous, malformed
//! and forged callers, and does it accept the real token?
//!
//! For each protected route (declared, imported from OpenAPI, or the
//! endpoint's own URL when `auth` is declared without routes) it sends six
//! requests that must all be refused with 401 or 403: no credentials, a
//! malformed bearer, an unsecured JWT (`alg: none`), a JWT signed with a
//! fresh random key, an expired JWT (same random key) and a JWT in the
//! `access_token` query parameter. Forged tokens copy the header and claims
//! of the supplied token when there is one, so they differ from a genuine
//! token only in the property under test. With the supplied token
//! (`auth.token`), every safe route must answer 2xx; the token is sent only
//! over TLS whose chain verified, is never stored, and only the *names* and
//! lifetimes of its claims enter the evidence. `docs/probes/auth.md`
//! documents every key.

use super::api::{Answer, ApiClient, is_loopback};
use super::jwt::{self, Es256Key};
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::secret::{self, Secret};
use crate::model::{AuthScheme, Endpoint, EndpointTarget, Route};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Routes probed at most; the rest are listed as not probed.
pub const MAX_ROUTES: usize = 32;

/// Time after which no further route is started (the runner's own
/// deadline still bounds the whole probe).
const ROUTE_BUDGET: Duration = Duration::from_secs(12);

/// Lines kept in each evidence list of examples.
const MAX_EXAMPLES: usize = 10;

/// The refused-caller cases, in the order they are sent.
pub const CASES: &[&str] = &[
    "anonymous",
    "malformed_bearer",
    "alg_none",
    "wrong_key",
    "expired",
    "query_token",
];

/// Substrings (matched case-insensitively on the first 64 KiB of an error
/// body) that betray internals, with the label recorded for each. No
/// regular expressions: a fixed list, bounded work.
const LEAK_MARKERS: &[(&str, &str)] = &[
    ("traceback (most recent call last)", "stack-trace"),
    ("stack trace", "stack-trace"),
    ("stacktrace", "stack-trace"),
    ("exception in thread", "stack-trace"),
    (".java:", "stack-trace"),
    ("node_modules/", "stack-trace"),
    ("at object.<anonymous>", "stack-trace"),
    ("at process.processticksandrejections", "stack-trace"),
    ("goroutine ", "stack-trace"),
    ("panic: ", "stack-trace"),
    ("exception", "exception-name"),
    ("java.lang.", "exception-name"),
    ("sqlstate", "sql"),
    ("syntax error at or near", "sql"),
    ("error in your sql syntax", "sql"),
    ("ora-0", "sql"),
    ("sqlite_error", "sql"),
    ("select * from", "sql"),
    ("/var/www/", "file-path"),
    ("/usr/local/", "file-path"),
    ("/usr/lib/", "file-path"),
    ("/home/", "file-path"),
    ("/opt/", "file-path"),
    ("/srv/", "file-path"),
    ("c:\\", "file-path"),
    ("whitelabel error page", "framework-banner"),
    ("werkzeug", "framework-banner"),
    ("django", "framework-banner"),
    ("laravel", "framework-banner"),
    ("apache tomcat", "framework-banner"),
    ("microsoft-iis", "framework-banner"),
    ("nginx/", "framework-banner"),
    ("<address>apache/", "framework-banner"),
];

/// The labels of [`LEAK_MARKERS`] found in `body`, sorted and unique.
pub fn leaks(body: &[u8]) -> Vec<&'static str> {
    let text = String::from_utf8_lossy(&body[..body.len().min(super::api::MAX_BODY)]).to_lowercase();
    let found: BTreeSet<&'static str> = LEAK_MARKERS
        .iter()
        .filter(|(marker, _)| text.contains(marker))
        .map(|(_, label)| *label)
        .collect();
    found.into_iter().collect()
}

/// Probes caller authentication on protected routes.
pub struct AuthProbe;

impl EndpointProbe for AuthProbe {
    fn name(&self) -> &'static str {
        "auth"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, _target: &EndpointTarget, decl: &Endpoint) -> bool {
        !super::requires_client_cert(decl)
            && (decl.openapi.is_some() || decl.auth.as_ref().is_some_and(|a| a.expect != AuthScheme::None))
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<Value, ProbeFailure>> {
        Box::pin(run(target, decl, cx))
    }
}

/// Seconds since the epoch of the audit clock.
pub(crate) fn unix_now(cx: &ProbeContext) -> i64 {
    cx.now.as_secs().try_into().unwrap_or(i64::MAX)
}

/// The requests of one case: extra headers and a query suffix.
struct CaseRequest {
    name: &'static str,
    authorization: Option<String>,
    query: Option<String>,
}

/// Forged credentials, built once per probe.
fn forged_cases(template: Option<&jwt::Decoded>, audience: &str, now: i64) -> Result<Vec<CaseRequest>, ProbeFailure> {
    let key = Es256Key::generate().map_err(|e| ProbeFailure::new("internal", e))?;
    let mut header = Map::new();
    let mut claims = Map::new();
    match template {
        Some(t) => {
            header = t.header.clone();
            claims = t.claims.clone();
        }
        None => {
            claims.insert("iss".into(), json!("https://strata.invalid/probe"));
            claims.insert("sub".into(), json!("strata-probe"));
            claims.insert("aud".into(), json!(audience));
        }
    }
    header.remove("alg");
    header.entry("typ").or_insert(json!("JWT"));
    for k in ["exp", "iat", "nbf"] {
        claims.remove(k);
    }
    let timed = |iat: i64, exp: i64| {
        let mut c = claims.clone();
        c.insert("iat".into(), json!(iat));
        c.insert("exp".into(), json!(exp));
        Value::Object(c)
    };
    let valid = timed(now, now + 300);
    let sign = |c: &Value| key.sign(&header, c).map_err(|e| ProbeFailure::new("internal", e));
    let wrong_key = sign(&valid)?;
    let expired = sign(&timed(now - 7200, now - 3600))?;
    let none = jwt::unsecured(&header, &valid);
    let query_token = sign(&valid)?;
    Ok(vec![
        CaseRequest {
            name: "anonymous",
            authorization: None,
            query: None,
        },
        CaseRequest {
            name: "malformed_bearer",
            authorization: Some("Bearer strata-probe-not-a-token!".into()),
            query: None,
        },
        CaseRequest {
            name: "alg_none",
            authorization: Some(format!("Bearer {none}")),
            query: None,
        },
        CaseRequest {
            name: "wrong_key",
            authorization: Some(format!("Bearer {wrong_key}")),
            query: None,
        },
        CaseRequest {
            name: "expired",
            authorization: Some(format!("Bearer {expired}")),
            query: None,
        },
        CaseRequest {
            name: "query_token",
            authorization: None,
            query: Some(format!("access_token={query_token}")),
        },
    ])
}

fn with_query(path: &str, query: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}{query}")
}

/// `refused` (401/403), `accepted` (2xx) or `other`.
fn verdict(status: u16) -> &'static str {
    match status {
        401 | 403 => "refused",
        200..=299 => "accepted",
        _ => "other",
    }
}

/// Replaces the secret, should a server echo it, before anything is kept.
fn scrub(text: String, secret: Option<&Secret>) -> String {
    match secret {
        Some(s) if !s.expose().is_empty() && text.contains(s.expose()) => text.replace(s.expose(), "<redacted>"),
        _ => text,
    }
}

/// What the supplied token is, decoded but never verified: claim names,
/// lifetimes and binding only.
fn describe_token(decoded: Option<&jwt::Decoded>, now: i64) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(d) = decoded else {
        out.insert("format".into(), json!("opaque"));
        return out;
    };
    out.insert("format".into(), json!("jwt"));
    let int = |k: &str| d.claims.get(k).and_then(Value::as_i64);
    let (exp, iat) = (int("exp"), int("iat"));
    let mut j = Map::new();
    j.insert(
        "alg".into(),
        json!(d.header.get("alg").and_then(Value::as_str).unwrap_or("")),
    );
    j.insert("claim_names".into(), json!(d.claims.keys().collect::<Vec<_>>()));
    j.insert("expires".into(), json!(exp.is_some()));
    j.insert("issued_at".into(), json!(iat.is_some()));
    if let (Some(e), Some(i)) = (exp, iat) {
        j.insert("lifetime_s".into(), json!(e.saturating_sub(i)));
    }
    if let Some(e) = exp {
        j.insert("expires_in_s".into(), json!(e.saturating_sub(now)));
    }
    let cnf = d.claims.get("cnf").and_then(Value::as_object);
    j.insert("cnf".into(), json!(cnf.is_some_and(|c| !c.is_empty())));
    j.insert(
        "cnf_methods".into(),
        json!(cnf.map(|c| c.keys().cloned().collect::<Vec<_>>()).unwrap_or_default()),
    );
    out.insert("jwt".into(), Value::Object(j));
    out
}

fn push_example(list: &mut Vec<String>, line: String) {
    if list.len() < MAX_EXAMPLES {
        list.push(line);
    }
}

/// `Ok` when the supplied token is a bearer token (`auth.expect` is `jwt`
/// or `oauth`); otherwise why it is not sent as one.
pub(crate) fn bearer_scheme(decl: &Endpoint) -> Result<(), String> {
    match decl.auth.as_ref().map(|a| a.expect) {
        Some(AuthScheme::Jwt | AuthScheme::Oauth) => Ok(()),
        Some(other) => Err(format!(
            "auth.expect is {}: the token is sent only as a bearer token, for jwt and oauth",
            serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        )),
        None => Err("no auth.expect declared".into()),
    }
}

async fn run(target: &EndpointTarget, decl: &Endpoint, cx: &ProbeContext) -> Result<Value, ProbeFailure> {
    let now = unix_now(cx);
    let started = Instant::now();
    let auth = decl.auth.as_ref();
    let opted_in = decl.active || is_loopback(&target.host);

    // The routes: declared and imported, else the endpoint's own URL.
    let mut routes = target.protected_routes.clone();
    if routes.is_empty() && auth.is_some_and(|a| a.expect != AuthScheme::None) {
        routes.push(Route::endpoint_url(&target.path));
    }

    // The supplied token, read now and kept only in memory.
    let token_ref = auth.and_then(|a| a.token.as_ref());
    let token: Option<Result<Secret, String>> = token_ref.map(|r| {
        secret::read(r, &target.base_dir, &cx.redactor)
            .map_err(|e| e.to_string().replace(&r.to_string(), "`auth.token`"))
    });
    let decoded = match &token {
        Some(Ok(s)) => jwt::decode_unverified(s.expose()),
        _ => None,
    };
    let secret = token.as_ref().and_then(|t| t.as_ref().ok());

    let client = ApiClient::connect(target, cx).await?;
    let cases = forged_cases(decoded.as_ref(), &target.server_name, now)?;
    // Forged tokens copy the real one's header and claims: as secret as it.
    for case in &cases {
        let forged = match (&case.authorization, &case.query) {
            (Some(a), _) => a.strip_prefix("Bearer "),
            (None, Some(q)) => q.strip_prefix("access_token="),
            (None, None) => None,
        };
        if let Some(t) = forged.filter(|t| t.contains('.')) {
            cx.redactor.register(t);
        }
    }
    let token_channel = bearer_scheme(decl).and_then(|()| client.secret_channel());

    let mut route_evidence = Vec::new();
    let mut per_case: Map<String, Value> = Map::new();
    let mut case_probed = vec![0usize; CASES.len()];
    let mut case_refused = vec![0usize; CASES.len()];
    let mut case_not_refused: Vec<Vec<String>> = vec![Vec::new(); CASES.len()];
    let (mut answers_401, mut with_challenge) = (0usize, 0usize);
    let mut missing_challenge = Vec::new();
    let mut leak_labels: BTreeSet<&'static str> = BTreeSet::new();
    let mut leak_examples = Vec::new();
    let mut anonymous_2xx = Vec::new();
    let mut token_answers = Vec::new();
    let (mut token_sent, mut token_ok) = (0usize, 0usize);
    let mut skipped = Vec::new();
    let mut first = true;

    for (n, route) in routes.iter().enumerate() {
        if n >= MAX_ROUTES {
            push_example(
                &mut skipped,
                format!("{}: over the limit of {MAX_ROUTES} routes", route.label()),
            );
            continue;
        }
        if started.elapsed() > ROUTE_BUDGET {
            push_example(
                &mut skipped,
                format!("{}: time budget of {ROUTE_BUDGET:?} spent", route.label()),
            );
            continue;
        }
        if !route.is_safe() && !opted_in {
            push_example(
                &mut skipped,
                format!(
                    "{}: state-changing method on a non-loopback host; set `active: true` on the endpoint to probe it",
                    route.label()
                ),
            );
            continue;
        }
        let mut case_map = Map::new();
        for (i, case) in cases.iter().enumerate() {
            let path = match &case.query {
                Some(q) => with_query(&route.path, q),
                None => route.path.clone(),
            };
            let headers: Vec<(&str, &str)> = case
                .authorization
                .as_deref()
                .map(|a| vec![("authorization", a)])
                .unwrap_or_default();
            let answer = client.send(&route.method, &path, &headers).await;
            if first {
                // A first request without an answer means nothing below
                // would be judged: report the probe as failed, at once.
                if let Err(e) = &answer {
                    return Err(ProbeFailure::new(
                        "http",
                        format!("{} {}: {e}", route.method, route.path),
                    ));
                }
                first = false;
            }
            case_probed[i] += 1;
            let entry = match &answer {
                Ok(a) => {
                    let v = verdict(a.status);
                    let challenge = a.header("www-authenticate").map(|h| scrub(h, secret));
                    let found = if a.success() { Vec::new() } else { leaks(&a.body) };
                    if v == "refused" {
                        case_refused[i] += 1;
                    } else {
                        push_example(
                            &mut case_not_refused[i],
                            format!("{} answered {}", route.label(), a.status),
                        );
                    }
                    if a.status == 401 {
                        answers_401 += 1;
                        if challenge.is_some() {
                            with_challenge += 1;
                        } else {
                            push_example(&mut missing_challenge, format!("{} {}", case.name, route.label()));
                        }
                    }
                    if !found.is_empty() {
                        leak_labels.extend(found.iter().copied());
                        push_example(
                            &mut leak_examples,
                            format!("{} {} ({}): {}", case.name, route.label(), a.status, found.join(", ")),
                        );
                    }
                    if case.name == "anonymous" && a.success() {
                        anonymous_2xx.push(route.label());
                    }
                    json!({
                        "status": a.status,
                        "verdict": v,
                        "www_authenticate": challenge,
                        "leaks": found,
                        "note": a.note.clone().map(|n| scrub(n, secret)),
                    })
                }
                Err(e) => {
                    push_example(&mut case_not_refused[i], format!("{}: no answer ({e})", route.label()));
                    json!({"status": null, "verdict": "error", "error": e})
                }
            };
            case_map.insert(case.name.into(), entry);
        }
        // The positive case: the real token, on safe routes, over verified TLS.
        let token_entry = match (secret, &token_channel) {
            (Some(s), Ok(())) if route.is_safe() => {
                let value = format!("Bearer {}", s.expose());
                let answer: Result<Answer, String> = client
                    .send(&route.method, &route.path, &[("authorization", &value)])
                    .await;
                token_sent += 1;
                match answer {
                    Ok(a) => {
                        if a.success() {
                            token_ok += 1;
                        }
                        token_answers.push(format!("{} answered {}", route.label(), a.status));
                        json!({"status": a.status, "verdict": verdict(a.status)})
                    }
                    Err(e) => {
                        let e = scrub(e, secret);
                        token_answers.push(format!("{}: no answer ({e})", route.label()));
                        json!({"status": null, "verdict": "error", "error": e})
                    }
                }
            }
            (Some(_), Ok(())) => {
                json!({"skipped": "state-changing route: the real token is sent to safe methods only"})
            }
            (Some(_), Err(why)) => json!({"skipped": why}),
            (None, _) => Value::Null,
        };
        route_evidence.push(json!({
            "method": route.method,
            "path": route.path,
            "source": route.source,
            "operation": route.operation,
            "cases": case_map,
            "token": token_entry,
        }));
    }

    let probed_routes = route_evidence.len();
    if probed_routes == 0 && !routes.is_empty() {
        return Err(ProbeFailure::new(
            "config",
            format!("no protected route could be probed: {}", skipped.join("; ")),
        ));
    }
    for (i, name) in CASES.iter().enumerate() {
        per_case.insert(
            (*name).into(),
            json!({
                "probed": case_probed[i],
                "refused": case_probed[i] > 0 && case_refused[i] == case_probed[i],
                "not_refused": case_not_refused[i],
            }),
        );
    }

    let token_section = match &token {
        None => Value::Null,
        Some(Err(reason)) => json!({
            "available": false,
            "sent": false,
            "reason": format!("the token could not be read: {reason}"),
        }),
        Some(Ok(_)) => {
            let mut t = describe_token(decoded.as_ref(), now);
            t.insert("available".into(), json!(true));
            t.insert("sent".into(), json!(token_sent > 0));
            if token_sent > 0 {
                t.insert("accepted".into(), json!(token_ok == token_sent));
                t.insert("answers".into(), json!(token_answers));
                t.insert("reason".into(), json!(""));
            } else {
                let why = match &token_channel {
                    Err(why) => format!("the token was not sent: {why}"),
                    Ok(()) => "the token was not sent: no safe (GET, HEAD, OPTIONS) route to send it to".into(),
                };
                t.insert("reason".into(), json!(why));
            }
            Value::Object(t)
        }
    };

    Ok(json!({
        "tls_verified": client.tls_verified,
        "tls_error": client.tls_error,
        "routes_total": routes.len(),
        "routes_probed": probed_routes,
        "routes_skipped": skipped,
        "routes": route_evidence,
        "cases": per_case,
        "www_authenticate": {
            "answers_401": answers_401,
            "with_challenge": with_challenge,
            "missing_on": missing_challenge,
        },
        "leaks": {
            "found": leak_labels.into_iter().collect::<Vec<_>>(),
            "on": leak_examples,
        },
        "answers_unauthenticated": !anonymous_2xx.is_empty(),
        "unauthenticated_routes": anonymous_2xx,
        "internal": target.internal,
        "internal_answers_unauthenticated": target.internal && !anonymous_2xx.is_empty(),
        "token": token_section,
    }))
}

/// The shape of this probe's evidence (`docs/probes/auth.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    let strings = || Shape::list(Shape::String);
    // One answer: a status and verdict, or an error when none came.
    let answer = || {
        Shape::object([("status", Shape::nullable(Shape::Int)), ("verdict", Shape::String)]).with_optional([
            ("www_authenticate", Shape::nullable(Shape::String)),
            ("leaks", strings()),
            // What went wrong after the status was read (a body cut off,
            // no close_notify, a redirect not followed).
            ("note", Shape::nullable(Shape::String)),
            ("error", Shape::String),
        ])
    };
    let route = Shape::object([
        ("method", Shape::String),
        ("path", Shape::String),
        ("source", Shape::String),
        ("operation", Shape::nullable(Shape::String)),
        ("cases", Shape::object(CASES.iter().map(|c| (*c, answer())))),
        (
            "token",
            Shape::nullable(Shape::object([]).with_optional([
                ("status", Shape::nullable(Shape::Int)),
                ("verdict", Shape::String),
                ("error", Shape::String),
                ("skipped", Shape::String),
            ])),
        ),
    ]);
    let case = || {
        Shape::object([
            ("probed", Shape::Int),
            ("refused", Shape::Bool),
            ("not_refused", strings()),
        ])
    };
    let jwt = Shape::object([
        ("alg", Shape::String),
        ("claim_names", strings()),
        ("expires", Shape::Bool),
        ("issued_at", Shape::Bool),
        ("cnf", Shape::Bool),
        ("cnf_methods", strings()),
    ])
    .with_optional([("lifetime_s", Shape::Int), ("expires_in_s", Shape::Int)]);
    let token = Shape::object([
        ("available", Shape::Bool),
        ("sent", Shape::Bool),
        ("reason", Shape::String),
    ])
    .with_optional([
        ("format", Shape::String),
        ("jwt", jwt),
        ("accepted", Shape::Bool),
        ("answers", strings()),
    ]);
    Shape::object([
        ("tls_verified", Shape::Bool),
        ("tls_error", Shape::String),
        ("routes_total", Shape::Int),
        ("routes_probed", Shape::Int),
        ("routes_skipped", strings()),
        ("routes", Shape::list(route)),
        ("cases", Shape::object(CASES.iter().map(|c| (*c, case())))),
        (
            "www_authenticate",
            Shape::object([
                ("answers_401", Shape::Int),
                ("with_challenge", Shape::Int),
                ("missing_on", strings()),
            ]),
        ),
        ("leaks", Shape::object([("found", strings()), ("on", strings())])),
        ("answers_unauthenticated", Shape::Bool),
        ("unauthenticated_routes", strings()),
        ("internal", Shape::Bool),
        ("internal_answers_unauthenticated", Shape::Bool),
        ("token", Shape::nullable(token)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leak_markers_find_internals_and_not_plain_errors() {
        assert!(leaks(br#"{"error":"invalid_token"}"#).is_empty());
        let trace = b"TypeError: x\n    at Layer.handle (/srv/gw/node_modules/express/lib/router/layer.js:95:5)";
        assert_eq!(leaks(trace), ["file-path", "stack-trace"]);
        assert_eq!(leaks(b"ERROR: SQLSTATE[42000]"), ["sql"]);
        assert_eq!(leaks(b"<h1>Whitelabel Error Page</h1>"), ["framework-banner"]);
    }

    #[test]
    fn token_description_keeps_names_and_lifetimes_only() {
        let key = Es256Key::generate().expect("key");
        let token = key
            .sign(
                &Map::new(),
                &json!({"sub": "alice-secret-subject", "iat": 100, "exp": 1000, "cnf": {"jkt": "abc"}}),
            )
            .expect("sign");
        let d = describe_token(jwt::decode_unverified(&token).as_ref(), 400);
        let text = Value::Object(d).to_string();
        assert!(!text.contains("alice-secret-subject"), "{text}");
        assert!(text.contains("\"lifetime_s\":900"), "{text}");
        assert!(text.contains("\"expires_in_s\":600"), "{text}");
        assert!(text.contains("\"cnf_methods\":[\"jkt\"]"), "{text}");
        let opaque = Value::Object(describe_token(None, 0)).to_string();
        assert_eq!(opaque, r#"{"format":"opaque"}"#);
    }

    #[test]
    fn queries_append_and_statuses_get_verdicts() {
        assert_eq!(with_query("/a", "x=1"), "/a?x=1");
        assert_eq!(with_query("/a?b=2", "x=1"), "/a?b=2&x=1");
        assert_eq!(verdict(401), "refused");
        assert_eq!(verdict(204), "accepted");
        assert_eq!(verdict(302), "other");
    }
}
