//! Client-initiated renegotiation (a denial-of-service lever: each
//! renegotiation costs the server a full handshake; testssl.sh's
//! `run_renego`, sslyze's `session_renegotiation`).
//!
//! Testing it needs a second ClientHello sent *inside* the encrypted
//! channel of a completed TLS 1.2 handshake. Strata's raw machinery stops
//! at the server's first flight (it never derives keys or encrypts
//! records), and rustls never renegotiates, so this check is **not
//! performed**: its evidence says so (`tested: false` with the reason) and
//! its rule is `unverified`, never a pass. What is observed is secure
//! renegotiation *support* (RFC 5746, `legacy.secure_renegotiation`), which
//! the legacy probe already reports.

use serde::Serialize;

/// Why the check is not performed.
pub const NOT_TESTED: &str = "client-initiated renegotiation needs a second ClientHello inside a completed, encrypted TLS 1.2 handshake; Strata's raw handshake stops at the server's first flight and rustls never renegotiates, so it is not tested";

/// The evidence of the renegotiation check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renegotiation {
    /// Whether the check was performed (always `false` for now).
    pub tested: bool,
    /// The server accepted a client-initiated renegotiation (`null`: not
    /// tested).
    pub client_initiated_accepted: Option<bool>,
    /// Why not tested.
    pub reason: String,
}

/// The (untested) evidence.
pub fn untested() -> Renegotiation {
    Renegotiation {
        tested: false,
        client_initiated_accepted: None,
        reason: NOT_TESTED.into(),
    }
}
