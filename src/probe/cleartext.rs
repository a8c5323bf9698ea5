//! The cleartext probe of an `http://` endpoint: one request, no TLS. It is
//! the first contact with such an endpoint, as the TLS probe is for https.

use super::deadline::limit;
use super::tls::{Transport, record_transport, summarize_transport, unreachable};
use super::{BoxFuture, Contact, EndpointProbe, ProbeContext};
use crate::evidence::{EndpointEvidence, Observation, ProbeFailure};
use crate::model::{Endpoint, EndpointTarget, Scheme};

/// One HTTP request over plain TCP, recorded as the endpoint's `http`
/// evidence (`tls` stays "not probed").
pub struct CleartextProbe;

impl EndpointProbe for CleartextProbe {
    fn name(&self) -> &'static str {
        "http"
    }

    fn applies(&self, target: &EndpointTarget, _decl: &Endpoint) -> bool {
        target.scheme == Scheme::Http
    }

    fn first_contact(&self) -> bool {
        true
    }

    fn facts_shape(&self, _kind: &str) -> crate::audit::schema::Shape {
        // Rules see facts derived from the typed evidence (`audit::facts`).
        crate::audit::schema::http()
    }

    fn run<'a>(
        &'a self,
        target: &'a EndpointTarget,
        _decl: &'a Endpoint,
        cx: &'a ProbeContext,
    ) -> BoxFuture<'a, Result<serde_json::Value, ProbeFailure>> {
        Box::pin(async move {
            let tcp = match super::tls::connect(target, cx).await {
                Ok(tcp) => tcp,
                Err(f) => {
                    let contact = if unreachable(&f) {
                        Contact::Unreachable(f.clone())
                    } else {
                        Contact::Reachable
                    };
                    cx.report_contact(&target.id, contact);
                    return Err(f);
                }
            };
            cx.report_contact(&target.id, Contact::Reachable);
            let within = limit(cx.io_timeout);
            let http = super::http::get_head_within(tcp, &target.host, &target.path, within, false).await;
            Transport {
                tls: Observation::NotProbed,
                http: match http {
                    Ok(h) => Observation::Observed(h),
                    Err(f) => Observation::Error(f),
                },
            }
            .into_value()
        })
    }

    fn record(&self, into: &mut EndpointEvidence, outcome: Observation<serde_json::Value>) {
        // A failed connection is a failure of the http evidence only: the
        // endpoint declares no TLS.
        let cleartext_failure = outcome.failure().cloned();
        record_transport(into, outcome);
        if cleartext_failure.is_some() {
            into.tls = Observation::NotProbed;
        }
    }

    fn summary(&self, observed: &serde_json::Value) -> String {
        summarize_transport(observed)
    }
}
