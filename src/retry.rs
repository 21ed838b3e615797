//! Bounded retries of read-only calls, shared by the SOAP and the REST clients.
//!
//! Each layer says which of its errors are transient (no answer, a connection lost mid-answer,
//! a timeout, HTTP 502/503/504); [`retrying`] sends the call again after a [`backoff`] pause, up
//! to the `--retries` tries, and says so at `-v`.

use std::fmt::Display;
use std::time::Duration;

/// The pause before try `attempt + 1`: exponential from 250 ms, at most 8 s, with up to 50 %
/// random jitter so that many runs against one busy vCenter do not retry in step.
pub fn backoff(attempt: u32) -> Duration {
    let base = 250u64
        .saturating_mul(1 << attempt.saturating_sub(1).min(5))
        .min(8_000);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = base / 2 * u64::from(nanos % 1000) / 1000;
    Duration::from_millis(base + jitter)
}

/// Runs `op` up to `tries` times (at least once) while it fails with an error `is_transient`
/// accepts, pausing [`backoff`] between tries; `what` names the call in the `-v` log line
/// (`host: what failed (reason); try 2 of 4 in 300 ms`).
pub async fn retrying<T, E: Display>(
    tries: u32,
    host: &str,
    what: &str,
    is_transient: impl Fn(&E) -> bool,
    mut op: impl AsyncFnMut() -> Result<T, E>,
) -> Result<T, E> {
    let tries = tries.max(1);
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if is_transient(&e) && attempt < tries => {
                let pause = backoff(attempt);
                log::info!(
                    "{host}: {what} failed ({e}); try {} of {tries} in {} ms",
                    attempt + 1,
                    pause.as_millis()
                );
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert!(
            backoff(1) >= Duration::from_millis(250) && backoff(1) < Duration::from_millis(400)
        );
        assert!(backoff(3) >= Duration::from_millis(1000));
        assert!(backoff(30) <= Duration::from_millis(12_000));
    }

    #[tokio::test]
    async fn retries_only_transient_errors_and_only_so_often() {
        let mut calls = 0;
        let r: Result<(), String> = retrying(
            3,
            "h",
            "x",
            |e: &String| e == "busy",
            async || {
                calls += 1;
                Err("busy".to_string())
            },
        )
        .await;
        assert_eq!(r.unwrap_err(), "busy");
        assert_eq!(calls, 3);

        let mut calls = 0;
        let r: Result<(), String> = retrying(
            3,
            "h",
            "x",
            |e: &String| e == "busy",
            async || {
                calls += 1;
                Err("refused".to_string())
            },
        )
        .await;
        assert_eq!(r.unwrap_err(), "refused");
        assert_eq!(calls, 1);

        let mut calls = 0;
        let r: Result<u32, String> = retrying(
            4,
            "h",
            "x",
            |e: &String| e == "busy",
            async || {
                calls += 1;
                if calls < 2 {
                    Err("busy".to_string())
                } else {
                    Ok(calls)
                }
            },
        )
        .await;
        assert_eq!(r.unwrap(), 2);
    }
}
