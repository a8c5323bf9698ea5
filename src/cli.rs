//! Command-line interface: `audit`, `lab`, `demo`, `pins`, `rules`,
//! `validate`, `inspect` (a built .apk/.ipa), `tls-scan` ([`tls_scan`]), and the auditor's workflow
//! commands `diff` and `merge` ([`workflow`]).
//!
//! Exit codes: 0 success, 1 a gate failed (`--fail-under`, `--fail-on`), 2
//! error (bad input, including
//! an audit whose rules could not all be evaluated: its reports are still
//! written, and each tool error is printed on stderr), 130 interrupted
//! (SIGINT or SIGTERM: probing stops and no report is written).

use crate::audit::rules::Ruleset;
use crate::lab::{Lab, LabConfig};
use crate::model::{self, EndpointTarget, Scheme};
use crate::pipeline::{self, Format};
use crate::probe::runner::{ProgressEvent, RunnerConfig};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

/// Prints a line to stdout, ignoring a closed pipe (`strata rules | head`).
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Prints a line to stderr, ignoring a closed pipe: a closed stderr must
/// not turn an exit code into a panic.
macro_rules! warn {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod tls_scan;
mod workflow;

#[derive(Parser)]
#[command(
    name = "strata",
    version,
    about = "Audit the security architecture of a mobile-app backend, layer by layer, against live endpoints."
)]
struct Cli {
    /// With no command, the desktop app opens the bundled sample with the demo lab.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Open an architecture file in the desktop app.
    Open {
        /// The architecture YAML file.
        file: PathBuf,
        /// Also start the demo lab in-process (for files that point at it).
        #[arg(long)]
        lab: bool,
        /// Run the audit as soon as the file is loaded.
        #[arg(long)]
        audit: bool,
    },
    /// Probe the endpoints of an architecture file and write reports.
    Audit {
        /// The architecture YAML file.
        file: PathBuf,
        /// Report formats, comma-separated: html, json, sarif, markdown, csv, pdf.
        #[arg(long, value_delimiter = ',', default_value = "html,json", value_parser = parse_format)]
        format: Vec<Format>,
        /// Output directory.
        #[arg(long, default_value = "strata-report")]
        out: PathBuf,
        /// Exit with 1 when the grade is below this letter (A-F).
        #[arg(long, value_parser = parse_grade)]
        fail_under: Option<char>,
        /// Use rule files from this directory instead of the built-in rules.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Do not probe: every live check is reported as unverified.
        #[arg(long)]
        offline: bool,
        /// Also save the raw evidence (for replay) to this file.
        #[arg(long)]
        save_evidence: Option<PathBuf>,
        /// Audit saved evidence instead of probing (reproduces a report).
        #[arg(long, conflicts_with = "offline")]
        replay: Option<PathBuf>,
        /// Per-probe time limit in seconds.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        /// Run active probes (bursts, enrollments) against every host, not
        /// only loopback and endpoints marked `active: true`.
        #[arg(long)]
        active: bool,
        /// Fetch the CRLs that served certificates name (traffic outside
        /// the model), for every endpoint; otherwise only where an endpoint
        /// declares `tls: { revocation: check }`.
        #[arg(long)]
        revocation: bool,
        /// Exit with 1 when a counted failing finding has this severity or
        /// above (info, low, medium, high, critical).
        #[arg(long, value_parser = crate::ci::parse_severity)]
        fail_on: Option<crate::audit::rules::Severity>,
        /// With --fail-on: count only the failing findings that are new
        /// since this earlier JSON report (see docs/ci.md).
        #[arg(long, requires = "fail_on")]
        baseline: Option<PathBuf>,
        /// Print only errors and the one-line result.
        #[arg(long, short)]
        quiet: bool,
        /// Probe only shard K of N of the endpoints and save its evidence
        /// (--save-evidence; no report): join the shards with `strata merge`.
        #[arg(
            long,
            value_parser = crate::shard::Shard::parse,
            requires = "save_evidence",
            conflicts_with_all = ["replay", "offline", "fail_under", "fail_on", "baseline"]
        )]
        shard: Option<crate::shard::Shard>,
    },
    /// Compare two JSON reports: new, fixed and changed findings, grade,
    /// rotated certificates, pins.
    Diff {
        /// The earlier JSON report.
        old: PathBuf,
        /// The later JSON report.
        new: PathBuf,
        /// Output format: text, markdown or json.
        #[arg(long, default_value = "text", value_parser = crate::report::diff::DiffFormat::parse)]
        format: crate::report::diff::DiffFormat,
        /// Write to this file instead of stdout.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Compare reports of different schema versions or systems.
        #[arg(long)]
        force: bool,
    },
    /// Join the evidence of `audit --shard K/N` runs into one report.
    Merge {
        /// The architecture YAML file the shards audited.
        file: PathBuf,
        /// The shards' evidence files (every endpoint in exactly one).
        #[arg(required = true)]
        evidence: Vec<PathBuf>,
        /// Report formats, comma-separated: html, json, sarif, markdown, csv, pdf.
        #[arg(long, value_delimiter = ',', default_value = "html,json", value_parser = parse_format)]
        format: Vec<Format>,
        /// Output directory.
        #[arg(long, short, default_value = "strata-report")]
        out: PathBuf,
        /// Use rule files from this directory instead of the built-in rules.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also save the merged evidence to this file.
        #[arg(long)]
        save_evidence: Option<PathBuf>,
        /// Exit with 1 when the grade is below this letter (A-F).
        #[arg(long, value_parser = parse_grade)]
        fail_under: Option<char>,
        /// Exit with 1 when a counted failing finding has this severity or above.
        #[arg(long, value_parser = crate::ci::parse_severity)]
        fail_on: Option<crate::audit::rules::Severity>,
        /// With --fail-on: count only failing findings new since this JSON report.
        #[arg(long, requires = "fail_on")]
        baseline: Option<PathBuf>,
        /// Print only errors and the one-line result.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the demo lab in the foreground until Ctrl-C.
    Lab {
        /// First port (scenarios use consecutive ports); 0 picks free ports.
        #[arg(long, default_value_t = crate::lab::DEFAULT_BASE_PORT)]
        base_port: u16,
        /// Also write the manifest (JSON) to this file.
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
    /// Start the lab in-process, audit the bundled sample, write reports.
    Demo {
        /// Output directory.
        #[arg(long, default_value = "strata-demo")]
        out: PathBuf,
        /// The sample to audit.
        #[arg(long, default_value = "sample-projects/acme-pay/architecture.yaml")]
        sample: PathBuf,
    },
    /// Print the SPKI pins of the chain a live server presents.
    Pins {
        /// HOST:PORT.
        target: String,
        /// Server name for SNI and verification (defaults to HOST).
        #[arg(long)]
        server_name: Option<String>,
    },
    /// List the rules.
    Rules {
        /// Use rule files from this directory instead of the built-in rules.
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Enumerate the cipher suites, groups, DHE size and SSL 2.0 of bare
    /// TLS endpoints (no architecture file).
    TlsScan {
        /// HOST:PORT targets.
        #[arg(required = true)]
        targets: Vec<String>,
        /// Write each endpoint's `tls_suites` facts to this JSON file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Endpoints scanned at once (connections to one endpoint are
        /// always one at a time).
        #[arg(long, default_value_t = 8)]
        parallel: usize,
        /// Limit of one connection, in seconds.
        #[arg(long, default_value_t = 8)]
        timeout: u64,
    },
    /// Check an architecture file without probing.
    Validate {
        /// The architecture YAML file.
        file: PathBuf,
    },
    /// Show what a built app (an Android .apk or iOS .ipa) declares:
    /// package, SDK levels, flags, signing certificates, the network
    /// security config or Info.plist.
    Inspect {
        /// The .apk or .ipa file.
        file: PathBuf,
        /// Print the decoded build as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn parse_format(s: &str) -> Result<Format, String> {
    crate::report::exporters::by_name(s).map_err(|e| e.to_string())
}

fn parse_grade(s: &str) -> Result<char, String> {
    let c = s.trim().to_ascii_uppercase();
    match c.as_str() {
        "A" | "B" | "C" | "D" | "E" | "F" => Ok(c.chars().next().unwrap_or('F')),
        _ => Err(format!("`{s}` is not a grade A-F")),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start runtime: {e}"))
}

fn load_rules(dir: Option<&Path>) -> Result<Ruleset, String> {
    match dir {
        Some(d) => Ruleset::from_dir(d),
        None => Ruleset::builtin(),
    }
    .map_err(|e| e.to_string())
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            warn!("strata: {e}");
            ExitCode::from(2)
        }
    }
}

/// The bundled sample, found from the working directory or the source tree.
fn bundled_sample() -> PathBuf {
    let rel = Path::new("sample-projects/acme-pay/architecture.yaml");
    if rel.exists() {
        rel.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let Some(command) = cli.command else {
        let options = crate::gui::LaunchOptions {
            file: Some(bundled_sample()),
            start_lab: true,
            auto_audit: true,
        };
        crate::gui::run(options)?;
        return Ok(ExitCode::SUCCESS);
    };
    match command {
        Command::Inspect { file, json } => {
            let text = crate::appbuild::inspect::inspect(&file, json).map_err(|e| e.to_string())?;
            let kind = match crate::appbuild::detect(&file).map_err(|e| e.to_string())? {
                crate::appbuild::AppKind::Apk => crate::model::app_config::ImportKind::Apk,
                crate::appbuild::AppKind::Ipa => crate::model::app_config::ImportKind::Ipa,
            };
            let verdicts = crate::audit::judge_app::judge(&file, kind)?;
            if json {
                let mut v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "judgement".into(),
                        serde_json::to_value(&verdicts).map_err(|e| e.to_string())?,
                    );
                }
                say!("{}", serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?);
            } else {
                say!("{}", text.trim_end());
                say!("");
                say!(
                    "How Strata judges it (offline; pins against the live chain and the model's hosts are checked by `strata audit`):"
                );
                for v in &verdicts {
                    say!(
                        "  {:<5} {:<8} {}: {}",
                        v.status.to_uppercase(),
                        v.severity,
                        v.rule,
                        v.message
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Open { file, lab, audit } => {
            crate::gui::run(crate::gui::LaunchOptions {
                file: Some(file),
                start_lab: lab,
                auto_audit: audit,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            file,
            format,
            out,
            fail_under,
            rules,
            offline,
            save_evidence,
            replay,
            timeout,
            active,
            revocation,
            fail_on,
            baseline,
            quiet,
            shard,
        } => {
            let rules = load_rules(rules.as_deref())?;
            let model = model::load(&file).map_err(|e| e.to_string())?;
            // Read before probing (and before the new reports may replace it).
            let gates = workflow::gates(fail_under, fail_on, baseline.as_deref())?;
            let probed = match shard {
                Some(s) => s.restrict(&model),
                None => model.clone(),
            };
            let outcome = if let Some(path) = replay {
                let evidence = workflow::read_evidence(&path)?;
                pipeline::audit_with(&model, &rules, evidence)
            } else if offline {
                let evidence = crate::evidence::Evidence {
                    observed_at: time::OffsetDateTime::now_utc().unix_timestamp(),
                    ..Default::default()
                };
                pipeline::audit_with(&model, &rules, evidence)
            } else {
                let config = RunnerConfig {
                    probe_timeout: std::time::Duration::from_secs(timeout.max(1)),
                    allow_active: active,
                    revocation,
                    ..RunnerConfig::default()
                };
                runtime()?.block_on(probe_with_progress(&probed, &rules, &config, !quiet))
            };
            if outcome.evidence.cancelled {
                let unfinished = outcome
                    .evidence
                    .endpoints
                    .values()
                    .flat_map(|e| {
                        [e.tls.failure(), e.http.failure()]
                            .into_iter()
                            .chain(e.layers.values().map(|o| o.failure()))
                    })
                    .flatten()
                    .filter(|f| f.stage == "cancelled")
                    .count();
                warn!(
                    "strata: interrupted: probing stopped ({unfinished} probe outcomes cancelled); no report or evidence written"
                );
                return Ok(ExitCode::from(130));
            }
            if let Some(s) = shard {
                return Ok(workflow::save_shard(
                    s,
                    &probed,
                    &outcome,
                    save_evidence.as_deref(),
                    quiet,
                ));
            }
            Ok(workflow::conclude(
                &outcome,
                &workflow::Finish {
                    file: &file,
                    model: &model,
                    formats: &format,
                    out: &out,
                    save_evidence: save_evidence.as_deref(),
                    gates: &gates,
                    quiet,
                },
            ))
        }
        Command::Diff {
            old,
            new,
            format,
            out,
            force,
        } => workflow::diff(&old, &new, format, out.as_deref(), force),
        Command::Merge {
            file,
            evidence,
            format,
            out,
            rules,
            save_evidence,
            fail_under,
            fail_on,
            baseline,
            quiet,
        } => {
            let rules = load_rules(rules.as_deref())?;
            let model = model::load(&file).map_err(|e| e.to_string())?;
            let gates = workflow::gates(fail_under, fail_on, baseline.as_deref())?;
            let merged = workflow::merge_evidence(&model, &evidence)?;
            let outcome = pipeline::audit_with(&model, &rules, merged);
            Ok(workflow::conclude(
                &outcome,
                &workflow::Finish {
                    file: &file,
                    model: &model,
                    formats: &format,
                    out: &out,
                    save_evidence: save_evidence.as_deref(),
                    gates: &gates,
                    quiet,
                },
            ))
        }
        Command::Lab { base_port, manifest } => {
            let rt = runtime()?;
            rt.block_on(async {
                let config = LabConfig {
                    base_port,
                    ..LabConfig::default()
                };
                let lab = Lab::start(&config).await?;
                let text = serde_json::to_string_pretty(&lab.manifest).map_err(|e| e.to_string())?;
                if let Some(path) = &manifest {
                    std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                }
                for s in &lab.manifest.servers {
                    say!("{:<17} {:<28} {}", s.name, s.url, s.description);
                }
                say!(
                    "service pin {}  backup pin {}",
                    lab.manifest.service_pin,
                    lab.manifest.backup_pin
                );
                say!(
                    "strata lab ready: {} servers on {}; Ctrl-C stops",
                    lab.manifest.servers.len(),
                    config.host
                );
                tokio::signal::ctrl_c()
                    .await
                    .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
                lab.stop().await;
                say!("strata lab stopped");
                Ok::<_, String>(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { out, sample } => {
            let rules = load_rules(None)?;
            // Run from anywhere: fall back to the sample in the source tree.
            let sample = if sample.exists() || sample.is_absolute() {
                sample
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(&sample)
            };
            let rt = runtime()?;
            let outcome = rt.block_on(async {
                let lab = Lab::start(&LabConfig {
                    base_port: 0,
                    ..LabConfig::default()
                })
                .await?;
                let text = crate::fsread::read_text(&sample, model::load::MAX_FILE_BYTES, "architecture file")
                    .map_err(|e| e.to_string())?;
                let model = model::load_str(&lab.manifest.rebase(&text), &sample).map_err(|e| e.to_string())?;
                warn!(
                    "demo lab started ({} servers on free loopback ports); auditing {}",
                    lab.manifest.servers.len(),
                    sample.display()
                );
                let outcome = probe_with_progress(&model, &rules, &RunnerConfig::default(), true).await;
                lab.stop().await;
                Ok::<_, String>((outcome, pipeline::report_stem(&sample, model.name())))
            })?;
            let (outcome, stem) = outcome;
            if outcome.evidence.cancelled {
                warn!("strata: interrupted: probing stopped; no report written");
                return Ok(ExitCode::from(130));
            }
            let written = pipeline::write_reports(
                &outcome.report,
                crate::report::exporters::exporters(),
                &out,
                &stem,
                &sample,
            )
            .map_err(|e| e.to_string())?;
            print_summary(&outcome.report);
            for p in &written {
                say!("wrote {}", p.display());
            }
            if report_tool_errors(&outcome.report) {
                return Ok(ExitCode::from(2));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Pins { target, server_name } => {
            let (host, port) = target
                .rsplit_once(':')
                .and_then(|(h, p)| {
                    p.parse::<u16>()
                        .ok()
                        .map(|p| (h.trim_matches(['[', ']']).to_string(), p))
                })
                .ok_or_else(|| format!("`{target}` is not HOST:PORT"))?;
            let t = EndpointTarget {
                id: "pins".into(),
                component: String::new(),
                url: format!("https://{target}/"),
                scheme: Scheme::Https,
                server_name: server_name.unwrap_or_else(|| host.clone()),
                host,
                port,
                path: "/".into(),
                ca_file: None,
                base_dir: PathBuf::from("."),
                protected_routes: Vec::new(),
                internal: false,
            };
            let rt = runtime()?;
            let cx = crate::probe::ProbeContext::new(
                time::OffsetDateTime::now_utc().unix_timestamp(),
                std::time::Duration::from_secs(5),
                std::time::Duration::from_secs(8),
            );
            let (_, tls) = rt
                .block_on(crate::probe::tls::handshake(&t, &cx, &[]))
                .map_err(|f| f.to_string())?;
            say!(
                "{} ({}, {}), SNI {}",
                tls.address,
                tls.version,
                tls.cipher_suite,
                tls.server_name
            );
            for (i, c) in tls.chain.iter().enumerate() {
                say!("#{i} sha256/{}  {}", c.spki_sha256, c.subject);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::TlsScan {
            targets,
            json,
            parallel,
            timeout,
        } => tls_scan::run(tls_scan::TlsScan {
            targets,
            json,
            parallel,
            timeout,
        }),
        Command::Rules { rules } => {
            let rules = load_rules(rules.as_deref())?;
            for r in &rules.rules {
                say!(
                    "{:<32} {:<17} {:<9} {}",
                    r.id,
                    r.layer.name(),
                    r.severity.name(),
                    r.title
                );
            }
            say!("{} rules", rules.rules.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { file } => {
            let m = model::load(&file).map_err(|e| e.to_string())?;
            say!(
                "{}: valid ({} clients, {} components, {} endpoints, {} flows, {} pin sets)",
                file.display(),
                m.arch.clients.len(),
                m.arch.components.len(),
                m.endpoints.len(),
                m.arch.flows.len(),
                m.pin_sets.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Probes with a progress line per probe on a terminal's stderr (when
/// `progress`), stopping at SIGINT/SIGTERM.
async fn probe_with_progress(
    model: &model::Model,
    rules: &Ruleset,
    config: &RunnerConfig,
    progress: bool,
) -> pipeline::Outcome {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    // Registered before probing starts, so an early signal is never lost.
    let interrupted = interrupt_signals();
    let watcher = tokio::spawn(async move {
        interrupted.await;
        warn!("strata: interrupted, stopping the probes…");
        on_signal.cancel();
    });
    let tty = progress && std::io::stderr().is_terminal();
    let printer = tokio::spawn(async move {
        let (mut done, mut total) = (0, 0);
        while let Some(ev) = rx.recv().await {
            match ev {
                ProgressEvent::Planned { total: t } => total = t,
                ProgressEvent::Started { .. } => {}
                ProgressEvent::Finished { probe, ok, summary } => {
                    done += 1;
                    if tty {
                        warn!(
                            "[{done}/{total}] {probe:<28} {} {summary}",
                            if ok { "ok   " } else { "ERROR" }
                        );
                    }
                }
            }
        }
    });
    let outcome = pipeline::probe_and_audit(model, rules, config, cancel, Some(tx)).await;
    let _ = printer.await;
    watcher.abort();
    outcome
}

/// Resolves on the first SIGINT or SIGTERM. The handlers are registered
/// when this is called, not when it is first polled.
fn interrupt_signals() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let int = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (int, term) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                // Without handlers the default action (exit) applies.
                _ => std::future::pending::<()>().await,
            }
        }
    }
    #[cfg(not(unix))]
    {
        async move {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Prints the one-line result, and the caps unless `quiet`.
fn print_summary(r: &crate::report::Report) {
    print_result(r, false);
}

fn print_result(r: &crate::report::Report, quiet: bool) {
    use crate::audit::Status;
    let count = |s: Status| r.findings.iter().filter(|f| f.status == s).count();
    say!(
        "{}: grade {} (score {}/100) — {} failed, {} errors, {} unverified, {} passed",
        r.system.name,
        r.score.grade,
        r.score.overall,
        count(Status::Fail),
        count(Status::Error),
        count(Status::Unverified),
        count(Status::Pass)
    );
    if quiet {
        return;
    }
    for c in &r.score.caps {
        say!("  cap: {c}");
    }
}

/// Prints one stderr line per rule that could not be evaluated; true when
/// there was any (the audit then exits with 2: its grade covers less than
/// the rules claim).
fn report_tool_errors(r: &crate::report::Report) -> bool {
    for t in &r.tool_errors {
        warn!(
            "strata: tool error: rule `{}` on {} ({}): `{}` {}",
            t.rule, t.subject, t.origin, t.expression, t.message
        );
    }
    if !r.tool_errors.is_empty() {
        warn!(
            "strata: {} rule evaluation(s) failed: not findings and not scored; the reports list them under tool errors",
            r.tool_errors.len()
        );
    }
    !r.tool_errors.is_empty()
}
