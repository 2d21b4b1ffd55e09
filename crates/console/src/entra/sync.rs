//! Test the sign-in, plan from a fresh Graph read, apply a plan, or both in one go.
//!
//! A plan reads the directory (failing closed), builds the payload in the chosen way and in the
//! other way too (to say what it would have done differently), and plans it through the
//! organization-import path, so the apply is the org import's: stale-plan refusal, deletion
//! threshold, journal, resume. Recommended plans carry OU settings over; parity plans do not,
//! as the server's own sync does not.

use super::history::RunRecord;
use crate::error::{ConsoleError, ConsoleResult};
use crate::imports::{OrgApplyReport, OrgPlanDocument};
use crate::operation::{OperationKind, Progress};
use crate::{Entra, Observer, Target};
use cloo_domain::org::import_file::Validated;
use cloo_domain::org::import_file::validate_import_value;
use cloo_domain::org::import_plan::PlanOptions;
use cloo_entra::build::compare::{ModeDifferences, compare, summarize};
use cloo_entra::build::{Accounts, BuildCounts, BuildMode, BuildOptions, Built, build, summary_of};
use cloo_entra::delta::{DeltaState, DeltaSummary, read_changes};
use cloo_entra::graph::{GraphClient, ReadSettings, ReadStats};
use cloo_entra::model::Directory;
use cloo_entra::{DeviceCodePrompt, Endpoints, TokenSource};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Entra plans a tenant keeps (each holds a whole tree; a scheduled sync stores one per run).
/// Older ones go, except a plan whose apply may still be resumed.
pub const PLANS_KEPT: u32 = 10;

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct EntraPlanRequest {
    /// Which way to build.
    pub mode: BuildMode,
    /// Options for this run (default: the profile's).
    pub options: Option<BuildOptions>,
    /// Member reads in parallel (default: [`ReadSettings`]'s).
    pub concurrency: Option<usize>,
    /// An unattended run: Graph is asked to treat it as low priority.
    pub unattended: bool,
    /// Read everything, ignoring the delta links kept from the last run.
    pub full: bool,
}

/// A plan from Entra: the organization plan, how it was built, and what the other way differs.
#[derive(Debug, Clone, Serialize)]
pub struct EntraPlan {
    /// The stored organization plan (apply it by `document.id`).
    pub document: OrgPlanDocument,
    /// `parity` or `recommended`.
    pub mode: String,
    /// The build's figures.
    pub counts: BuildCounts,
    /// What the other way would have done differently.
    pub other_way: ModeDifferences,
    /// Things worth knowing about the directory.
    pub warnings: Vec<String>,
    /// The Graph read's figures.
    pub graph: ReadStats,
    /// The sign-in method.
    pub method: String,
    /// Token requests (sign-ins and renewals).
    pub token_requests: u32,
    /// Whether the read was full or incremental, and what changed.
    pub read: DeltaSummary,
    /// Milliseconds spent in each phase (`read`, `keep`, `users`, `build` — the deployment's
    /// organization is read meanwhile —, `plan`), for the curious.
    pub timings: BTreeMap<String, u64>,
    /// The plan as a review tree (what the desktop shows).
    #[serde(skip)]
    pub review: crate::imports::OrgImportReview,
}

/// A sign-in test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct EntraTestReport {
    /// The Entra tenant id.
    pub tenant_id: String,
    /// Its name.
    pub display_name: Option<String>,
    /// Its verified domains.
    pub domains: Vec<String>,
    /// The sign-in method used.
    pub method: String,
}

/// The read's progress. Member lists are most of a full read's requests and are known once the
/// groups and units are listed: from then on the step counts them, and the time left is the
/// time so far scaled by the lists still to read.
fn progress(stats: &ReadStats, elapsed: std::time::Duration) -> Progress {
    let mut counters = BTreeMap::new();
    counters.insert("requests".to_owned(), stats.requests);
    counters.insert("pages".to_owned(), stats.pages);
    counters.insert("objects".to_owned(), stats.objects);
    counters.insert("throttled".to_owned(), stats.throttled);
    counters.insert("retried".to_owned(), stats.retried);
    if stats.member_lists == 0 {
        return Progress {
            operation: OperationKind::OrgImport,
            step: "reading_graph".into(),
            done: stats.pages,
            total: 0,
            counters,
        };
    }
    let (done, total) = (stats.member_lists_read, stats.member_lists);
    if done > 0 && done < total {
        let left = elapsed.as_secs_f64() * (total - done) as f64 / done as f64;
        counters.insert("seconds_left".to_owned(), left.ceil() as u64);
    }
    Progress {
        operation: OperationKind::OrgImport,
        step: "reading_members".into(),
        done,
        total,
        counters,
    }
}

/// Builds the payload both ways on two threads: the other way only as the summary a comparison
/// reads (its member lists reduced to digests unit by unit, never a whole tree), while the
/// chosen one is summarized and checked as an import file (moved into it, not copied); then the
/// two summaries are compared. The CPU-heavy middle of a plan, nearly halved on two cores, with
/// one whole tree alive at a time.
/// Returns the chosen build with its payload emptied: only the import file goes on.
fn build_both(
    directory: &Directory,
    mode: BuildMode,
    options: &BuildOptions,
    accounts: &Accounts,
) -> ConsoleResult<(Built, ModeDifferences, Validated)> {
    let (chosen, here, validated, theirs) = std::thread::scope(|s| {
        let other = s.spawn(|| summary_of(directory, mode.other(), options, accounts));
        let mut chosen = build(directory, mode, options, accounts);
        let here = summarize(&chosen.payload);
        let validated = validate_import_value(std::mem::take(&mut chosen.payload));
        other
            .join()
            .map(|theirs| (chosen, here, validated, theirs))
            .map_err(|_| {
                ConsoleError::Internal("building the payload: the other way's build failed".into())
            })
    })?;
    let other_way = compare(&here, &theirs, mode.other().as_str());
    Ok((chosen, other_way, validated))
}

impl Entra<'_> {
    async fn graph_client(
        &self,
        target: &Target,
        observer: &Observer,
        prompt: Option<DeviceCodePrompt>,
        settings: ReadSettings,
    ) -> ConsoleResult<(Arc<GraphClient>, Arc<TokenSource>, BuildOptions)> {
        let (key, row) = self.c.entra_row(target).await?;
        let credential = self.c.entra_credential(&key, &row).await?;
        let endpoints = Endpoints::new(&row.authority, &row.graph_url)?;
        let http = super::profile::reqwest_client()?;
        let mut tokens = TokenSource::new(
            http.clone(),
            endpoints,
            &row.entra_tenant,
            &row.client_id,
            credential,
        )?
        .with_cancel(observer.cancel_token());
        if let Some(prompt) = prompt {
            tokens = tokens.with_prompt(prompt);
        }
        let tokens = Arc::new(tokens);
        let watcher = observer.clone();
        let started = std::time::Instant::now();
        let graph = GraphClient::new(http, tokens.clone(), settings)
            .with_cancel(observer.cancel_token())
            .with_progress(Arc::new(move |s: &ReadStats| {
                watcher.report_progress(&progress(s, started.elapsed()))
            }));
        let options = serde_json::from_str(&row.options).unwrap_or_default();
        Ok((Arc::new(graph), tokens, options))
    }

    /// Signs in to Microsoft and reads `/organization`.
    pub async fn test(
        &self,
        target: &Target,
        observer: &Observer,
        prompt: Option<DeviceCodePrompt>,
    ) -> ConsoleResult<EntraTestReport> {
        let (graph, tokens, _) = self
            .graph_client(target, observer, prompt, ReadSettings::default())
            .await?;
        let orgs: Vec<cloo_entra::model::Organization> = graph
            .all_pages("GET /organization", &graph.url("/organization"))
            .await?;
        let org = orgs.into_iter().next().ok_or_else(|| {
            ConsoleError::from(cloo_entra::EntraError::BadAnswer {
                call: "GET /organization".into(),
                cause: "no organization in the answer".into(),
            })
        })?;
        Ok(EntraTestReport {
            tenant_id: org.id,
            display_name: org.display_name,
            domains: org
                .verified_domains
                .into_iter()
                .filter_map(|d| d.name)
                .collect(),
            method: tokens.method().to_owned(),
        })
    }

    /// Reads the directory and plans the organization import; the plan is stored and recorded
    /// in the history. Nothing is written to the deployment.
    pub async fn plan(
        &self,
        target: &Target,
        request: &EntraPlanRequest,
        observer: &Observer,
        prompt: Option<DeviceCodePrompt>,
    ) -> ConsoleResult<EntraPlan> {
        let started = std::time::Instant::now();
        let started_at = crate::now_ms();
        let method = self
            .c
            .entra_row(target)
            .await
            .map(|(_, r)| r.method)
            .unwrap_or_default();
        let result = self.plan_inner(target, request, observer, prompt).await;
        let figures = match &result {
            Ok(p) => {
                json!({"graph": p.graph, "counts": p.counts, "read": p.read, "creates": p.document.plan.create.len(),
                "updates": p.document.plan.update.len(), "moves": p.document.plan.moves.len(),
                "deletes": p.document.plan.delete.len()})
            }
            Err(_) => json!({}),
        };
        let success = match &result {
            Ok(p) if !p.document.plan.has_changes() => "no_changes",
            _ => "planned",
        };
        let record = RunRecord {
            action: "plan",
            method: &method,
            mode: request.mode.as_str(),
            plan_id: result.as_ref().ok().map(|p| p.document.id.clone()),
            figures,
        };
        self.c
            .record_entra_run(target, started, started_at, record, &result, success)
            .await;
        if result.is_ok()
            && let Ok(key) = self.c.target_key(target).await
        {
            self.c.prune_org_plans(&key, "entra:", PLANS_KEPT).await;
        }
        result
    }

    async fn plan_inner(
        &self,
        target: &Target,
        request: &EntraPlanRequest,
        observer: &Observer,
        prompt: Option<DeviceCodePrompt>,
    ) -> ConsoleResult<EntraPlan> {
        let mut settings = ReadSettings {
            low_priority: request.unattended,
            ..ReadSettings::default()
        };
        if let Some(n) = request.concurrency {
            settings.concurrency = n.clamp(1, 64);
        }
        let (graph, tokens, profile_options) = self
            .graph_client(target, observer, prompt, settings)
            .await?;
        let options = request.options.clone().unwrap_or(profile_options);
        let mut timings = BTreeMap::new();
        let mut phase = std::time::Instant::now();
        let mut lap = |name: &str, timings: &mut BTreeMap<String, u64>| {
            timings.insert(name.to_owned(), phase.elapsed().as_millis() as u64);
            phase = std::time::Instant::now();
        };
        // Read what both ways need, so the plan can say what the other way would do: only the
        // changes since the last run when its delta links still work.
        let key = self.c.target_key(target).await?;
        let previous = match request.full {
            true => None,
            false => self
                .c
                .store
                .entra_state(&key)
                .await?
                .and_then(|(_, text)| serde_json::from_str::<DeltaState>(&text).ok()),
        };
        let read = read_changes(
            &graph,
            &options.read_options(BuildMode::Recommended),
            previous,
            request.full,
        )
        .await?;
        lap("read", &mut timings);
        let kept = serde_json::to_string(&read.state)
            .map_err(|e| ConsoleError::Internal(e.to_string()))?;
        self.c
            .store
            .save_entra_state(&key, crate::now(), &kept)
            .await?;
        drop(kept);
        lap("keep", &mut timings);
        let snapshot = self.c.snapshot(target, false).await?;
        lap("users", &mut timings);
        let accounts = Accounts::new(
            snapshot
                .directory
                .users()
                .iter()
                .filter_map(|u| Some((u.oauth_oid.as_deref()?, u.oauth_sub.as_deref()?))),
        );
        let org_tenant_id = read
            .directory()
            .organization
            .as_ref()
            .map(|o| o.id.clone())
            .unwrap_or_default();
        let name = format!("entra:{org_tenant_id} ({})", request.mode.as_str());
        // The deployment's organization is read while the payload is built on other threads: a
        // server takes a while to answer for a large tree, and the build does not need it. The
        // directory goes with the build and is let go with it.
        let (summary, state) = (read.summary, read.state);
        let (mode, build_options) = (request.mode, options.clone());
        let building = tokio::task::spawn_blocking(move || {
            build_both(&state.directory, mode, &build_options, &accounts)
        });
        let (deployment, built) = tokio::join!(self.c.org_state(target, &org_tenant_id), building);
        let (chosen, other_way, validated) = built
            .map_err(|e| ConsoleError::Internal(format!("building the payload failed: {e}")))??;
        if let Some(p) = validated.errors().next() {
            return Err(ConsoleError::Internal(format!(
                "the payload built from Entra does not validate at {}: {}",
                p.path, p.message
            )));
        }
        let file = validated.file.ok_or_else(|| {
            ConsoleError::Internal("the payload built from Entra is empty".into())
        })?;
        let deployment = deployment?;
        lap("build", &mut timings);
        let (counts, warnings) = (chosen.counts, chosen.warnings);
        let plan_options = PlanOptions {
            carry_over_settings: request.mode == BuildMode::Recommended,
        };
        let problems = validated.problems;
        let (document, review) = self
            .c
            .plan_org_file(
                target,
                &name,
                file,
                plan_options,
                crate::imports::PlanBasis::Read(Box::new(deployment)),
                |document, file| crate::imports::review_of(document, file, &name, problems),
            )
            .await?;
        lap("plan", &mut timings);
        Ok(EntraPlan {
            document,
            mode: request.mode.as_str().to_owned(),
            counts,
            other_way,
            warnings,
            graph: graph.stats(),
            method: tokens.method().to_owned(),
            token_requests: tokens.token_requests(),
            read: summary,
            timings,
            review,
        })
    }

    /// Applies a stored Entra plan through the organization-import apply, and records it.
    pub async fn apply(
        &self,
        target: &Target,
        plan_id: &str,
        allow_deletes: Option<usize>,
        path: crate::imports::ApplyPath,
        observer: &Observer,
    ) -> ConsoleResult<OrgApplyReport> {
        let started = std::time::Instant::now();
        let started_at = crate::now_ms();
        let document = self.c.imports().get_org_plan(plan_id).await;
        let load_ms = started.elapsed().as_millis() as u64;
        // The mode the plan run recorded; a plan made elsewhere (read from a file) has none
        // here, and its title, "entra:TENANT (MODE)", says it.
        let recorded = self.c.store.entra_plan_mode(plan_id).await.ok().flatten();
        let mode = recorded
            .or_else(|| {
                let title = &document.as_ref().ok()?.file_name;
                let (_, mode) = title.rsplit_once(" (")?;
                Some(mode.strip_suffix(')')?.to_owned())
            })
            .unwrap_or_default();
        let method = self
            .c
            .entra_row(target)
            .await
            .map(|(_, r)| r.method)
            .unwrap_or_default();
        // The document read above is the one applied: a plan is read from the store once.
        let result = match document {
            Ok(document) => self
                .c
                .imports()
                .apply_org_plan(target, &document, allow_deletes, path, observer)
                .await
                .map(|mut report| {
                    report.timings.insert("load".into(), load_ms);
                    report
                }),
            Err(e) => Err(e),
        };
        let figures = match &result {
            Ok(r) => {
                json!({"counters": r.counters, "fixups_done": r.fixups_done, "differences": r.differences.len(), "resumed": r.resumed, "path": r.path, "write_requests": r.write_requests})
            }
            Err(_) => json!({}),
        };
        let record = RunRecord {
            action: "apply",
            method: &method,
            mode: &mode,
            plan_id: Some(plan_id.to_owned()),
            figures,
        };
        self.c
            .record_entra_run(target, started, started_at, record, &result, "applied")
            .await;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_time_left_scales_the_time_so_far_by_the_member_lists_still_to_read() {
        let listing = ReadStats {
            pages: 3,
            ..ReadStats::default()
        };
        let early = progress(&listing, Duration::from_secs(2));
        assert_eq!(
            (early.step.as_str(), early.done, early.total),
            ("reading_graph", 3, 0)
        );
        assert!(!early.counters.contains_key("seconds_left"));

        let members = ReadStats {
            member_lists: 400,
            member_lists_read: 100,
            ..ReadStats::default()
        };
        let later = progress(&members, Duration::from_secs(6));
        assert_eq!((later.done, later.total), (100, 400));
        assert_eq!(later.counters.get("seconds_left"), Some(&18));

        let finished = ReadStats {
            member_lists_read: 400,
            ..members
        };
        assert!(
            !progress(&finished, Duration::from_secs(24))
                .counters
                .contains_key("seconds_left")
        );
    }
}
