//! The REST transport, login, and the guaranteed logout.
//!
//! [`RestClient`] holds the HTTP client (built with the target's TLS settings), the base URL
//! (`scheme://host:port` of the SDK URL) and the per-request timeout. [`with_rest_session`] logs
//! in, runs the work, and deletes the session on every exit path:
//! - success and error: the work's result is kept, then `DELETE` on the session path;
//! - cancellation through the [`CancellationToken`]: the work is abandoned, then `DELETE`;
//! - the whole future dropped (there is no async `Drop`): a guard spawns the `DELETE` on the
//!   current Tokio runtime, best effort.
//!
//! Login tries `POST /api/session` (vSphere 7.0 and later, answers 201 with the token as a JSON
//! string) and on HTTP 404 or 405 `POST /rest/com/vmware/cis/session` (6.5 and 6.7, and vcsim;
//! answers `{"value":"<id>"}`), both with HTTP Basic authentication. The password is exposed
//! only to build that header; the session id only to build the `vmware-api-session-id` header,
//! which is marked sensitive.

use super::error::RestError;
use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The largest REST answer read: tag and category lists of a big estate fit many times over.
pub const MAX_REST_BODY: usize = 64 << 20;

/// The header that carries the vAPI session id.
pub const SESSION_HEADER: &str = "vmware-api-session-id";

/// Asks the server not to set the session cookie as well (the header is enough).
const USE_HEADER_AUTHN: &str = "vmware-use-header-authn";

/// How long a logout may take before it is abandoned.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which form of the vAPI the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// `/api/...` (vSphere 7.0 and later): bare JSON answers, `?action=`.
    Api,
    /// `/rest/...` (6.5, 6.7, vcsim): answers wrapped in `{"value": ...}`, `?~action=`.
    Rest,
}

impl Flavor {
    /// The session resource: `POST` creates, `DELETE` ends.
    pub fn session_path(self) -> &'static str {
        match self {
            Flavor::Api => "/api/session",
            Flavor::Rest => "/rest/com/vmware/cis/session",
        }
    }
}

/// A vAPI endpoint reached over one HTTP client.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    /// `scheme://host:port/`, no path.
    base: Url,
    timeout: Duration,
    /// Tries per read-only call (`--retries`); 1 never retries.
    tries: u32,
}

impl RestClient {
    /// A client for the vCenter whose SDK URL is `sdk_url` (`https://host[:port]/sdk`); the path,
    /// query and any user info are dropped.
    pub fn new(http: reqwest::Client, sdk_url: &Url, timeout: Duration) -> RestClient {
        let mut base = sdk_url.clone();
        base.set_path("/");
        base.set_query(None);
        base.set_fragment(None);
        let _ = base.set_username("");
        let _ = base.set_password(None);
        RestClient {
            http,
            base,
            timeout,
            tries: 1,
        }
    }

    /// Tries each read-only call up to `tries` times on a transient failure (see
    /// [`RestError::is_transient`]); 1 never retries. Logins are never retried.
    pub fn with_tries(mut self, tries: u32) -> RestClient {
        self.tries = tries.max(1);
        self
    }

    /// The base URL, `scheme://host:port/`.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// `host:port` for messages.
    fn host(&self) -> String {
        let host = self.base.host_str().unwrap_or("?");
        match self.base.port_or_known_default() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        }
    }

    /// `base` + `path`, then `segment` as one percent-encoded path segment, then `query` as is.
    pub fn url(&self, path: &str, segment: Option<&str>, query: Option<&str>) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        if let Some(seg) = segment {
            url.path_segments_mut()
                .expect("an http(s) URL has path segments")
                .push(seg);
        }
        url.set_query(query);
        url
    }

    /// Sends with the timeout and reads the whole body.
    async fn send(
        &self,
        req: RequestBuilder,
        path: &str,
        timeout: Duration,
    ) -> Result<(StatusCode, bytes::Bytes), RestError> {
        let resp = req
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| self.classify(e, timeout))?;
        let status = resp.status();
        let body = self.read_capped(resp, path, timeout).await?;
        log::debug!("REST {path}: HTTP {}", status.as_u16());
        Ok((status, body))
    }

    /// The whole body, refused past [`MAX_REST_BODY`] (tag lists are small; a bigger answer is
    /// a broken or hostile server, which must not exhaust memory).
    async fn read_capped(
        &self,
        mut resp: reqwest::Response,
        path: &str,
        timeout: Duration,
    ) -> Result<bytes::Bytes, RestError> {
        let too_big = || RestError::Body {
            path: path.to_string(),
            detail: format!("the answer is over {} MiB", MAX_REST_BODY >> 20),
        };
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_REST_BODY as u64)
        {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(e, timeout))? {
            if body.len() + chunk.len() > MAX_REST_BODY {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.into())
    }

    fn classify(&self, e: reqwest::Error, timeout: Duration) -> RestError {
        log::debug!("REST request failed: {e:?}");
        if e.is_timeout() {
            return RestError::Timeout(timeout.as_secs());
        }
        if let Some(problem) = crate::tls::certificate_problem(&e) {
            return RestError::Certificate(problem);
        }
        let parts = crate::soap::client::causes(&e);
        // The innermost cause says most ("Connection refused"); reqwest's own text carries the URL.
        let detail = parts.last().cloned().unwrap_or_else(|| {
            if e.is_decode() || e.is_body() {
                "the answer was cut short".to_string()
            } else {
                "request failed".to_string()
            }
        });
        RestError::Connect {
            host: self.host(),
            detail,
        }
    }

    /// Logs in: `/api/session`, and on 404 or 405 `/rest/com/vmware/cis/session`.
    pub async fn login(
        &self,
        user: &str,
        password: &SecretString,
    ) -> Result<RestSession<'_>, RestError> {
        match self.create_session(Flavor::Api, user, password).await {
            Err(RestError::Http {
                status: 404 | 405, ..
            }) => {
                log::debug!(
                    "{} has no /api/session; trying the 6.x /rest interface",
                    self.host()
                );
                self.create_session(Flavor::Rest, user, password).await
            }
            other => other,
        }
    }

    async fn create_session(
        &self,
        flavor: Flavor,
        user: &str,
        password: &SecretString,
    ) -> Result<RestSession<'_>, RestError> {
        let path = flavor.session_path();
        let req = self
            .http
            .post(self.url(path, None, None))
            .basic_auth(user, Some(password.expose_secret()))
            .header(USE_HEADER_AUTHN, "true")
            .body("");
        let (status, body) = self.send(req, path, self.timeout).await?;
        match status.as_u16() {
            401 | 403 => return Err(RestError::LoginRefused(status.as_u16())),
            s if !status.is_success() => {
                return Err(RestError::Http {
                    status: s,
                    path: path.to_string(),
                });
            }
            _ => {}
        }
        // Parsed without serde's messages, which could quote the token.
        let token = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| unwrap_value(flavor, v).as_str().map(str::to_owned))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| RestError::Body {
                path: path.to_string(),
                detail: "the answer holds no session id".into(),
            })?;
        let mut header = HeaderValue::from_str(&token).map_err(|_| RestError::Body {
            path: path.to_string(),
            detail: "the session id is not a valid header value".into(),
        })?;
        header.set_sensitive(true);
        Ok(RestSession {
            client: self,
            flavor,
            guard: Mutex::new(LogoutGuard {
                armed: Some(Armed {
                    http: self.http.clone(),
                    url: self.url(path, None, None),
                    header,
                }),
            }),
            relogin: Mutex::new(Some(Relogin {
                user: user.to_string(),
                password: password.clone(),
            })),
        })
    }
}

/// A logged-in vAPI session. End it with [`RestSession::logout`]; if it is dropped instead, the
/// logout is spawned on the current Tokio runtime.
#[derive(Debug)]
pub struct RestSession<'c> {
    client: &'c RestClient,
    flavor: Flavor,
    guard: Mutex<LogoutGuard>,
    /// The credentials for the one new login after the session expired; taken by it.
    relogin: Mutex<Option<Relogin>>,
}

/// What [`RestSession`] needs to log in once more.
struct Relogin {
    user: String,
    password: SecretString,
}

impl std::fmt::Debug for Relogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relogin").finish_non_exhaustive()
    }
}

impl RestSession<'_> {
    /// Which form of the vAPI the server speaks.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The client this session runs on.
    pub fn client(&self) -> &RestClient {
        self.client
    }

    fn header(&self) -> HeaderValue {
        self.guard
            .lock()
            .expect("lock")
            .armed
            .as_ref()
            .expect("a session is armed until logout")
            .header
            .clone()
    }

    /// `GET` `url`, the answer decoded as `T` (unwrapped from `{"value": ...}` for `/rest`).
    pub async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, RestError> {
        self.call::<T, ()>(Method::GET, url, None).await
    }

    /// `POST` `body` as JSON to `url`, the answer decoded as `T`.
    pub async fn post<T: DeserializeOwned, B: Serialize>(
        &self,
        url: Url,
        body: &B,
    ) -> Result<T, RestError> {
        self.call(Method::POST, url, Some(body)).await
    }

    /// One read-only call: transient failures retried (the client's tries), and on a session
    /// expiry one new login, then the call again. A second expiry is [`RestError::Expired`].
    async fn call<T: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<T, RestError> {
        let bytes = match self.call_retrying(&method, &url, body).await {
            Err(RestError::Expired { .. }) => {
                self.relogin().await?;
                self.call_retrying(&method, &url, body).await?
            }
            other => other?,
        };
        decode(self.flavor, url.path(), &bytes)
    }

    async fn call_retrying<B: Serialize>(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&B>,
    ) -> Result<bytes::Bytes, RestError> {
        let host = self.client.host();
        let what = format!("REST {method} {}", url.path());
        crate::retry::retrying(
            self.client.tries,
            &host,
            &what,
            RestError::is_transient,
            async || self.call_once(method, url, body).await,
        )
        .await
    }

    async fn call_once<B: Serialize>(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&B>,
    ) -> Result<bytes::Bytes, RestError> {
        let path = url.path().to_string();
        let mut req = self
            .client
            .http
            .request(method.clone(), url.clone())
            .header(SESSION_HEADER, self.header());
        if let Some(b) = body {
            req = req.json(b);
        }
        let (status, bytes) = self.client.send(req, &path, self.client.timeout).await?;
        if status.as_u16() == 401 || (!status.is_success() && is_unauthenticated(&bytes)) {
            return Err(RestError::Expired { path });
        }
        if !status.is_success() {
            return Err(RestError::Http {
                status: status.as_u16(),
                path,
            });
        }
        Ok(bytes)
    }

    /// Logs in anew after the session expired: once per session. The new session replaces the
    /// old one (which is deleted, best effort), so that the logout ends the new one.
    async fn relogin(&self) -> Result<(), RestError> {
        let path = self.flavor.session_path().to_string();
        let Some(creds) = self.relogin.lock().expect("lock").take() else {
            return Err(RestError::Expired { path });
        };
        log::info!(
            "{}: the REST session expired; logging in again",
            self.client.host()
        );
        let fresh = self
            .client
            .create_session(self.flavor, &creds.user, &creds.password)
            .await?;
        let armed = fresh.guard.lock().expect("lock").armed.take();
        let old = std::mem::replace(&mut self.guard.lock().expect("lock").armed, armed);
        if let Some(old) = old {
            old.delete(self.client.timeout.min(LOGOUT_TIMEOUT)).await;
        }
        Ok(())
    }

    /// Ends the session: `DELETE` on the session path. Failures are logged, not returned.
    pub async fn logout(self) {
        let armed = self.guard.lock().expect("lock").armed.take();
        if let Some(armed) = armed {
            let timeout = self.client.timeout.min(LOGOUT_TIMEOUT);
            armed.delete(timeout).await;
        }
    }
}

/// Whether an error answer is the vAPI's "not authenticated" error: `/rest` says
/// `{"type":"com.vmware.vapi.std.errors.unauthenticated",...}`, `/api` says
/// `{"error_type":"UNAUTHENTICATED",...}`.
fn is_unauthenticated(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let kind = |v: &serde_json::Value| {
        v.get("error_type")
            .or_else(|| v.get("type"))
            .and_then(|t| t.as_str())
            .is_some_and(|t| t.to_ascii_lowercase().ends_with("unauthenticated"))
    };
    kind(&v) || v.get("value").is_some_and(kind)
}

/// Decodes a JSON answer whatever its `Content-Type` (vcsim says `text/plain`); an empty body is
/// `null`, and `/rest` answers are unwrapped from `{"value": ...}` (a missing `value` is `null`).
pub fn decode<T: DeserializeOwned>(
    flavor: Flavor,
    path: &str,
    body: &[u8],
) -> Result<T, RestError> {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(body).map_err(|e| RestError::Body {
            path: path.to_string(),
            detail: format!("not JSON ({e})"),
        })?
    };
    serde_json::from_value(unwrap_value(flavor, value)).map_err(|e| RestError::Body {
        path: path.to_string(),
        detail: e.to_string(),
    })
}

fn unwrap_value(flavor: Flavor, value: serde_json::Value) -> serde_json::Value {
    match (flavor, value) {
        (Flavor::Rest, serde_json::Value::Object(mut map)) => {
            map.remove("value").unwrap_or(serde_json::Value::Null)
        }
        (_, v) => v,
    }
}

/// What a logout needs, owned so that it can outlive the session's borrow.
struct Armed {
    http: reqwest::Client,
    url: Url,
    header: HeaderValue,
}

impl Armed {
    async fn delete(self, timeout: Duration) {
        let path = self.url.path().to_string();
        let sent = self
            .http
            .delete(self.url)
            .header(SESSION_HEADER, self.header)
            .timeout(timeout)
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => log::debug!("REST session ended ({path})"),
            Ok(r) => log::warn!("REST logout ({path}) answered HTTP {}", r.status().as_u16()),
            Err(e) if e.is_timeout() => log::warn!("REST logout ({path}) took too long; abandoned"),
            Err(e) => log::warn!("REST logout ({path}) failed: {e}"),
        }
    }
}

/// Deletes the session when the [`RestSession`] is dropped without [`RestSession::logout`].
struct LogoutGuard {
    armed: Option<Armed>,
}

impl std::fmt::Debug for LogoutGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutGuard")
            .field("armed", &self.armed.is_some())
            .finish()
    }
}

impl Drop for LogoutGuard {
    fn drop(&mut self) {
        let Some(armed) = self.armed.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                log::debug!("REST session dropped without logout; logging out in the background");
                rt.spawn(armed.delete(LOGOUT_TIMEOUT));
            }
            Err(_) => log::warn!("REST session dropped outside a runtime; it is left to expire"),
        }
    }
}

/// Logs in, runs `work`, and logs out however `work` ends (see the module documentation).
///
/// The login itself is not interrupted (it is bounded by the timeout), so that a session the
/// server has just created is always known, and deleted.
pub async fn with_rest_session<'c, T, F>(
    client: &'c RestClient,
    user: &str,
    password: &SecretString,
    cancel: &CancellationToken,
    work: F,
) -> Result<T, RestError>
where
    F: AsyncFnOnce(&RestSession<'c>) -> Result<T, RestError>,
{
    if cancel.is_cancelled() {
        return Err(RestError::Interrupted);
    }
    let session = client.login(user, password).await?;
    log::debug!("REST session open ({:?} interface)", session.flavor());
    let outcome = if cancel.is_cancelled() {
        Err(RestError::Interrupted)
    } else {
        tokio::select! {
            r = work(&session) => r,
            _ = cancel.cancelled() => Err(RestError::Interrupted),
        }
    };
    session.logout().await;
    outcome
}
