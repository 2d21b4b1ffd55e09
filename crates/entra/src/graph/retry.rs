//! When to try a Graph call again, and how long to wait: `Retry-After` when Graph gives it,
//! otherwise exponential back-off with jitter; and pacing when Graph says the app is close to
//! its limit (`x-ms-throttle-limit-percentage`).

use reqwest::header::HeaderMap;
use std::time::Duration;

/// Statuses worth another try: throttled (429) and the transient 503 and 504.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 503 | 504)
}

/// `Retry-After` in seconds (the form Graph uses), capped at `cap`.
pub fn retry_after(headers: &HeaderMap, cap: Duration) -> Option<Duration> {
    let text = headers.get("retry-after")?.to_str().ok()?.trim();
    let secs: f64 = text.parse().ok()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(secs).min(cap))
}

/// Back-off before attempt `attempt + 1` (1-based `attempt`): `base · 2^(attempt−1)`, at most
/// `max`, scaled by a random factor in [0.5, 1.0) so concurrent readers do not retry in step.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(max);
    let jitter: f64 = 0.5 + rand::random::<f64>() * 0.5;
    capped.mul_f64(jitter)
}

/// The pause before the next request when Graph reports the share of its limit the app has used
/// (`x-ms-throttle-limit-percentage`, sent from 0.8 upwards): nothing below 0.8, then growing
/// from a tenth of `base` at 0.8 to four times `base` at 1.6 and beyond.
pub fn pacing(headers: &HeaderMap, base: Duration) -> Option<Duration> {
    let used: f64 = headers
        .get("x-ms-throttle-limit-percentage")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    if !used.is_finite() || used < 0.8 {
        return None;
    }
    Some(base.mul_f64(((used - 0.8) * 5.0).clamp(0.1, 4.0)))
}

/// The resource units Graph charged for a request (`x-ms-resource-unit`; 1 when absent).
pub fn resource_units(headers: &HeaderMap) -> u64 {
    headers
        .get("x-ms-resource-unit")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_stays_under_the_cap_and_jitters() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        for attempt in 1..20 {
            let d = backoff(attempt, base, max);
            let full = base.saturating_mul(1 << (attempt - 1).min(16)).min(max);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn graph_headers_are_read() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h, Duration::from_secs(60)), None);
        assert_eq!(resource_units(&h), 1);
        assert_eq!(pacing(&h, Duration::from_secs(1)), None);
        h.insert("retry-after", HeaderValue::from_static("7"));
        h.insert("x-ms-resource-unit", HeaderValue::from_static("3"));
        h.insert(
            "x-ms-throttle-limit-percentage",
            HeaderValue::from_static("1.0"),
        );
        assert_eq!(
            retry_after(&h, Duration::from_secs(60)),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&h, Duration::from_secs(5)),
            Some(Duration::from_secs(5))
        );
        assert_eq!(resource_units(&h), 3);
        assert_eq!(
            pacing(&h, Duration::from_secs(1)),
            Some(Duration::from_secs(1))
        );
        h.insert(
            "x-ms-throttle-limit-percentage",
            HeaderValue::from_static("0.5"),
        );
        assert_eq!(pacing(&h, Duration::from_secs(1)), None);
    }
}
