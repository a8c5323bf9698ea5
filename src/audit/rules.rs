//! Rules are data: `rulesets/*.yaml`, compiled once into CEL programs.
//!
//! A rule names the subject kind it applies to, an optional `when` (is the
//! rule relevant to this subject?), the evidence it `needs`, a `check` that
//! must hold, and what kind of proof a true `check` is: `live` (a probe saw
//! it), `model` (the architecture itself shows it) or `declared` (only the
//! author's claim: never a pass, at best "unverified"). A rule that does not
//! parse, names an unknown variable, or repeats an id is a load error naming
//! the rule id and `file:line`.

use super::facts::SUBJECT_KINDS;
use super::schema::Shape;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};

/// Layers of the checklist, in the order a request meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// TLS on the wire.
    Transport,
    /// Certificate pinning in the app.
    Pinning,
    /// mTLS and client keys.
    ClientIdentity,
    /// Enrollment and device attestation.
    Attestation,
    /// Request-body signing.
    RequestSigning,
    /// Gateway and caller authentication.
    GatewayAuth,
    /// Token lifetime and binding.
    Tokens,
    /// Rate limiting and WAF.
    AbuseProtection,
    /// Logging and anomaly detection.
    Monitoring,
    /// The architecture graph.
    Architecture,
}

impl Layer {
    /// Every layer, in order.
    pub const ALL: [Layer; 10] = [
        Layer::Transport,
        Layer::Pinning,
        Layer::ClientIdentity,
        Layer::Attestation,
        Layer::RequestSigning,
        Layer::GatewayAuth,
        Layer::Tokens,
        Layer::AbuseProtection,
        Layer::Monitoring,
        Layer::Architecture,
    ];

    /// Stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Transport => "transport",
            Layer::Pinning => "pinning",
            Layer::ClientIdentity => "client-identity",
            Layer::Attestation => "attestation",
            Layer::RequestSigning => "request-signing",
            Layer::GatewayAuth => "gateway-auth",
            Layer::Tokens => "tokens",
            Layer::AbuseProtection => "abuse-protection",
            Layer::Monitoring => "monitoring",
            Layer::Architecture => "architecture",
        }
    }

    /// Display title.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Transport => "Transport (TLS)",
            Layer::Pinning => "Certificate pinning",
            Layer::ClientIdentity => "Client identity (mTLS, keys)",
            Layer::Attestation => "Enrollment + attestation",
            Layer::RequestSigning => "Request signing",
            Layer::GatewayAuth => "Gateway + auth",
            Layer::Tokens => "Token architecture",
            Layer::AbuseProtection => "Rate limiting / WAF",
            Layer::Monitoring => "Monitoring",
            Layer::Architecture => "Architecture graph",
        }
    }

    /// The one question this layer answers.
    pub fn question(self) -> &'static str {
        match self {
            Layer::Transport => "Is the wire encrypted with a sound, trusted server identity?",
            Layer::Pinning => "Does the app trust only our keys, and survive rotation?",
            Layer::ClientIdentity => "Can the backend tell a genuine client from a script?",
            Layer::Attestation => "Is the client key bound to real hardware and a genuine app?",
            Layer::RequestSigning => "Is each request fresh and untampered?",
            Layer::GatewayAuth => "Is every protected route closed to anonymous and forged callers?",
            Layer::Tokens => "Are tokens short-lived and bound to the device?",
            Layer::AbuseProtection => "Does abuse get throttled?",
            Layer::Monitoring => "Is abuse seen?",
            Layer::Architecture => "Can any path from the internet reach data while skipping a layer?",
        }
    }
}

/// Severity of a failed rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight in layer scores.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 3,
            Severity::High => 6,
            Severity::Critical => 10,
        }
    }
}

/// What a true `check` proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proof {
    /// A probe observed it.
    Live,
    /// The architecture model shows it.
    Model,
    /// Only declared: true means "unverified", never "pass".
    Declared,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleFile {
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    title: String,
    layer: Layer,
    severity: Severity,
    applies_to: Spanned<String>,
    #[serde(default)]
    when: Option<Spanned<String>>,
    #[serde(default)]
    needs: Vec<Spanned<String>>,
    check: Spanned<String>,
    proof: Proof,
    #[serde(default)]
    explain: Option<Spanned<String>>,
    rationale: String,
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
}

/// A compiled rule.
pub struct Rule {
    /// Stable id, e.g. `tls-chain-trusted`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Layer.
    pub layer: Layer,
    /// Severity when it fails.
    pub severity: Severity,
    /// Subject kind.
    pub applies_to: String,
    /// Evidence kinds needed.
    pub needs: Vec<String>,
    /// What a true check proves.
    pub proof: Proof,
    /// Why it matters (our words).
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// Standard references.
    pub references: Vec<String>,
    /// Source of the check, for reports.
    pub check_source: String,
    /// Where the rule is defined (`file:line`).
    pub origin: String,
    pub(crate) when: Option<cel::Program>,
    /// `when` reads a variable that is evidence (in `needs`).
    pub(crate) when_reads_evidence: bool,
    pub(crate) check: cel::Program,
    pub(crate) explain: Option<cel::Program>,
    pub(crate) variables: Vec<String>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("origin", &self.origin)
            .finish()
    }
}

/// A rule file that could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{}:{}: {}{}", file.display(), line, if rule.is_empty() { String::new() } else { format!("rule `{rule}`: ") }, message)]
pub struct RuleError {
    /// The file.
    pub file: PathBuf,
    /// Line (0 when unknown).
    pub line: u64,
    /// The rule id (empty when the file itself is broken).
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

/// All loaded rules, sorted by id.
#[derive(Debug, Default)]
pub struct Ruleset {
    /// The rules.
    pub rules: Vec<Rule>,
}

/// The rule files shipped with Strata, embedded so the binary works from
/// any directory. `--rules DIR` replaces them.
pub const BUILTIN: &[(&str, &str)] = &[
    ("rulesets/transport.yaml", include_str!("../../rulesets/transport.yaml")),
    ("rulesets/legacy.yaml", include_str!("../../rulesets/legacy.yaml")),
    ("rulesets/tls-vulns.yaml", include_str!("../../rulesets/tls-vulns.yaml")),
    (
        "rulesets/tls-suites.yaml",
        include_str!("../../rulesets/tls-suites.yaml"),
    ),
    ("rulesets/pinning.yaml", include_str!("../../rulesets/pinning.yaml")),
    (
        "rulesets/app-config.yaml",
        include_str!("../../rulesets/app-config.yaml"),
    ),
    ("rulesets/declared.yaml", include_str!("../../rulesets/declared.yaml")),
    ("rulesets/identity.yaml", include_str!("../../rulesets/identity.yaml")),
    ("rulesets/gateway.yaml", include_str!("../../rulesets/gateway.yaml")),
    (
        "rulesets/architecture.yaml",
        include_str!("../../rulesets/architecture.yaml"),
    ),
];

/// Largest rule file read.
pub const MAX_RULE_FILE_BYTES: u64 = 4 * 1024 * 1024;

impl Ruleset {
    /// The built-in rules.
    pub fn builtin() -> Result<Ruleset, RuleError> {
        Ruleset::from_sources(BUILTIN.iter().map(|(p, t)| (PathBuf::from(p), (*t).to_string())))
    }

    /// Every `*.yaml` file in `dir`, in name order (each read through the
    /// bounded reader: at most [`MAX_RULE_FILE_BYTES`], regular files only).
    pub fn from_dir(dir: &Path) -> Result<Ruleset, RuleError> {
        let io = |e: std::io::Error| RuleError {
            file: dir.to_path_buf(),
            line: 0,
            rule: String::new(),
            message: e.to_string(),
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        let mut sources = Vec::new();
        for f in files {
            let text = crate::fsread::read_text(&f, MAX_RULE_FILE_BYTES, "rule file").map_err(|e| RuleError {
                file: f.clone(),
                line: 0,
                rule: String::new(),
                message: e.to_string(),
            })?;
            sources.push((f, text));
        }
        Ruleset::from_sources(sources)
    }

    /// Compiles rule files given as (path, text).
    /// Every error names the input briefly: long names and messages are
    /// clipped, control characters escaped.
    pub fn from_sources(sources: impl IntoIterator<Item = (PathBuf, String)>) -> Result<Ruleset, RuleError> {
        Self::compile_sources(sources).map_err(|e| RuleError {
            rule: crate::model::error::clip_path(&e.rule),
            message: crate::model::error::clip_message(&e.message),
            ..e
        })
    }

    fn compile_sources(sources: impl IntoIterator<Item = (PathBuf, String)>) -> Result<Ruleset, RuleError> {
        let mut rules: Vec<Rule> = Vec::new();
        for (file, text) in sources {
            let raw: RawRuleFile = crate::model::load::parse_str_as(&text, &file).map_err(|e| RuleError {
                file: file.clone(),
                line: e.line,
                rule: String::new(),
                message: format!("{}: {}", e.path, e.message),
            })?;
            for r in raw.rules {
                let rule = compile(&file, r)?;
                if let Some(prev) = rules.iter().find(|x| x.id == rule.id) {
                    let line = rule.origin.rsplit(':').next().and_then(|l| l.parse().ok()).unwrap_or(0);
                    return Err(RuleError {
                        file: file.clone(),
                        line,
                        rule: rule.id.clone(),
                        message: format!("duplicate id: also defined at {}", prev.origin),
                    });
                }
                rules.push(rule);
            }
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Ruleset { rules })
    }
}

/// The CEL environment rules run in: the standard library plus the strings
/// extension (`join`, `lowerAscii`, ...). Built once.
pub fn cel_env() -> std::sync::Arc<cel::Env> {
    static ENV: std::sync::OnceLock<std::sync::Arc<cel::Env>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = cel::Env::stdlib();
        // Declaring a built-in extension on a fresh environment cannot
        // conflict; if it ever did, rules using it fail to compile with a
        // clear message instead.
        let _ = env.add_extension(cel::extensions::strings);
        std::sync::Arc::new(env)
    })
    .clone()
}

/// Longest rule expression accepted (the built-in rules' longest is ~550).
pub const MAX_EXPRESSION_CHARS: usize = 4096;
/// Deepest bracket nesting accepted in an expression (built-in rules
/// nest 3 deep). The CEL parser and checker recurse per level: a deeper
/// expression could exhaust the stack instead of getting an error.
pub const MAX_EXPRESSION_NESTING: usize = 24;

/// Refuses an expression too long or nested too deep to parse safely.
fn within_limits(expr: &str) -> Result<(), String> {
    let chars = expr.chars().count();
    if chars > MAX_EXPRESSION_CHARS {
        return Err(format!(
            "is {chars} characters long; the limit is {MAX_EXPRESSION_CHARS}"
        ));
    }
    let (mut depth, mut deepest, mut quote, mut escaped) = (0usize, 0usize, None::<char>, false);
    for c in expr.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            // A unary operator is a level of the parse tree too.
            '!' | '-' => deepest = deepest.max(depth + 1),
            _ => {}
        }
    }
    // Runs of unary operators (`!!!!x`, `----1`) nest without brackets.
    let unary_run = expr
        .split(|c: char| c != '!' && c != '-' && !c.is_whitespace())
        .map(|run| run.chars().filter(|c| *c == '!' || *c == '-').count())
        .max()
        .unwrap_or(0);
    let deepest = deepest.max(depth).max(unary_run);
    if deepest > MAX_EXPRESSION_NESTING {
        return Err(format!(
            "nests {deepest} levels deep; the limit is {MAX_EXPRESSION_NESTING}"
        ));
    }
    Ok(())
}

fn compile(file: &Path, r: RawRule) -> Result<Rule, RuleError> {
    let id = r.id.value.clone();
    let err = |node_line: u64, message: String| RuleError {
        file: file.to_path_buf(),
        line: node_line,
        rule: id.clone(),
        message,
    };
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !id_ok {
        return Err(err(
            r.id.referenced.line(),
            "ids are kebab-case: lower-case letters, digits and '-'".into(),
        ));
    }
    let kind = r.applies_to.value.as_str();
    if !SUBJECT_KINDS.contains(&kind) {
        return Err(err(
            r.applies_to.referenced.line(),
            format!("applies_to `{kind}` is not one of {}", SUBJECT_KINDS.join(", ")),
        ));
    }
    let schema = super::schema::variables(kind);
    let evidence_kinds = super::schema::evidence_kinds(kind);
    let mut needs = Vec::new();
    for n in &r.needs {
        if !evidence_kinds.contains(&n.value.as_str()) {
            let known = if evidence_kinds.is_empty() {
                "none".to_string()
            } else {
                evidence_kinds.join(", ")
            };
            return Err(err(
                n.referenced.line(),
                format!(
                    "needs `{}`: {} {kind} has no such evidence (known: {known})",
                    n.value,
                    if kind.starts_with('e') { "an" } else { "a" }
                ),
            ));
        }
        needs.push(n.value.clone());
    }
    let mut variables: Vec<String> = Vec::new();
    // Each expression, compiled and checked, and whether it reads evidence.
    let mut program = |src: &Spanned<String>, what: &str| -> Result<(cel::Program, bool), RuleError> {
        let line = src.referenced.line();
        within_limits(&src.value).map_err(|e| err(line, format!("{what} {e}")))?;
        let p = cel_env()
            .compile(&src.value)
            .map_err(|e| err(line, format!("{what} does not parse: {e}")))?;
        let checked =
            super::check::check(p.expression(), kind, schema).map_err(|e| err(line, format!("{what} {e}")))?;
        let gives = |ok: &dyn Fn(&Shape) -> bool, want: &str| {
            if ok(&checked.result) {
                Ok(())
            } else {
                Err(err(
                    line,
                    format!("{what} gives {}, not {want}", checked.result.describe()),
                ))
            }
        };
        match what {
            "when" => gives(&|s| matches!(s, Shape::Bool | Shape::Any), "a bool")?,
            "check" => gives(
                &|s| matches!(s, Shape::Bool | Shape::Null | Shape::Any) || *s == Shape::nullable(Shape::Bool),
                "a bool or null",
            )?,
            _ => gives(
                &|s| matches!(s, Shape::String | Shape::Any) || *s == Shape::nullable(Shape::String),
                "a string",
            )?,
        }
        let mut reads_evidence = false;
        for v in &checked.variables {
            // Evidence variables exist only when observed: `needs` turns
            // their absence into "unverified" or "error".
            let evidence = schema.iter().find(|x| x.name == *v).and_then(|x| x.evidence);
            reads_evidence |= evidence.is_some();
            if let Some(e) = evidence
                && !needs.iter().any(|n| n == e)
            {
                return Err(err(
                    line,
                    format!(
                        "{what} reads `{v}`, which exists only when `{e}` evidence was observed: list `{e}` in `needs`"
                    ),
                ));
            }
            if !variables.iter().any(|x| x == v) {
                variables.push((*v).to_string());
            }
        }
        Ok((p, reads_evidence))
    };
    let when = r.when.as_ref().map(|w| program(w, "when")).transpose()?;
    let when_reads_evidence = when.as_ref().is_some_and(|(_, e)| *e);
    let when = when.map(|(p, _)| p);
    let check = program(&r.check, "check")?.0;
    let explain = r
        .explain
        .as_ref()
        .map(|w| program(w, "explain"))
        .transpose()?
        .map(|(p, _)| p);
    variables.sort();
    if r.proof == Proof::Live && needs.is_empty() {
        return Err(err(
            r.check.referenced.line(),
            "a `live` rule must list the evidence it `needs`".into(),
        ));
    }
    Ok(Rule {
        origin: format!("{}:{}", file.display(), r.id.referenced.line()),
        id,
        title: r.title,
        layer: r.layer,
        severity: r.severity,
        applies_to: kind.to_string(),
        needs,
        proof: r.proof,
        rationale: r.rationale.trim().to_string(),
        remediation: r.remediation.trim().to_string(),
        references: r.references,
        check_source: r.check.value.clone(),
        when,
        when_reads_evidence,
        check,
        explain,
        variables,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn deeply_nested_or_huge_expressions_are_refused_before_parsing() {
        // Found by tests/fuzz_stable.rs: 50 nested `size(` overflowed the stack.
        let deep = format!("{}1{}", "size(".repeat(50), ")".repeat(50));
        assert!(
            within_limits(&deep)
                .expect_err("refused")
                .contains("nests 50 levels deep; the limit is 24")
        );
        assert!(within_limits(&format!("{}true", "!".repeat(40))).is_err());
        assert!(
            within_limits(&"a + ".repeat(2000))
                .expect_err("refused")
                .contains("characters long")
        );
        // Brackets inside string literals do not count.
        assert!(within_limits(&format!("x == \"{}\"", "(".repeat(100))).is_ok());
        assert!(within_limits("size(tls.versions) > 0 && !(tls.version in ['1.0', '1.1'])").is_ok());
    }

    use super::*;

    /// Loads one rule file made of `rule` (YAML lines of one rule, indented
    /// under `- `), named `t.yaml`.
    fn load(rule: &str) -> Result<Ruleset, RuleError> {
        let text = format!(
            "rules:\n  - id: my-rule\n    title: t\n    layer: transport\n    severity: low\n    rationale: r\n    remediation: m\n{rule}"
        );
        Ruleset::from_sources([(PathBuf::from("t.yaml"), text)])
    }

    fn endpoint_rule(check: &str) -> Result<Ruleset, RuleError> {
        load(&format!(
            "    applies_to: endpoint\n    needs: [tls, http, auth]\n    proof: live\n    check: '{check}'\n"
        ))
    }

    fn error_of(check: &str) -> String {
        match endpoint_rule(check) {
            Ok(_) => panic!("`{check}` loaded"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_builtin_rule_loads() {
        let rules = Ruleset::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rules.rules.len(), 124);
    }

    #[test]
    fn comprehension_variables_of_any_length_are_bound_to_their_element() {
        for ok in [
            "tls.chain.all(cert, cert.days_left > 0)",
            "tls.chain.exists(c, c.is_ca) || tls.chain.exists_one(certificate, certificate.weak_key)",
            "tls.chain.filter(cert, cert.is_ca).all(ca, ca.key_bits >= 2048)",
            "tls.chain.map(cert, cert.subject).all(s, s.startsWith(\"O=\"))",
            "http.headers.all(name, name.lowerAscii() == name)",
            "auth.routes.all(route, route.cases.anonymous.verdict == \"refused\")",
            // Shadowing: the inner `c` is a string, the outer a certificate.
            "tls.chain.all(c, c.is_ca || [c.subject].all(c, c.size() > 0))",
            // A macro variable may even shadow a fact.
            "tls.chain.all(tls, tls.days_left > 0)",
        ] {
            endpoint_rule(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn unknown_variables_and_fields_are_load_errors_with_a_suggestion() {
        let e = error_of("tl.version == \"TLSv1_3\"");
        assert!(e.starts_with("t.yaml:11: rule `my-rule`: check uses `tl`"), "{e}");
        assert!(e.contains("did you mean `tls`?"), "{e}");
        let e = error_of("tls.versoin == \"TLSv1_3\"");
        assert!(e.contains("reads `tls.versoin`"), "{e}");
        assert!(e.contains("did you mean `version`?"), "{e}");
        let e = error_of("tls.chain.all(cert, cert.days_lef > 0)");
        assert!(
            e.contains("`cert.days_lef`") && e.contains("did you mean `days_left`?"),
            "{e}"
        );
        assert!(e.contains("`cert` is an element of `tls.chain`"), "{e}");
        // The bound name is gone outside its macro.
        let e = error_of("tls.chain.all(cert, cert.is_ca) && cert.is_ca");
        assert!(e.contains("uses `cert`, which is not a fact of an endpoint"), "{e}");
        let e = error_of("tls.leaf.days_left.x > 0");
        assert!(e.contains("`tls.leaf.days_left` is an int, which has no fields"), "{e}");
        let e = error_of("has(tls.lef)");
        assert!(e.contains("did you mean `leaf`?"), "{e}");
        let e = error_of("\"versoin\" in tls");
        assert!(e.contains("no field `versoin`"), "{e}");
    }

    #[test]
    fn optional_keys_maps_and_indexes_follow_the_schema() {
        for ok in [
            "has(auth.token.jwt) && auth.token.jwt.lifetime_s < 900",
            "http.headers[\"x-powered-by\"] == \"\" || http.headers.anything == \"\"",
            "\"server\" in http.headers && tls.chain[0].is_ca == false",
            "tls[\"version\"] == \"TLSv1_3\"",
            "size(tls.chain) > 0 && tls.chain.size() > 0 && type(tls.chain_length) == int",
            "auth.token == null ? null : auth.token.sent",
            "strings.quote(tls.version) != \"\"",
        ] {
            endpoint_rule(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        let e = error_of("tls.chain[\"a\"].is_ca");
        assert!(e.contains("its index is an int"), "{e}");
        let e = error_of("tls[\"versoin\"] == \"\"");
        assert!(e.contains("did you mean `version`?"), "{e}");
    }

    #[test]
    fn calls_and_operators_that_cannot_work_are_load_errors() {
        for (bad, says) in [
            ("tls.version.lowerAsci() == \"\"", "did you mean `lowerAscii`?"),
            ("tls.chain.all(c)", "it is written `list.all(x, predicate)`"),
            (
                "\"days: \" + tls.leaf.days_left == \"\"",
                "adds `\"days: \"` (a string) and `tls.leaf.days_left` (an int)",
            ),
            ("tls.version > 2", "orders"),
            ("tls.chain_length == \"2\"", "always unequal"),
            ("tls.chain_length.startsWith(\"2\")", "`startsWith` works on a string"),
            ("tls.version && true", "as a condition"),
            ("tls.trusted.all(x, x)", "not a list or a map"),
            ("strings.quot(\"a\") == \"\"", "did you mean `strings.quote`?"),
        ] {
            let e = error_of(bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn results_must_have_the_right_type() {
        let e = error_of("tls.version");
        assert!(e.contains("check gives string, not a bool or null"), "{e}");
        let e = load(
            "    applies_to: endpoint\n    needs: [tls]\n    proof: live\n    check: tls.trusted\n    explain: tls.chain_length\n",
        )
        .map(|_| ())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("explain gives int, not a string"), "{e}");
    }

    #[test]
    fn reading_evidence_requires_needs() {
        let e = load("    applies_to: endpoint\n    proof: model\n    check: tls.trusted\n")
            .map(|_| ())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("list `tls` in `needs`"), "{e}");
        let e = load("    applies_to: pinset\n    proof: model\n    check: pinning.matched\n")
            .map(|_| ())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("`pinning`, which exists only when `tls` evidence was observed"),
            "{e}"
        );
        load("    applies_to: pinset\n    needs: [tls]\n    proof: live\n    check: pinning.matched\n")
            .unwrap_or_else(|e| panic!("{e}"));
    }
}
