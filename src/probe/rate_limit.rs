//! The `rate_limit` probe (active): a bounded burst against the declared
//! route, to see whether and when the server starts throttling.
//!
//! It sends `min(limit × 2 + 5, 200)` sequential requests (the declared
//! `rate_limit.limit`), stops at the first 429 or 503, after 10 seconds, or
//! at the first request without an answer, and records where throttling
//! began, `Retry-After` and the rate-limit headers. The supplied token
//! (`auth.token`) goes with every request when the chain verified; without
//! it the burst is anonymous and the evidence says why. A state-changing
//! route (POST, PUT, PATCH, DELETE) is burst only when the endpoint says
//! `active: true`. `docs/probes/rate_limit.md` documents every key.

use super::api::ApiClient;
use super::{BoxFuture, EndpointProbe, ProbeContext};
use crate::evidence::ProbeFailure;
use crate::model::secret;
use crate::model::{Endpoint, EndpointTarget, Route};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Most requests in one burst.
pub const MAX_BURST: u32 = 200;

/// Hard cap on the burst's duration.
pub const TIME_CAP: Duration = Duration::from_secs(10);

/// Headers that describe a rate limit, recorded when present.
pub const LIMIT_HEADERS: &[&str] = &[
    "retry-after",
    "ratelimit",
    "ratelimit-policy",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// The burst size for a declared limit.
pub fn burst_size(limit: u32) -> u32 {
    limit.saturating_mul(2).saturating_add(5).min(MAX_BURST)
}

/// How many requests a limiter honouring `limit` per `window` may let
/// through in `elapsed`: one window's worth per started window, plus one
/// more for a burst that straddles a fixed-window boundary.
pub fn allowance(limit: u32, window: Duration, elapsed: Duration) -> u64 {
    let window_ms = window.as_millis().max(1);
    let windows = (elapsed.as_millis() / window_ms) as u64 + 2;
    u64::from(limit).saturating_mul(windows)
}

/// Probes rate limiting with a bounded burst.
pub struct RateLimitProbe;

impl EndpointProbe for RateLimitProbe {
    fn name(&self) -> &'static str {
        "rate_limit"
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        facts_shape()
    }

    fn applies(&self, _target: &EndpointTarget, decl: &Endpoint) -> bool {
        decl.rate_limit.is_some() && !super::requires_client_cert(decl)
    }

    fn active(&self) -> bool {
        true
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

fn limit_headers(a: &super::api::Answer) -> Map<String, Value> {
    LIMIT_HEADERS
        .iter()
        .filter_map(|h| a.header(h).map(|v| ((*h).to_string(), json!(v))))
        .collect()
}

async fn run(target: &EndpointTarget, decl: &Endpoint, cx: &ProbeContext) -> Result<Value, ProbeFailure> {
    let policy = decl
        .rate_limit
        .as_ref()
        .ok_or_else(|| ProbeFailure::new("config", "no rate_limit declared"))?;
    let route = match &policy.route {
        Some(text) => Route::parse(text, "rate-limit").map_err(|e| ProbeFailure::new("config", e))?,
        None => Route::endpoint_url(&target.path),
    };
    if !route.is_safe() && !decl.active {
        return Err(ProbeFailure::new(
            "config",
            format!(
                "not bursting {}: a state-changing route is burst only when the endpoint sets `active: true`",
                route.label()
            ),
        ));
    }
    let burst = burst_size(policy.limit);
    let client = ApiClient::connect(target, cx).await?;

    let token_ref = decl.auth.as_ref().and_then(|a| a.token.as_ref());
    let (authorization, withheld) = match token_ref {
        None => (None, None),
        Some(r) => match (
            secret::read(r, &target.base_dir, &cx.redactor),
            super::auth::bearer_scheme(decl).and_then(|()| client.secret_channel()),
        ) {
            (Ok(s), Ok(())) => (Some(format!("Bearer {}", s.expose())), None),
            (Ok(_), Err(why)) => (None, Some(why)),
            (Err(e), _) => (None, Some(e.to_string().replace(&r.to_string(), "`auth.token`"))),
        },
    };
    let headers: Vec<(&str, &str)> = authorization
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();

    let started = Instant::now();
    let mut statuses: BTreeMap<String, u32> = BTreeMap::new();
    let mut first_headers = Map::new();
    let mut first_limited: Option<(u32, u16, Map<String, Value>, Duration)> = None;
    let mut sent = 0u32;
    let mut stopped = "burst-complete";
    let mut stop_detail = String::new();
    for i in 1..=burst {
        if started.elapsed() >= TIME_CAP {
            stopped = "time-cap";
            break;
        }
        sent = i;
        let answer = match client.send(&route.method, &route.path, &headers).await {
            Ok(a) => a,
            Err(e) if i == 1 => {
                return Err(ProbeFailure::new("http", format!("{}: {e}", route.label())));
            }
            Err(e) => {
                stopped = "error";
                stop_detail = format!("request {i}: {e}");
                break;
            }
        };
        *statuses.entry(answer.status.to_string()).or_default() += 1;
        if i == 1 {
            first_headers = limit_headers(&answer);
        }
        if answer.status == 429 || answer.status == 503 {
            first_limited = Some((i, answer.status, limit_headers(&answer), started.elapsed()));
            stopped = "limited";
            break;
        }
    }
    let elapsed = started.elapsed();

    let mut out = Map::new();
    out.insert("tls_verified".into(), json!(client.tls_verified));
    out.insert("tls_error".into(), json!(client.tls_error));
    out.insert("route".into(), json!(route.label()));
    out.insert("with_token".into(), json!(authorization.is_some()));
    if let Some(why) = withheld {
        out.insert("token_withheld".into(), json!(why));
    }
    out.insert("burst".into(), json!(burst));
    out.insert("sent".into(), json!(sent));
    out.insert("elapsed_ms".into(), json!(elapsed.as_millis() as u64));
    out.insert("stopped".into(), json!(stopped));
    if !stop_detail.is_empty() {
        out.insert("stop_detail".into(), json!(stop_detail));
    }
    out.insert("statuses".into(), json!(statuses));
    out.insert("rate_limit_headers".into(), Value::Object(first_headers));
    out.insert(
        "declared".into(),
        json!({"limit": policy.limit, "window_s": policy.window.as_secs()}),
    );
    out.insert("limited".into(), json!(first_limited.is_some()));
    match first_limited {
        Some((request, status, headers, at)) => {
            let retry_after = headers.get("retry-after").and_then(Value::as_str).map(str::to_string);
            let retry_after_s = retry_after.as_deref().and_then(|v| v.trim().parse::<u64>().ok());
            let allowed = u64::from(request - 1);
            let allowance = allowance(policy.limit, policy.window, at);
            out.insert(
                "first_limited".into(),
                json!({
                    "request": request,
                    "status": status,
                    "after_ms": at.as_millis() as u64,
                    "retry_after": retry_after,
                    "retry_after_s": retry_after_s,
                    "headers": headers,
                }),
            );
            out.insert("allowed_before_limit".into(), json!(allowed));
            out.insert("allowance".into(), json!(allowance));
            out.insert("within_declared".into(), json!(allowed <= allowance));
        }
        None => {
            out.insert(
                "allowance".into(),
                json!(allowance(policy.limit, policy.window, elapsed)),
            );
            out.insert("within_declared".into(), json!(false));
        }
    }
    Ok(Value::Object(out))
}

/// The shape of this probe's evidence (`docs/probes/rate_limit.md`).
pub fn facts_shape() -> crate::audit::schema::Shape {
    use crate::audit::schema::Shape;
    Shape::object([
        ("tls_verified", Shape::Bool),
        ("tls_error", Shape::String),
        ("route", Shape::String),
        ("with_token", Shape::Bool),
        ("burst", Shape::Int),
        ("sent", Shape::Int),
        ("elapsed_ms", Shape::Int),
        ("stopped", Shape::String),
        ("statuses", Shape::map(Shape::Int)),
        ("rate_limit_headers", Shape::map(Shape::String)),
        (
            "declared",
            Shape::object([("limit", Shape::Int), ("window_s", Shape::Int)]),
        ),
        ("limited", Shape::Bool),
        ("allowance", Shape::Int),
        ("within_declared", Shape::Bool),
    ])
    .with_optional([
        ("token_withheld", Shape::String),
        ("stop_detail", Shape::String),
        (
            "first_limited",
            Shape::object([
                ("request", Shape::Int),
                ("status", Shape::Int),
                ("after_ms", Shape::Int),
                ("retry_after", Shape::nullable(Shape::String)),
                ("retry_after_s", Shape::nullable(Shape::Int)),
                ("headers", Shape::map(Shape::String)),
            ]),
        ),
        ("allowed_before_limit", Shape::Int),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_sizes_and_allowances() {
        assert_eq!(burst_size(10), 25);
        assert_eq!(burst_size(100), 200);
        assert_eq!(burst_size(u32::MAX), 200);
        assert_eq!(burst_size(0), 5);
        let w = Duration::from_secs(5);
        assert_eq!(allowance(10, w, Duration::from_millis(300)), 20);
        assert_eq!(allowance(10, w, Duration::from_secs(6)), 30);
        assert_eq!(allowance(10, Duration::ZERO, Duration::from_millis(3)), 50);
    }
}
