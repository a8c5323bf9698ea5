//! The architecture file, schema version 1, as serde types.
//!
//! These are the shapes an architect writes by hand. Every struct rejects
//! unknown fields (so a typo is an error, not a silently ignored claim), and
//! fields that other parts of the file refer to carry their YAML location
//! ([`Spanned`]) so later validation can point at the exact line and column.
//! `docs/schema.md` documents every field with an example.

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::path::PathBuf;

/// The whole architecture file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchitectureFile {
    /// Schema version; only `1` exists.
    pub strata: Spanned<u32>,
    /// What is being audited.
    pub system: SystemInfo,
    /// The mobile (or web) apps that call the backend.
    #[serde(default)]
    pub clients: Vec<Client>,
    /// Backend parts: edge, WAF, gateway, auth, services, data, monitoring.
    #[serde(default)]
    pub components: Vec<Component>,
    /// Network endpoints that Strata probes.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// Who talks to whom, and through which controls.
    #[serde(default)]
    pub flows: Vec<Flow>,
}

/// Name and description of the audited system.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemInfo {
    /// Human name, shown in reports.
    pub name: String,
    /// One paragraph on what the system does.
    #[serde(default)]
    pub description: String,
    /// Who owns the architecture (team or person).
    #[serde(default)]
    pub owner: Option<String>,
}

/// Client platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// An Android app.
    Android,
    /// An iOS app.
    Ios,
    /// A browser app.
    Web,
}

/// Where the client's private keys live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyStorage {
    /// Android StrongBox (a discrete secure element).
    Strongbox,
    /// Android hardware-backed keystore in the TEE.
    Tee,
    /// Apple Secure Enclave.
    SecureEnclave,
    /// Keys in app storage or the software keystore.
    Software,
    /// The client holds no private key.
    None,
}

/// Which device attestation the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attestation {
    /// Google Play Integrity API.
    PlayIntegrity,
    /// Apple App Attest.
    AppAttest,
    /// No attestation.
    None,
}

/// How the client signs request bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SigningScheme {
    /// HTTP Message Signatures (RFC 9421).
    HttpMessageSignatures,
    /// ECDSA P-256 over body + timestamp + nonce, in headers.
    HeaderEcdsaP256,
    /// Requests are not signed.
    None,
}

/// A mobile or web client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Stable id, referenced by flows.
    pub id: Spanned<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Platform.
    pub platform: Platform,
    /// Where the client's private keys are kept.
    #[serde(default = "default_key_storage")]
    pub key_storage: KeyStorage,
    /// Device attestation used at enrollment.
    #[serde(default = "default_attestation")]
    pub attestation: Attestation,
    /// Whether attestation is bound to the CSR that enrolls the client key.
    #[serde(default)]
    pub attestation_bound_to_csr: bool,
    /// Request-body signing scheme.
    #[serde(default = "default_signing")]
    pub request_signing: SigningScheme,
    /// Root/jailbreak and instrumentation detection (RASP) claimed by the app.
    #[serde(default)]
    pub runtime_protection: bool,
    /// Whether an API key ships inside the app binary.
    #[serde(default)]
    pub embedded_api_key: bool,
    /// Pin sets declared inline.
    #[serde(default)]
    pub pins: Vec<PinSet>,
    /// Pin sets imported from the app's own files.
    #[serde(default)]
    pub pin_imports: Vec<PinImport>,
    /// Endpoint ids this client calls.
    #[serde(default)]
    pub calls: Vec<Spanned<String>>,
}

fn default_key_storage() -> KeyStorage {
    KeyStorage::None
}
fn default_attestation() -> Attestation {
    Attestation::None
}
fn default_signing() -> SigningScheme {
    SigningScheme::None
}

/// A set of SPKI SHA-256 pins for one host.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinSet {
    /// The pinned host name.
    pub host: Spanned<String>,
    /// Whether the pins also cover sub-domains.
    #[serde(default)]
    pub include_subdomains: bool,
    /// Base64 SHA-256 digests of SubjectPublicKeyInfo; `sha256/` prefix allowed.
    pub pins: Vec<Spanned<String>>,
    /// Date after which the app stops enforcing the pins (ISO 8601 date).
    #[serde(default)]
    pub expires: Option<Spanned<String>>,
}

/// A file of the app's own from which pins are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum PinImport {
    /// Android `network_security_config.xml`.
    AndroidNsc(Spanned<PathBuf>),
    /// iOS `Info.plist` with `NSPinnedDomains`.
    IosPlist(Spanned<PathBuf>),
    /// A built Android app (`.apk`): its manifest and compiled network
    /// security config.
    Apk(Spanned<PathBuf>),
    /// A built iOS app (`.ipa`): its `Info.plist`.
    Ipa(Spanned<PathBuf>),
}

impl PinImport {
    /// The kind of file and its path as written.
    pub fn parts(&self) -> (crate::model::app_config::ImportKind, &Spanned<PathBuf>) {
        use crate::model::app_config::ImportKind;
        match self {
            PinImport::AndroidNsc(p) => (ImportKind::AndroidNsc, p),
            PinImport::IosPlist(p) => (ImportKind::IosPlist, p),
            PinImport::Apk(p) => (ImportKind::Apk, p),
            PinImport::Ipa(p) => (ImportKind::Ipa, p),
        }
    }
}

/// Kind of backend component; also decides its column in the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// Edge proxy / load balancer.
    Edge,
    /// Content delivery network.
    Cdn,
    /// Web application firewall.
    Waf,
    /// API gateway.
    ApiGateway,
    /// Authorization / identity server.
    AuthServer,
    /// Application service.
    Service,
    /// Database, cache, object store.
    Datastore,
    /// Logging, SIEM, anomaly detection.
    Monitoring,
}

/// Whether a component can be reached from the internet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Reachable from the internet.
    Public,
    /// Reachable only from inside the network.
    Internal,
}

/// Data sensitivity classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sensitivity {
    /// Public data.
    Public,
    /// Internal data.
    Internal,
    /// Confidential data (personal data, business secrets).
    Confidential,
    /// Restricted data (credentials, payment data, health data).
    Restricted,
}

/// A security control that a flow passes through or a component enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Control {
    /// TLS on the wire.
    Tls,
    /// Certificate pinning in the client (client-side only).
    Pinning,
    /// Mutual TLS: the caller presents a certificate.
    Mtls,
    /// JWT bearer tokens validated by the receiver.
    Jwt,
    /// OAuth 2 access tokens validated by the receiver.
    Oauth,
    /// A session cookie validated by the receiver.
    Session,
    /// A static API key (identifies an app, not a caller).
    ApiKey,
    /// Signed request bodies verified by the receiver.
    RequestSigning,
    /// Device attestation verified by the receiver.
    Attestation,
    /// Rate limiting.
    RateLimit,
    /// Web application firewall.
    Waf,
    /// Traffic is logged and watched.
    Monitoring,
}

impl Control {
    /// Every control, in declaration (and menu) order.
    pub const ALL: [Control; 12] = [
        Control::Tls,
        Control::Pinning,
        Control::Mtls,
        Control::Jwt,
        Control::Oauth,
        Control::Session,
        Control::ApiKey,
        Control::RequestSigning,
        Control::Attestation,
        Control::RateLimit,
        Control::Waf,
        Control::Monitoring,
    ];

    /// Controls that authenticate the caller. TLS and pinning do not: they
    /// protect the channel, not the identity of whoever is on the other end,
    /// and a static API key is extractable from any copy of the app.
    pub fn authenticates_caller(self) -> bool {
        matches!(
            self,
            Control::Mtls | Control::Jwt | Control::Oauth | Control::Session | Control::RequestSigning
        )
    }

    /// Caller-authenticating controls whose proof travels with the request
    /// (tokens, signatures), so they authenticate the original caller at any
    /// hop. mTLS is not one: it authenticates only the immediate peer, so
    /// service-to-service mTLS says nothing about who called the gateway.
    pub fn end_to_end(self) -> bool {
        matches!(
            self,
            Control::Jwt | Control::Oauth | Control::Session | Control::RequestSigning
        )
    }

    /// Controls that only the client enforces; an attacker who does not use
    /// the genuine app does not pass through them.
    pub fn client_side(self) -> bool {
        matches!(self, Control::Pinning)
    }

    /// Stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Control::Tls => "tls",
            Control::Pinning => "pinning",
            Control::Mtls => "mtls",
            Control::Jwt => "jwt",
            Control::Oauth => "oauth",
            Control::Session => "session",
            Control::ApiKey => "api-key",
            Control::RequestSigning => "request-signing",
            Control::Attestation => "attestation",
            Control::RateLimit => "rate-limit",
            Control::Waf => "waf",
            Control::Monitoring => "monitoring",
        }
    }
}

/// A piece of data a component holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    /// What it is ("cardholder data").
    pub name: String,
    /// How sensitive it is.
    pub sensitivity: Sensitivity,
}

/// Token lifetimes and binding, declared on an auth server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPolicy {
    /// Access-token lifetime, e.g. `15m`.
    #[serde(default, with = "humantime_serde")]
    pub access_ttl: Option<std::time::Duration>,
    /// Refresh-token lifetime, e.g. `30d`.
    #[serde(default, with = "humantime_serde")]
    pub refresh_ttl: Option<std::time::Duration>,
    /// Whether refresh tokens rotate on use.
    #[serde(default)]
    pub refresh_rotation: bool,
    /// How tokens are bound to the device.
    #[serde(default = "default_binding")]
    pub binding: TokenBinding,
}

fn default_binding() -> TokenBinding {
    TokenBinding::None
}

/// Sender-constraint of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenBinding {
    /// DPoP proof-of-possession (RFC 9449).
    Dpop,
    /// Certificate-bound tokens (RFC 8705).
    Mtls,
    /// Bearer tokens: whoever holds one can use it.
    None,
}

/// A backend component.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Stable id, referenced by flows and endpoints.
    pub id: Spanned<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// What the component is.
    pub kind: ComponentKind,
    /// Internet-facing or internal.
    #[serde(default = "default_exposure")]
    pub exposure: Exposure,
    /// Controls the component itself enforces on every request it receives.
    #[serde(default)]
    pub enforces: Vec<Control>,
    /// Data it holds.
    #[serde(default)]
    pub data: Vec<DataAsset>,
    /// Token policy (auth servers).
    #[serde(default)]
    pub tokens: Option<TokenPolicy>,
    /// For monitoring components: ids of the components it watches.
    #[serde(default)]
    pub watches: Vec<Spanned<String>>,
}

fn default_exposure() -> Exposure {
    Exposure::Internal
}

/// TLS versions as declared in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "1.2")]
    V1_2,
    /// TLS 1.3.
    #[serde(rename = "1.3")]
    V1_3,
}

/// Where trusted roots come from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum TrustAnchors {
    /// The operating system's root store.
    System,
    /// A PEM file of CA certificates (path relative to the architecture file).
    CaFile(Spanned<PathBuf>),
}

/// TLS expectations of an endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsPolicy {
    /// Lowest acceptable TLS version.
    #[serde(default = "default_min_tls")]
    pub min_version: TlsVersion,
    /// Whether an HSTS header is expected.
    #[serde(default = "default_true")]
    pub hsts: bool,
    /// Warn when the leaf expires within this many days.
    #[serde(default = "default_expiry_warning")]
    pub expiry_warning_days: u32,
    /// Whether the CRLs the served certificate names may be fetched.
    #[serde(default)]
    pub revocation: RevocationMode,
}

/// Whether revocation lookups (traffic outside the model) are allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevocationMode {
    /// No lookups (the default): revocation stays unverified.
    #[default]
    Off,
    /// Fetch the CRLs the leaf names (`--revocation` does this for every
    /// endpoint).
    Check,
}

impl Default for TlsPolicy {
    fn default() -> Self {
        TlsPolicy {
            min_version: default_min_tls(),
            hsts: true,
            expiry_warning_days: default_expiry_warning(),
            revocation: RevocationMode::Off,
        }
    }
}

fn default_min_tls() -> TlsVersion {
    TlsVersion::V1_2
}
fn default_true() -> bool {
    true
}
fn default_expiry_warning() -> u32 {
    14
}

/// A reference to a secret: never the value itself. Deserialised by hand
/// (in [`super::secret`]) so that no error ever repeats a literal value.
#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    /// Read from this environment variable at probe time.
    Env(String),
    /// Read from this file (relative to the architecture file) at probe time.
    File(PathBuf),
}

impl std::fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{}", path.display()),
        }
    }
}

/// Whether the endpoint expects client certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MtlsExpectation {
    /// Every caller must present a certificate.
    Required,
    /// A certificate is requested but not required.
    Optional,
    /// No client certificates.
    None,
}

/// mTLS expectation and the client credential used to test it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MtlsPolicy {
    /// What the server is expected to do.
    pub expect: MtlsExpectation,
    /// Client certificate chain (PEM), by reference.
    #[serde(default)]
    pub client_cert: Option<SecretRef>,
    /// Client private key (PEM), by reference.
    #[serde(default)]
    pub client_key: Option<SecretRef>,
    /// An expired client certificate chain (PEM) from a CA the server
    /// trusts, by reference: the probe checks that it is refused.
    #[serde(default)]
    pub expired_client_cert: Option<SecretRef>,
    /// The expired certificate's private key (PEM), by reference.
    #[serde(default)]
    pub expired_client_key: Option<SecretRef>,
}

/// The caller authentication an endpoint expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthScheme {
    /// JWT bearer tokens.
    Jwt,
    /// OAuth 2 access tokens (opaque or JWT).
    Oauth,
    /// Client certificates only.
    Mtls,
    /// A static API key.
    ApiKey,
    /// Open to anyone.
    None,
}

/// Authentication expectation of an endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthPolicy {
    /// The scheme protected routes require.
    pub expect: AuthScheme,
    /// Routes that must refuse anonymous callers.
    #[serde(default)]
    pub protected_routes: Vec<String>,
    /// A real token for positive checks, by reference.
    #[serde(default)]
    pub token: Option<SecretRef>,
}

/// Rate-limit expectation of an endpoint.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitPolicy {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window, e.g. `1m`.
    #[serde(with = "humantime_serde")]
    pub window: std::time::Duration,
    /// Route the limit applies to.
    #[serde(default)]
    pub route: Option<String>,
}

/// A network endpoint that Strata probes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Stable id, referenced by clients.
    pub id: Spanned<String>,
    /// The component that serves it.
    pub component: Spanned<String>,
    /// `https://host:port/` (or `http://` for a cleartext endpoint).
    pub url: Spanned<String>,
    /// The name the certificate must carry and the SNI sent; defaults to the URL host.
    #[serde(default)]
    pub server_name: Option<Spanned<String>>,
    /// Trusted roots for verification.
    #[serde(default = "default_trust")]
    pub trust: TrustAnchors,
    /// TLS expectations.
    #[serde(default)]
    pub tls: TlsPolicy,
    /// mTLS expectation.
    #[serde(default)]
    pub mtls: Option<MtlsPolicy>,
    /// Caller authentication expectation.
    #[serde(default)]
    pub auth: Option<AuthPolicy>,
    /// Rate-limit expectation.
    #[serde(default)]
    pub rate_limit: Option<RateLimitPolicy>,
    /// Opt in to active probes (bursts, enrollment) against non-loopback hosts.
    #[serde(default)]
    pub active: bool,
    /// Device enrollment (CSR + attestation) served by this endpoint.
    #[serde(default)]
    pub enrollment: Option<EnrollmentPolicy>,
    /// Request signing verified by this endpoint.
    #[serde(default)]
    pub signing: Option<SigningPolicy>,
    /// An OpenAPI 3 document (relative to this file): every operation with a
    /// security requirement becomes a protected route.
    #[serde(default)]
    pub openapi: Option<Spanned<PathBuf>>,
}

/// A device-enrollment endpoint: the client sends a CSR for its hardware key
/// together with an attestation token; the server issues a certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentPolicy {
    /// Path of the enrollment request, e.g. `/v1/enroll`.
    pub path: String,
    /// JSON body with placeholders `{{csr}}` (PEM CSR, JSON-escaped),
    /// `{{attestation}}` (token) and `{{nonce}}` (challenge nonce).
    pub body_template: String,
    /// Path that hands out an attestation challenge nonce (JSON `{"nonce": ...}`).
    #[serde(default)]
    pub challenge_path: Option<String>,
    /// A valid (test) attestation token, by reference: with it the probe
    /// checks that a genuine enrollment succeeds and that replaying the same
    /// token is refused.
    #[serde(default)]
    pub attestation_token: Option<SecretRef>,
    /// A path on this endpoint whose `GET` hands out a fresh test
    /// attestation token (JSON `{"token": …}`), fetched once per audit: for
    /// servers that accept a token once (the demo lab's `enroll-good`), so
    /// that repeated audits of an unchanged server give the same result.
    /// The fetched token is treated as a secret. Exclusive with
    /// `attestation_token`.
    #[serde(default)]
    pub attestation_token_path: Option<String>,
}

/// A request-signing verifier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningPolicy {
    /// The scheme (`header-ecdsa-p256` or `http-message-signatures`).
    pub scheme: SigningScheme,
    /// Path that accepts signed POST requests.
    pub path: String,
    /// The test client's private key (PKCS#8 PEM, P-256), by reference.
    pub key: SecretRef,
    /// Key id sent with signatures.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Maximum clock skew the server should accept, e.g. `5m`.
    #[serde(default, with = "humantime_serde")]
    pub max_skew: Option<std::time::Duration>,
}

fn default_trust() -> TrustAnchors {
    TrustAnchors::System
}

/// A call from one node to another.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Caller: a client or component id.
    pub from: Spanned<String>,
    /// Callee: a component id.
    pub to: Spanned<String>,
    /// Controls this hop passes through.
    #[serde(default)]
    pub controls: Vec<Control>,
    /// What the hop is for.
    #[serde(default)]
    pub purpose: Option<String>,
}
