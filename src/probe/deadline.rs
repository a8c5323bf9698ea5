//! The running probe's deadline, so each stage of a probe can stop in time
//! to report what it already observed.
//!
//! The runner sets the deadline when a probe really starts (after it got its
//! permits) for the task that runs it. A stage asks [`limit`] for its time:
//! the stage's own limit, shortened to what is left before the deadline, so a
//! probe whose handshake succeeded but whose HTTP answer never comes records
//! the handshake and "no HTTP response within …" rather than being cut off
//! as a whole by the runner.

use std::time::Duration;
use tokio::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// Time kept back before the deadline, so a stage's own timeout (with its
/// precise reason) fires before the runner's overall one.
const MARGIN: Duration = Duration::from_millis(150);

/// Runs `work` with `deadline` visible to [`limit`] inside it.
pub async fn scope<F: std::future::Future>(deadline: Instant, work: F) -> F::Output {
    DEADLINE.scope(deadline, work).await
}

/// `stage` shortened to the time left before the current probe's deadline
/// (less a small margin). Outside a probe task: `stage` unchanged.
pub fn limit(stage: Duration) -> Duration {
    DEADLINE
        .try_with(|d| {
            d.saturating_duration_since(Instant::now())
                .saturating_sub(MARGIN)
                .min(stage)
        })
        .unwrap_or(stage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stage_never_outlives_the_deadline() {
        let ten = Duration::from_secs(10);
        assert_eq!(limit(ten), ten, "no deadline outside a probe");
        let inside = scope(Instant::now() + Duration::from_secs(2), async { limit(ten) }).await;
        assert!(inside <= Duration::from_secs(2) - MARGIN, "{inside:?}");
        assert!(inside > Duration::from_secs(1), "{inside:?}");
        let short = scope(Instant::now() + Duration::from_secs(60), async {
            limit(Duration::from_secs(3))
        })
        .await;
        assert_eq!(
            short,
            Duration::from_secs(3),
            "the stage's own limit when it is shorter"
        );
        let past = scope(Instant::now(), async { limit(ten) }).await;
        assert_eq!(past, Duration::ZERO);
    }
}
