//! Two API gateways for the `auth`, `rate_limit` and `surface` probes: one
//! done right, one with the classic mistakes.
//!
//! Both serve the same small API (`sample-projects/gateway-lab/openapi.yaml`):
//!
//! | route | `gateway-good` | `gateway-broken` |
//! |---|---|---|
//! | `GET /v1/health` | open | open |
//! | `GET /v1/quotes` | open, 10 requests per 5 s per credential, then 429 + `Retry-After` + `RateLimit` headers | open, no limit |
//! | `GET /v1/accounts[/{id}]`, `GET /v1/payments/{id}`, `POST /v1/payments` | ES256 JWT from the lab key, `Authorization` header only | any bearer or `access_token` query value; `/v1/accounts` even without one |
//! | `/internal/…` | 403 | 200 to anyone: an internal service exposed |
//! | refusals | 401 + `WWW-Authenticate: Bearer …error="invalid_token"`, `{"error":"invalid_token"}` | 401 without a challenge, with a fake Node.js stack trace |
//! | CORS | only `https://app.lab.strata.test` | reflects any `Origin`, with credentials |
//! | banners | `Server: strata-lab` | `Server: legacy-gw/2.4.1`, `X-Powered-By: Express 4.16.0` |
//!
//! Both are TLS only (a plain-HTTP request on their port gets a TLS alert).
//! Tokens are verified with the static, test-only key
//! `assets/lab/gateway-jwt.key`; [`mint_token`] issues them.

use super::{AppScenario, Handler, plain_tls};
use crate::probe::jwt::{self, Es256Key};
use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The lab's JWT signing key (PKCS#8 P-256). Test-only and public.
pub const JWT_KEY_PEM: &str = include_str!("../../assets/lab/gateway-jwt.key");
/// `iss` of lab tokens.
pub const ISSUER: &str = "https://auth.lab.strata.test";
/// `aud` of lab tokens.
pub const AUDIENCE: &str = "gateway.lab.strata.test";
/// `kid` of lab tokens.
pub const KEY_ID: &str = "strata-lab-gateway-1";
/// The one origin `gateway-good` allows.
pub const ALLOWED_ORIGIN: &str = "https://app.lab.strata.test";
/// Requests to `/v1/quotes` allowed per window and credential.
pub const QUOTES_LIMIT: u32 = 10;
/// The window of that limit.
pub const QUOTES_WINDOW: Duration = Duration::from_secs(5);
/// Name and port offset of the good gateway.
pub const GOOD: (&str, u16) = ("gateway-good", 20);
/// Name and port offset of the broken gateway.
pub const BROKEN: (&str, u16) = ("gateway-broken", 21);

/// Rules the broken gateway's main endpoint must fail.
pub const BROKEN_EXPECTED: &[&str] = &[
    "auth-errors-leak-nothing",
    "auth-refuses-alg-none",
    "auth-refuses-anonymous",
    "auth-refuses-expired",
    "auth-refuses-malformed-bearer",
    "auth-refuses-query-token",
    "auth-refuses-wrong-key",
    "auth-www-authenticate",
    "rate-limit-enforced",
    "rate-limit-retry-after",
    "rate-limit-within-declared",
    "surface-cors-no-credentialed-reflection",
    "surface-no-version-banners",
];

/// Most credentials the limiter tracks; past that it starts over.
const MAX_TRACKED: usize = 1024;

/// The fake stack trace `gateway-broken` puts in its error bodies.
const FAKE_TRACE: &str = "UnauthorizedError: No authorization token was found\n    at middleware (/srv/gateway/node_modules/express-jwt/lib/index.js:76:21)\n    at Layer.handle [as handle_request] (/srv/gateway/node_modules/express/lib/router/layer.js:95:5)\n    at next (/srv/gateway/node_modules/express/lib/router/route.js:137:13)";

fn lab_key() -> Result<Es256Key, String> {
    Es256Key::from_pkcs8_pem(JWT_KEY_PEM)
}

/// A lab access token valid from `iat` for `ttl_s` seconds, signed with the
/// lab key, bound (`cnf.jkt`) to a fixed, fictitious device key.
pub fn mint_token(iat: i64, ttl_s: i64) -> Result<String, String> {
    use ring::digest::{SHA256, digest};
    let key = lab_key()?;
    let mut header = Map::new();
    header.insert("typ".into(), json!("at+jwt"));
    header.insert("kid".into(), json!(KEY_ID));
    let jkt = jwt::b64url(digest(&SHA256, b"strata-lab-device-key").as_ref());
    let claims = json!({
        "iss": ISSUER,
        "sub": "lab-user-1",
        "aud": AUDIENCE,
        "scope": "accounts:read payments:write",
        "iat": iat,
        "exp": iat.saturating_add(ttl_s),
        "jti": format!("lab-{iat}"),
        "cnf": {"jkt": jkt},
    });
    key.sign(&header, &claims)
}

/// The gateway scenarios, for [`super::app_scenarios`].
pub fn scenarios() -> Vec<AppScenario> {
    let public_key = lab_key().map(|k| k.public_key()).unwrap_or_default();
    vec![
        AppScenario {
            name: GOOD.0,
            description: "API gateway done right: ES256 JWTs, 401 + WWW-Authenticate, generic errors, strict CORS, no version banner, 429 + Retry-After on /v1/quotes",
            port_offset: GOOD.1,
            expected_failures: Vec::new(),
            tls: Box::new(plain_tls),
            handler: good_handler(public_key),
        },
        AppScenario {
            name: BROKEN.0,
            description: "API gateway with the classic mistakes: any bearer (alg none, query tokens), anonymous /v1/accounts and /internal, stack traces, credentialed CORS reflection, version banners, no rate limit",
            port_offset: BROKEN.1,
            expected_failures: BROKEN_EXPECTED.iter().map(|s| s.to_string()).collect(),
            tls: Box::new(plain_tls),
            handler: broken_handler(),
        },
    ]
}

type Response = hyper::Response<Full<Bytes>>;

/// A JSON answer; `Value::Null` means no body (for 204).
fn respond(status: u16, body: &Value, headers: &[(&str, String)]) -> Response {
    let mut b = hyper::Response::builder()
        .status(status)
        .header("strict-transport-security", "max-age=31536000; includeSubDomains");
    if !body.is_null() {
        b = b.header("content-type", "application/json");
    }
    for (k, v) in headers {
        b = b.header(*k, v.as_str());
    }
    let bytes = if body.is_null() {
        Bytes::new()
    } else {
        Bytes::from(format!("{body}\n"))
    };
    b.body(Full::new(bytes))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

fn header(req: &hyper::Request<hyper::body::Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A fixed-window limiter keyed by a hash of the credential.
#[derive(Default)]
struct Limiter {
    windows: HashMap<u64, (Instant, u32)>,
}

impl Limiter {
    /// `Ok(remaining)` or `Err(seconds until the window ends)`.
    fn take(&mut self, credential: &str, now: Instant) -> Result<(u32, u64), u64> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        credential.hash(&mut h);
        let key = h.finish();
        if self.windows.len() >= MAX_TRACKED && !self.windows.contains_key(&key) {
            self.windows.clear();
        }
        let entry = self.windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= QUOTES_WINDOW {
            *entry = (now, 0);
        }
        let left = QUOTES_WINDOW
            .saturating_sub(now.duration_since(entry.0))
            .as_secs_f64()
            .ceil()
            .max(1.0) as u64;
        if entry.1 >= QUOTES_LIMIT {
            return Err(left);
        }
        entry.1 += 1;
        Ok((QUOTES_LIMIT - entry.1, left))
    }
}

fn good_handler(public_key: Vec<u8>) -> Handler {
    let limiter = Arc::new(Mutex::new(Limiter::default()));
    let public_key = Arc::new(public_key);
    Arc::new(move |_info, req| {
        let (limiter, public_key) = (limiter.clone(), public_key.clone());
        Box::pin(async move { good(&req, &limiter, &public_key) })
    })
}

fn good(req: &hyper::Request<hyper::body::Incoming>, limiter: &Mutex<Limiter>, public_key: &[u8]) -> Response {
    let origin = header(req, "origin");
    let mut cors: Vec<(&str, String)> = vec![("server", "strata-lab".into()), ("vary", "Origin".into())];
    if origin.as_deref() == Some(ALLOWED_ORIGIN) {
        cors.push(("access-control-allow-origin", ALLOWED_ORIGIN.into()));
        cors.push(("access-control-allow-credentials", "true".into()));
    }
    let path = req.uri().path();
    if req.method() == hyper::Method::OPTIONS {
        if origin.as_deref() == Some(ALLOWED_ORIGIN) {
            cors.push(("access-control-allow-methods", "GET, POST".into()));
            cors.push(("access-control-allow-headers", "authorization, content-type".into()));
        }
        return respond(204, &Value::Null, &cors);
    }
    let get = req.method() == hyper::Method::GET;
    let post = req.method() == hyper::Method::POST;
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let protected = match segments.as_slice() {
        ["v1", "health"] if get => return respond(200, &json!({"status": "ok"}), &cors),
        ["v1", "quotes"] if get => {
            let credential = header(req, "authorization").unwrap_or_default();
            let taken = match limiter.lock() {
                Ok(mut l) => l.take(&credential, Instant::now()),
                Err(_) => return respond(500, &json!({"error": "server_error"}), &cors),
            };
            let policy = format!("\"quotes\";q={QUOTES_LIMIT};w={}", QUOTES_WINDOW.as_secs());
            cors.push(("ratelimit-policy", policy));
            return match taken {
                Ok((remaining, reset)) => {
                    cors.push(("ratelimit", format!("\"quotes\";r={remaining};t={reset}")));
                    respond(200, &json!({"quotes": [{"pair": "EUR/USD", "rate": 1.08}]}), &cors)
                }
                Err(reset) => {
                    cors.push(("ratelimit", format!("\"quotes\";r=0;t={reset}")));
                    cors.push(("retry-after", reset.to_string()));
                    respond(429, &json!({"error": "rate_limited"}), &cors)
                }
            };
        }
        ["v1", "accounts"] | ["v1", "accounts", _] | ["v1", "payments", _] if get => true,
        ["v1", "payments"] if post => true,
        ["internal", ..] => return respond(403, &json!({"error": "forbidden"}), &cors),
        _ => false,
    };
    if !protected {
        return respond(404, &json!({"error": "not_found"}), &cors);
    }
    // Tokens come from the Authorization header only (RFC 6750 §2.1);
    // `access_token` in the query is ignored, so such a caller is anonymous.
    let Some(authorization) = header(req, "authorization") else {
        cors.push(("www-authenticate", "Bearer realm=\"strata-lab\"".into()));
        return respond(401, &json!({"error": "unauthorized"}), &cors);
    };
    let token = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .unwrap_or_default()
        .trim();
    match jwt::verify_es256(token, public_key, unix_now(), Some(ISSUER), Some(AUDIENCE)) {
        Ok(_) if post => respond(201, &json!({"payment": {"id": "1", "status": "pending"}}), &cors),
        Ok(_) => respond(200, &json!({"accounts": [{"id": "1", "balance": "120.00"}]}), &cors),
        Err(_) => {
            cors.push((
                "www-authenticate",
                "Bearer realm=\"strata-lab\", error=\"invalid_token\"".into(),
            ));
            respond(401, &json!({"error": "invalid_token"}), &cors)
        }
    }
}

fn broken_handler() -> Handler {
    Arc::new(move |_info, req| Box::pin(async move { broken(&req) }))
}

fn broken(req: &hyper::Request<hyper::body::Incoming>) -> Response {
    let mut headers: Vec<(&str, String)> = vec![
        ("server", "legacy-gw/2.4.1".into()),
        ("x-powered-by", "Express 4.16.0".into()),
    ];
    // Reflects whatever page asks, cookies included.
    if let Some(origin) = header(req, "origin") {
        headers.push(("access-control-allow-origin", origin));
        headers.push(("access-control-allow-credentials", "true".into()));
    }
    if req.method() == hyper::Method::OPTIONS {
        headers.push(("access-control-allow-methods", "*".into()));
        headers.push(("access-control-allow-headers", "*".into()));
        return respond(204, &Value::Null, &headers);
    }
    let path = req.uri().path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let credential = header(req, "authorization").is_some_and(|a| a.len() > "Bearer ".len())
        || req.uri().query().is_some_and(|q| q.contains("access_token="));
    match segments.as_slice() {
        ["v1", "health"] => respond(200, &json!({"status": "ok"}), &headers),
        ["v1", "quotes"] => respond(200, &json!({"quotes": [{"pair": "EUR/USD", "rate": 1.08}]}), &headers),
        // The router forgot the auth middleware on accounts.
        ["v1", "accounts"] | ["v1", "accounts", _] => {
            respond(200, &json!({"accounts": [{"id": "1", "balance": "120.00"}]}), &headers)
        }
        ["internal", ..] => respond(
            200,
            &json!({"ledger": {"balances": [{"account": "1", "cents": 12000}]}}),
            &headers,
        ),
        ["v1", "payments"] | ["v1", "payments", _] if credential => {
            let status = if req.method() == hyper::Method::POST { 201 } else { 200 };
            respond(status, &json!({"payment": {"id": "1", "status": "pending"}}), &headers)
        }
        ["v1", "payments"] | ["v1", "payments", _] => respond(
            401,
            &json!({"error": "UnauthorizedError", "message": "No authorization token was found", "stack": FAKE_TRACE}),
            &headers,
        ),
        _ => respond(
            404,
            &json!({"error": "NotFoundError", "stack": FAKE_TRACE.replace("UnauthorizedError: No authorization token was found", "NotFoundError: Cannot GET")}),
            &headers,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_tokens_verify_with_the_lab_key_and_expire() {
        let key = lab_key().expect("lab key");
        let now = unix_now();
        let token = mint_token(now, 600).expect("mint");
        let claims =
            jwt::verify_es256(&token, &key.public_key(), now, Some(ISSUER), Some(AUDIENCE)).expect("valid token");
        assert_eq!(claims["sub"], "lab-user-1");
        assert_eq!(
            jwt::verify_es256(&token, &key.public_key(), now + 601, None, None).err(),
            Some(jwt::Refusal::Expired)
        );
    }

    #[test]
    fn the_limiter_allows_its_quota_per_window_and_credential() {
        let mut l = Limiter::default();
        let t = Instant::now();
        for _ in 0..QUOTES_LIMIT {
            assert!(l.take("a", t).is_ok());
        }
        assert!(l.take("a", t).is_err());
        assert!(l.take("b", t).is_ok(), "another credential has its own quota");
        assert!(l.take("a", t + QUOTES_WINDOW).is_ok(), "a new window");
    }
}
