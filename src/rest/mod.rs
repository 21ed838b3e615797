//! The vSphere Automation (vAPI) REST client, for what SOAP does not have: vSphere tags.
//!
//! vCenter serves the vAPI in two forms, and this client speaks both:
//! - `/api/...` (vSphere 7.0 and later): plain JSON bodies, `?action=...` for operations;
//! - `/rest/...` (6.5 and 6.7, still present up to 8.0; the only one vcsim 0.24 has): every
//!   answer wrapped as `{"value": ...}`, `?~action=...` for operations, `id:<id>` path segments.
//!
//! The form is chosen at login: `POST /api/session`, and on HTTP 404 `POST
//! /rest/com/vmware/cis/session` (see [`session`]). Both log in with HTTP Basic authentication
//! and the SOAP credentials, then send the session id in the `vmware-api-session-id` header.
//!
//! Layers:
//! - [`error`]: [`RestError`], whose `Display` is a short reason fit for
//!   `tags unavailable: <reason>` and never holds the password or the session id;
//! - [`session`]: the HTTP transport ([`RestClient`]), login, and [`with_rest_session`], which
//!   logs out on every exit path; read-only calls are retried on transient failures (the SOAP
//!   client's backoff, [`crate::retry`]) and survive one session expiry with one new login;
//! - [`tagging`]: the wire types of the tagging service and one function per call, all
//!   associations read in bulk (`list-attached-objects-on-tags`, 500 tag ids per request);
//! - [`index`]: the result, a [`TagIndex`] from (managed object type, moref) to sorted
//!   `category:tag` names.
//!
//! [`collect_tags`] puts it together: a fixed handful of requests whatever the number of VMs
//! (login, two lists, one GET per category and per tag, one association call per 500 tags,
//! logout).

pub mod error;
pub mod index;
pub mod session;
pub mod tagging;

pub use error::RestError;
pub use index::TagIndex;
pub use session::{Flavor, RestClient, RestSession, with_rest_session};

use secrecy::SecretString;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Reads every vSphere tag assignment of the vCenter at `sdk_url`.
///
/// `http` is the client built by [`crate::tls::http_client`] for the target (same TLS settings
/// as SOAP), `timeout` the per-request timeout (`target.timeout`). The REST base URL is the SDK
/// URL's `scheme://host:port`. Logs in with `user` and `password`, reads categories, tags and
/// associations, and logs out on every path (success, error, and the future being dropped).
///
/// An error means the audit goes on without tags; its `Display` is the reason for
/// `tags unavailable: <reason>`.
pub async fn collect_tags(
    http: reqwest::Client,
    sdk_url: &Url,
    user: &str,
    password: &SecretString,
    timeout: Duration,
) -> Result<TagIndex, RestError> {
    collect_tags_until(
        http,
        sdk_url,
        user,
        password,
        timeout,
        1,
        &CancellationToken::new(),
    )
    .await
}

/// [`collect_tags`] that tries each read-only call up to `tries` times on a transient failure
/// (`--retries`), logs in once more when the session expires, and stops when `cancel` fires
/// ([`RestError::Interrupted`]), still logging out first.
pub async fn collect_tags_until(
    http: reqwest::Client,
    sdk_url: &Url,
    user: &str,
    password: &SecretString,
    timeout: Duration,
    tries: u32,
    cancel: &CancellationToken,
) -> Result<TagIndex, RestError> {
    let client = RestClient::new(http, sdk_url, timeout).with_tries(tries);
    with_rest_session(&client, user, password, cancel, async |session| {
        tagging::read_index(session).await
    })
    .await
}
