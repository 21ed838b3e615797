//! Login and the guaranteed logout.
//!
//! [`with_session`] logs in, runs the work, and logs out on every exit path: success, error, and
//! cancellation (Ctrl-C), so an audit never leaves sessions behind on the vCenter.

use super::client::{Client, SoapError};
use super::types::{MoRef, ServiceContent};
use secrecy::SecretString;
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long a logout may take before it is abandoned.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// A logged-in vim25 session.
#[derive(Debug)]
pub struct Session<'c> {
    pub client: &'c Client,
    pub content: ServiceContent,
}

impl Session<'_> {
    fn session_manager(&self) -> MoRef {
        self.content
            .session_manager
            .clone()
            .unwrap_or_else(|| MoRef::new("SessionManager", "SessionManager"))
    }
}

/// Why a session-scoped piece of work did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SessionError<E> {
    /// Reading the service content failed (the server is not reachable or not a vSphere SDK).
    #[error("{0}")]
    Connect(SoapError),
    /// `Login` was refused or failed.
    #[error("{0}")]
    Login(SoapError),
    /// The work itself failed.
    #[error("{0}")]
    Work(E),
    /// The user interrupted the run.
    #[error("interrupted")]
    Interrupted,
}

/// Logs in, runs `work`, and logs out however `work` ends.
pub async fn with_session<'c, T, E, F, Fut>(
    client: &'c Client,
    user: &str,
    password: &SecretString,
    cancel: &CancellationToken,
    work: F,
) -> Result<(ServiceContent, T), SessionError<E>>
where
    F: FnOnce(Session<'c>) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let content = tokio::select! {
        r = client.retrieve_service_content() => r.map_err(SessionError::Connect)?,
        _ = cancel.cancelled() => return Err(SessionError::Interrupted),
    };
    if let Some(v) = &content.about.api_version {
        client.set_api_version(v);
    }
    let session = Session {
        client,
        content: content.clone(),
    };
    let sm = session.session_manager();
    let login = tokio::select! {
        r = client.login(&sm, user, password) => r,
        _ = cancel.cancelled() => Err(SoapError::Connect("interrupted".into())),
    };
    if login.is_ok() {
        client.remember_login(&sm, user, password);
    }
    if let Err(e) = login {
        // A login interrupted after the server accepted it may still have set a cookie.
        if client.has_session() {
            logout(client, &sm).await;
        }
        return Err(if cancel.is_cancelled() {
            SessionError::Interrupted
        } else {
            SessionError::Login(e)
        });
    }
    let outcome = tokio::select! {
        r = work(session) => r.map_err(SessionError::Work),
        _ = cancel.cancelled() => Err(SessionError::Interrupted),
    };
    logout(client, &sm).await;
    outcome.map(|t| (content, t))
}

async fn logout(client: &Client, sm: &MoRef) {
    match tokio::time::timeout(LOGOUT_TIMEOUT, client.logout(sm)).await {
        Ok(Ok(())) => log::debug!("logged out of {}", client.url()),
        Ok(Err(e)) => log::warn!("logout from {} failed: {e}", client.url()),
        Err(_) => log::warn!("logout from {} took too long; abandoned", client.url()),
    }
    client.clear_session();
}
