//! Why tags could not be read.
//!
//! Every `Display` is one short line that can follow `tags unavailable: ` in `vcenters.csv`.
//! None holds the password (it only ever goes into the `Authorization` header) or the session id
//! (only ever in the `vmware-api-session-id` header); paths are shown without the host.

/// Why a REST call, and so the tag collection, failed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// The server answered with an HTTP status the call cannot go on with, e.g. 404 on
    /// `/rest/com/vmware/cis/session` when the vCenter has no REST interface at all.
    #[error("HTTP {status} on {path}")]
    Http { status: u16, path: String },
    /// The session endpoint refused the credentials (401) or the user (403).
    #[error("login refused (HTTP {0})")]
    LoginRefused(u16),
    /// No answer: connection refused, DNS failure, reset.
    #[error("cannot reach {host}: {detail}")]
    Connect { host: String, detail: String },
    /// No answer within the per-request timeout.
    #[error("timeout (no answer within {0} s)")]
    Timeout(u64),
    /// The server's TLS certificate was not accepted.
    #[error("certificate refused: {0}")]
    Certificate(crate::tls::CertProblem),
    /// The body was not the JSON the call expects.
    #[error("unexpected answer on {path}: {detail}")]
    Body { path: String, detail: String },
    /// The session expired (HTTP 401 or the vAPI `unauthenticated` error after login), and the
    /// one new login did not help.
    #[error("the REST session expired (on {path})")]
    Expired { path: String },
    /// The run was interrupted (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

impl RestError {
    /// Whether the same read-only call may succeed if sent again: no answer, a connection lost
    /// mid-answer, a timeout, or a busy vCenter or proxy (HTTP 502, 503, 504).
    pub fn is_transient(&self) -> bool {
        match self {
            RestError::Connect { .. } | RestError::Timeout(_) => true,
            RestError::Http { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }

    /// The HTTP status when the server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Http { status, .. } | RestError::LoginRefused(status) => Some(*status),
            _ => None,
        }
    }
}
