//! The architecture model: what the architect claims.
//!
//! [`load`] turns a YAML file into a validated [`Model`]: schema types
//! ([`schema`]) parsed with exact positions ([`load`](mod@load)), then checked for
//! dangling references, duplicate ids, bad URLs and pins, with every pin set
//! from the app's own files imported ([`pin_import`]). Pure data: nothing here
//! touches the network.

pub mod app_config;
pub mod error;
pub mod load;
pub mod openapi;
pub mod pin_import;
pub mod schema;
pub mod secret;
mod validate;

pub use error::{ModelError, ModelErrors};
pub use openapi::Route;
pub use pin_import::{ImportedPin, PinScope};
pub use schema::*;

use serde::Serialize;
use std::path::{Path, PathBuf};

/// URL scheme of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// TLS.
    Https,
    /// Cleartext.
    Http,
}

/// Where and how to reach an endpoint, resolved from its declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointTarget {
    /// Endpoint id.
    pub id: String,
    /// Serving component id.
    pub component: String,
    /// The URL as written.
    pub url: String,
    /// Scheme.
    pub scheme: Scheme,
    /// Host to connect to (name or address).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Path and query for HTTP requests.
    pub path: String,
    /// Name sent as SNI and checked against the certificate.
    pub server_name: String,
    /// Absolute path of the CA file, when the trust anchors are a file.
    pub ca_file: Option<PathBuf>,
    /// Directory of the architecture file: relative secret files resolve here.
    pub base_dir: PathBuf,
    /// Routes that must refuse anonymous and forged callers: `auth.protected_routes`
    /// then the protected operations of the `openapi` document, without duplicates.
    pub protected_routes: Vec<Route>,
    /// The serving component is declared `exposure: internal`.
    pub internal: bool,
}

/// One host's pins for one client, from the YAML or an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPinSet {
    /// Client id.
    pub client: String,
    /// Pinned host (lower case).
    pub host: String,
    /// Whether sub-domains are covered.
    pub include_subdomains: bool,
    /// The pins, canonical base64.
    pub pins: Vec<ImportedPin>,
    /// When the app stops enforcing them.
    pub expires: Option<time::Date>,
    /// Where the pin set was declared (`file:line:column`).
    pub origin: String,
}

impl ResolvedPinSet {
    /// Whether this set applies to `host`.
    pub fn covers(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        host == self.host
            || (self.include_subdomains
                && host.len() > self.host.len()
                && host.ends_with(&self.host)
                && host.as_bytes()[host.len() - self.host.len() - 1] == b'.')
    }
}

/// A validated architecture.
#[derive(Debug, Clone)]
pub struct Model {
    /// The file it was loaded from.
    pub source: PathBuf,
    /// The declarations, as written (all references checked).
    pub arch: ArchitectureFile,
    /// Endpoints resolved for probing, in declaration order.
    pub endpoints: Vec<EndpointTarget>,
    /// Every pin set, inline and imported, in declaration order.
    pub pin_sets: Vec<ResolvedPinSet>,
    /// The network-security configuration of every imported app file, in
    /// declaration order.
    pub app_configs: Vec<ResolvedAppConfig>,
    /// The team's decisions from `triage.yaml` beside the file, if any.
    pub triage: Option<crate::triage::TriageFile>,
}

/// One client's imported app file (`pin_imports` entry) and what its
/// configuration declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedAppConfig {
    /// Client id.
    pub client: String,
    /// The file as written in the YAML.
    pub source: String,
    /// What kind of file.
    pub kind: app_config::ImportKind,
    /// What it declares.
    pub config: app_config::AppConfig,
    /// The build's identity (APK and IPA).
    pub build: Option<app_config::BuildIdentity>,
    /// The hosts its enforced pin sets cover: (domain, include_subdomains).
    pub pinned_hosts: Vec<(String, bool)>,
}

impl ResolvedAppConfig {
    /// One line for the client's node in the graph: what kind of file,
    /// the build, and the settings that matter most
    /// (`APK com.acme.pay · SDK 34 · cleartext off · 4 pinned`).
    pub fn summary(&self) -> String {
        use app_config::{AppConfig, ImportKind};
        let mut parts = vec![match self.kind {
            ImportKind::AndroidNsc => "NSC".to_owned(),
            ImportKind::IosPlist => "Info.plist".to_owned(),
            ImportKind::Apk => "APK".to_owned(),
            ImportKind::Ipa => "IPA".to_owned(),
        }];
        if let Some(id) = self.build.as_ref().and_then(|b| b.id.as_deref()) {
            parts[0] = format!("{} {id}", parts[0]);
        }
        match &self.config {
            AppConfig::Android(a) => {
                if let Some(sdk) = a.target_sdk {
                    parts.push(format!("SDK {sdk}"));
                }
                parts.push(match a.base_cleartext() {
                    Some(false) => "cleartext off".into(),
                    Some(true) => "CLEARTEXT ON".into(),
                    None => "cleartext: SDK default".into(),
                });
                if a.base_anchors().iter().any(|x| x.src == "user") {
                    parts.push("USER CAs".into());
                }
                if a.is_debuggable() {
                    parts.push("DEBUGGABLE".into());
                }
            }
            AppConfig::Ios(i) => {
                parts.push(if i.arbitrary_loads {
                    "ATS OFF".into()
                } else {
                    "ATS on".into()
                });
                if !i.exceptions.is_empty() {
                    parts.push(format!("{} exception(s)", i.exceptions.len()));
                }
            }
        }
        parts.push(format!("{} pinned", self.pinned_hosts.len()));
        parts.join(" · ")
    }
}

impl Model {
    /// Looks a component up by id.
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.arch.components.iter().find(|c| c.id.value == id)
    }

    /// Looks a client up by id.
    pub fn client(&self, id: &str) -> Option<&Client> {
        self.arch.clients.iter().find(|c| c.id.value == id)
    }

    /// Looks an endpoint declaration up by id.
    pub fn endpoint(&self, id: &str) -> Option<&Endpoint> {
        self.arch.endpoints.iter().find(|e| e.id.value == id)
    }

    /// The system's display name.
    pub fn name(&self) -> &str {
        &self.arch.system.name
    }
}

/// Loads and validates an architecture file.
pub fn load(file: &Path) -> Result<Model, ModelErrors> {
    let (_, arch) = load::read_file(file).map_err(|e| ModelErrors::from(e).clipped())?;
    validate::validate(arch, file).map_err(ModelErrors::clipped)
}

/// Parses and validates YAML text as if it were the file `file` (relative
/// paths inside resolve against `file`'s directory).
pub fn load_str(text: &str, file: &Path) -> Result<Model, ModelErrors> {
    let arch = load::parse_str(text, file).map_err(|e| ModelErrors::from(e).clipped())?;
    validate::validate(arch, file).map_err(ModelErrors::clipped)
}
