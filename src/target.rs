//! Which vCenter to talk to and how: the server as the user named it, the SDK URL, credentials
//! and TLS mode.

use crate::tls::TlsMode;
use secrecy::SecretString;
use std::time::Duration;
use url::Url;

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Default tries per read-only call.
pub const DEFAULT_TRIES: u32 = 4;

/// Default look-back window for migration events, in days.
pub const DEFAULT_EVENTS_DAYS: u32 = 90;

/// One vCenter to audit.
#[derive(Debug, Clone)]
pub struct Target {
    /// `host` or `host:port` as the user named it: the `vcenter` column.
    pub label: String,
    /// `https://host[:port]/sdk`.
    pub url: Url,
    pub user: String,
    pub password: SecretString,
    pub tls: TlsMode,
    /// Bounds connecting and each idle gap between bytes of an answer (not a whole answer).
    pub timeout: Duration,
    /// Bounds the whole collection of this vCenter; `None`: no bound.
    pub deadline: Option<Duration>,
    /// Tries per read-only call (1: no retry).
    pub tries: u32,
    /// Look-back window for migration events, in days; 0 reads no events.
    pub events_days: u32,
    /// Which VMs are audited, by tag: the vCenter's own scope from an estate file, else the
    /// command line's `--tag` / `--exclude-tag`; `None` audits every VM.
    pub scope: Option<crate::model::TagScope>,
    /// `--require-tags`: a vCenter whose tags cannot be read is an error, not an audit without
    /// tags.
    pub require_tags: bool,
}

impl Target {
    /// Why this vCenter's tags must be read, if they must: `--require-tags`, or a tag scope
    /// (without its tags the scope would silently audit every VM or none).
    pub fn tags_needed(&self) -> Option<&'static str> {
        if self.require_tags {
            Some("--require-tags")
        } else if self.scope.is_some() {
            Some("the tag scope (--tag, --exclude-tag or the estate file's tag, exclude_tag)")
        } else {
            None
        }
    }
}

/// Parses `host`, `host:port` or `https://host[:port]/sdk` into (label, SDK URL).
pub fn parse_server(s: &str) -> Result<(String, Url), String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("--server is empty: give host, host:port or https://host[:port]/sdk".into());
    }
    let url = if s.contains("://") {
        let url = Url::parse(s).map_err(|e| format!("--server {s:?} is not a valid URL: {e}"))?;
        if url.scheme() != "https" {
            return Err(format!(
                "--server {s:?} uses {}; vcaudit talks to vCenter over https only",
                url.scheme()
            ));
        }
        if url.username() != "" || url.password().is_some() {
            return Err(format!(
                "--server must not carry credentials; use --user and VCAUDIT_PASSWORD or --password-file (server {})",
                url.host_str().unwrap_or("?")
            ));
        }
        let mut url = url;
        if url.path() == "/" || url.path().is_empty() {
            url.set_path("/sdk");
        }
        url
    } else {
        if s.contains('/') || s.contains('@') {
            return Err(format!(
                "--server {s:?} is not a host name: give host, host:port or https://host[:port]/sdk"
            ));
        }
        Url::parse(&format!("https://{s}/sdk"))
            .map_err(|e| format!("--server {s:?} is not a valid host[:port]: {e}"))?
    };
    let host = url
        .host_str()
        .ok_or_else(|| format!("--server {s:?} has no host"))?;
    let label = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    Ok((label, url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_forms() {
        let (l, u) = parse_server("vc01.corp").unwrap();
        assert_eq!(
            (l.as_str(), u.as_str()),
            ("vc01.corp", "https://vc01.corp/sdk")
        );
        let (l, u) = parse_server("vc01.corp:8443").unwrap();
        assert_eq!(
            (l.as_str(), u.as_str()),
            ("vc01.corp:8443", "https://vc01.corp:8443/sdk")
        );
        let (l, u) = parse_server("https://vc01.corp:443/sdk").unwrap();
        // 443 is the default port: the url crate drops it, and so does the label.
        assert_eq!(
            (l.as_str(), u.as_str()),
            ("vc01.corp", "https://vc01.corp/sdk")
        );
        let (l, u) = parse_server("https://127.0.0.1:4443").unwrap();
        assert_eq!(
            (l.as_str(), u.as_str()),
            ("127.0.0.1:4443", "https://127.0.0.1:4443/sdk")
        );
        let (l, _) = parse_server("[::1]:4443").unwrap();
        assert_eq!(l, "[::1]:4443");
    }

    #[test]
    fn bad_servers_say_why() {
        assert!(parse_server("").unwrap_err().contains("empty"));
        assert!(
            parse_server("http://vc01/sdk")
                .unwrap_err()
                .contains("https only")
        );
        let e = parse_server("https://root:pw@vc01/sdk").unwrap_err();
        assert!(e.contains("credentials") && !e.contains("pw"), "{e}");
        assert!(
            parse_server("vc01/sdk")
                .unwrap_err()
                .contains("not a host name")
        );
    }
}
