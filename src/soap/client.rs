//! The HTTP transport of the SOAP client: one POST per call, the session cookie, `SOAPAction`,
//! the per-request timeout, and the response body handed on as a stream.
//!
//! Faults come as HTTP 500 with a SOAP body, so a 500 is decoded before it is treated as a
//! transport error.

use super::envelope::{Fault, Opened, envelope, open_body};
use super::xml::{Start, Tree, XmlError, XmlStream};
use bytes_stream::BodyReader;
use futures_util::TryStreamExt;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Mutex;
use std::time::Duration;
use url::Url;

/// The cookie that carries a vim25 session.
pub const SESSION_COOKIE: &str = "vmware_soap_session";

mod bytes_stream {
    use std::pin::Pin;
    pub type ByteStream =
        Pin<Box<dyn futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send>>;
    pub type BodyReader = tokio_util::io::StreamReader<ByteStream, bytes::Bytes>;
}

/// Why a SOAP call failed.
#[derive(Debug, thiserror::Error)]
pub enum SoapError {
    /// The server answered with a SOAP fault.
    #[error("{0}")]
    Fault(Fault),
    /// The server's TLS certificate was not accepted.
    #[error("{0}")]
    Certificate(crate::tls::CertProblem),
    /// No answer: connection refused, DNS failure, reset.
    #[error("{0}")]
    Connect(String),
    /// No answer within the timeout.
    #[error("no answer within {0} s")]
    Timeout(u64),
    /// An HTTP status that is neither success nor a SOAP fault.
    #[error("{}", http_status_text(*.0))]
    Http(u16),
    /// The body was not the SOAP the client expected.
    #[error("unexpected response: {0}")]
    Xml(#[from] XmlError),
    /// The server sent more than a vSphere answer can hold (pages, events, sizes).
    #[error("{0}")]
    Limit(String),
    /// The session is not (or no longer) authenticated.
    #[error("the session is not authenticated (NotAuthenticated)")]
    NotAuthenticated,
}

/// What an HTTP status other than success or a SOAP fault means to an admin.
pub fn http_status_text(code: u16) -> String {
    match code {
        503 => "vCenter is busy or restarting (HTTP 503)".into(),
        502 | 504 => format!(
            "a proxy or load balancer in front of vCenter got no answer from it (HTTP {code})"
        ),
        300..=399 => format!(
            "the server answered with a redirect (HTTP {code}), which vcaudit never follows"
        ),
        401 | 403 => format!("the server refused the request (HTTP {code})"),
        404 => "HTTP 404: no vSphere SDK at this address (is this a vCenter?)".into(),
        _ => format!("HTTP {code} from the server (is this the vSphere SDK URL?)"),
    }
}

impl SoapError {
    /// Whether the same read-only call may succeed if sent again: no answer, a timeout, a
    /// connection lost mid-answer, or a busy vCenter or proxy (502, 503, 504).
    pub fn is_transient(&self) -> bool {
        match self {
            SoapError::Connect(_) | SoapError::Timeout(_) => true,
            SoapError::Http(code) => matches!(code, 502..=504),
            SoapError::Xml(XmlError::Io(_)) => true,
            _ => false,
        }
    }

    /// The fault type when this is a fault.
    pub fn fault_kind(&self) -> Option<&str> {
        match self {
            SoapError::Fault(f) => Some(&f.kind),
            _ => None,
        }
    }
}

/// The distinct texts of an error's causes (its `source()` chain, not the error itself), outermost
/// first; a cause whose text is already contained in an earlier one is left out.
pub fn causes(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut src = e.source();
    while let Some(s) = src {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        src = s.source();
    }
    parts
}

/// Describes an I/O error with its whole source chain in one line.
pub fn describe_io(e: &std::io::Error) -> String {
    let mut parts = vec![e.to_string()];
    for c in causes(e) {
        if !parts.iter().any(|p| p.contains(&c)) {
            parts.push(c);
        }
    }
    parts.join(": ")
}

/// A vim25 SOAP endpoint reached over one HTTP client.
pub struct Client {
    http: reqwest::Client,
    url: Url,
    timeout: Duration,
    /// `urn:vim25/<apiVersion>`, set once the service content is known.
    soap_action: Mutex<String>,
    /// `vmware_soap_session=...`, exactly as the server set it.
    cookie: Mutex<Option<SecretString>>,
    /// Tries per read-only call.
    tries: u32,
    /// What [`Client::relogin`] logs in with, once the first login succeeded.
    relogin: Mutex<Option<Relogin>>,
}

/// The credentials of the session, kept for one login anew after the session expired.
struct Relogin {
    session_manager: super::types::MoRef,
    user: String,
    password: SecretString,
    used: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// A response positioned inside the method's response element.
pub struct Response {
    xml: XmlStream<BodyReader>,
}

impl Response {
    /// The next `returnval` (or other child) start tag; `None` when the response is done.
    pub async fn next_child(&mut self) -> Result<Option<Start>, XmlError> {
        self.xml.next_child().await
    }

    /// Reads the element just started as a tree.
    pub async fn read_node(&mut self, start: Start) -> Result<Tree, XmlError> {
        self.xml.read_node(start).await
    }

    /// Skips the element just started.
    pub async fn skip(&mut self, start: &Start) -> Result<(), XmlError> {
        self.xml.skip(start).await
    }

    /// The XML stream, positioned inside the response element.
    pub fn stream(&mut self) -> &mut XmlStream<BodyReader> {
        &mut self.xml
    }

    /// Reads every remaining child as a tree: for small responses.
    pub async fn into_nodes(mut self) -> Result<Vec<Tree>, XmlError> {
        let mut out = Vec::new();
        while let Some(start) = self.next_child().await? {
            out.push(self.read_node(start).await?);
        }
        Ok(out)
    }
}

impl Client {
    /// A client for the SDK endpoint `url` over an HTTP client built with the TLS settings.
    pub fn new(http: reqwest::Client, url: Url, timeout: Duration) -> Client {
        Client {
            http,
            url,
            timeout,
            soap_action: Mutex::new("urn:vim25/6.0".to_string()),
            cookie: Mutex::new(None),
            tries: 1,
            relogin: Mutex::new(None),
        }
    }

    /// Keeps the credentials of a successful login for one [`Client::relogin`].
    pub fn remember_login(
        &self,
        session_manager: &super::types::MoRef,
        user: &str,
        password: &SecretString,
    ) {
        *self.relogin.lock().expect("lock") = Some(Relogin {
            session_manager: session_manager.clone(),
            user: user.to_string(),
            password: password.clone(),
            used: false,
        });
    }

    /// Logs in anew after the session expired (`NotAuthenticated`): once per client. A second
    /// expiry, or no remembered login, is [`SoapError::NotAuthenticated`].
    pub async fn relogin(&self) -> Result<(), SoapError> {
        let (sm, user, password) = {
            let mut guard = self.relogin.lock().expect("lock");
            match guard.as_mut() {
                Some(r) if !r.used => {
                    r.used = true;
                    (
                        r.session_manager.clone(),
                        r.user.clone(),
                        r.password.clone(),
                    )
                }
                _ => return Err(SoapError::NotAuthenticated),
            }
        };
        log::info!(
            "{}: the session expired; logging in again",
            self.url.host_str().unwrap_or("?")
        );
        self.login(&sm, &user, &password).await
    }

    /// Tries each read-only call up to `tries` times on a transient failure (see
    /// [`SoapError::is_transient`]); 1 never retries.
    pub fn with_tries(mut self, tries: u32) -> Client {
        self.tries = tries.max(1);
        self
    }

    /// Tries per read-only call.
    pub fn tries(&self) -> u32 {
        self.tries
    }

    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Sets the API version sent in `SOAPAction`.
    pub fn set_api_version(&self, version: &str) {
        *self.soap_action.lock().expect("lock") = format!("urn:vim25/{version}");
    }

    /// Forgets the session cookie (before `Login`, which a stale cookie makes fail).
    pub fn clear_session(&self) {
        *self.cookie.lock().expect("lock") = None;
    }

    /// Whether a session cookie is held.
    pub fn has_session(&self) -> bool {
        self.cookie.lock().expect("lock").is_some()
    }

    /// Sends one read-only method call and opens its response, retrying a transient failure
    /// (up to the client's tries, with [`crate::retry::backoff`] pauses). A failure while the
    /// opened response is read is the caller's to retry.
    pub async fn call(&self, body: &str) -> Result<Response, SoapError> {
        crate::retry::retrying(
            self.tries,
            self.url.host_str().unwrap_or("?"),
            method_name(body),
            SoapError::is_transient,
            async || self.call_once(body).await,
        )
        .await
    }

    /// Sends one method call once and opens its response.
    pub async fn call_once(&self, body: &str) -> Result<Response, SoapError> {
        let action = format!("\"{}\"", self.soap_action.lock().expect("lock"));
        let mut req = self
            .http
            .post(self.url.clone())
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            .header("SOAPAction", action);
        if let Some(cookie) = self.cookie.lock().expect("lock").as_ref() {
            req = req.header(COOKIE, cookie.expose_secret());
        }
        let resp = req
            .body(envelope(body))
            .send()
            .await
            .map_err(|e| self.classify(e))?;
        for value in resp.headers().get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or_default().trim();
            if pair.starts_with(SESSION_COOKIE) && pair[SESSION_COOKIE.len()..].starts_with('=') {
                *self.cookie.lock().expect("lock") = Some(SecretString::from(pair.to_string()));
            }
        }
        let status = resp.status();
        if !status.is_success() && status.as_u16() != 500 {
            return Err(SoapError::Http(status.as_u16()));
        }
        let timeout_secs = self.timeout.as_secs();
        let mut run = TextRun::default();
        let bytes = resp
            .bytes_stream()
            .map_err(move |e| {
                if e.is_timeout() {
                    std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no data for {timeout_secs} s"),
                    )
                } else {
                    std::io::Error::other(e)
                }
            })
            .and_then(move |chunk| std::future::ready(run.check(&chunk).map(|()| chunk)));
        let reader: BodyReader = tokio_util::io::StreamReader::new(Box::pin(bytes));
        let mut xml = XmlStream::new(reader);
        match open_body(&mut xml).await {
            Ok(Opened::Response) => Ok(Response { xml }),
            Ok(Opened::Fault(f)) if f.kind == "NotAuthenticated" => {
                Err(SoapError::NotAuthenticated)
            }
            Ok(Opened::Fault(f)) => Err(SoapError::Fault(f)),
            Err(XmlError::Malformed(_) | XmlError::Truncated) if status.as_u16() == 500 => {
                Err(SoapError::Http(500))
            }
            Err(e) => Err(SoapError::Xml(e)),
        }
    }

    fn classify(&self, e: reqwest::Error) -> SoapError {
        // The whole error chain goes to the debug log: it holds the URL, never a header or body.
        log::debug!("request failed: {e:?}");
        if e.is_timeout() {
            return SoapError::Timeout(self.timeout.as_secs());
        }
        if let Some(reason) = crate::tls::certificate_problem(&e) {
            return SoapError::Certificate(reason);
        }
        let parts = causes(&e);
        let detail = parts.last().cloned().unwrap_or_else(|| e.to_string());
        SoapError::Connect(detail)
    }
}

pub use crate::retry::backoff;

/// The method element's name in a call body (`<Login xmlns=...>` → `Login`), for log lines.
fn method_name(body: &str) -> &str {
    body.trim_start_matches('<')
        .split([' ', '>', '/'])
        .next()
        .unwrap_or("call")
}

/// The most bytes one XML event (a text node, a tag) may take: no `<` for this long is a broken
/// or hostile server, refused before the reader buffers it.
pub const MAX_XML_RUN: usize = 64 << 20;

/// Counts the bytes since the last `<` in a streamed body.
#[derive(Default)]
struct TextRun(usize);

impl TextRun {
    fn check(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        let tail = match chunk.iter().rposition(|b| *b == b'<') {
            Some(last) => {
                let head = chunk.iter().position(|b| *b == b'<').unwrap_or(last);
                if self.0.saturating_add(head) > MAX_XML_RUN {
                    return Err(self.too_long());
                }
                chunk.len() - last - 1
            }
            None => self.0.saturating_add(chunk.len()),
        };
        self.0 = tail;
        if self.0 > MAX_XML_RUN {
            return Err(self.too_long());
        }
        Ok(())
    }

    fn too_long(&self) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "one XML text or tag is over {} MiB: not a vSphere answer",
                MAX_XML_RUN >> 20
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_without_a_tag_is_bounded_across_chunks() {
        let mut run = TextRun::default();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..(MAX_XML_RUN >> 20) {
            run.check(&chunk).unwrap();
        }
        assert!(run.check(b"aa").is_err());
        let mut run = TextRun::default();
        for _ in 0..200 {
            run.check(&chunk).unwrap();
            run.check(b"<x>").unwrap();
        }
    }

    #[test]
    fn http_503_says_busy() {
        assert_eq!(
            SoapError::Http(503).to_string(),
            "vCenter is busy or restarting (HTTP 503)"
        );
        assert!(SoapError::Http(503).is_transient());
        assert!(!SoapError::Http(500).is_transient());
        assert!(SoapError::Http(307).to_string().contains("never follows"));
    }
}
