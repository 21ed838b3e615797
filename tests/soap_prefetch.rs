//! Paging asks for the next page as soon as the current page's token is read, so that the
//! server prepares it while the client is still reading and decoding the current one (issue 16).
//!
//! A small HTTP server, written here because the check needs control over *when* the bytes of an
//! answer go out: it sends the first page's head (its token and first object), then holds the
//! rest of that page back until the continuation for its token arrives on another connection.
//! If the client waited for the end of the page, the continuation never comes while the page is
//! held: the server then sends the rest after a while, and the test fails on the order it saw.

use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, Notify};
use url::Url;
use vcaudit::collect::props;
use vcaudit::soap::property::{retrieve_all, view_spec_set};
use vcaudit::soap::{Client, MoRef};
use vcaudit::tls::{TlsMode, http_client};

const VIEW: &str =
    "session[52e4c2a1-7d1b-3a6f-0c9e-8f2b1d4a6e73]52f1a0c4-9b3e-8d27-6a15-c0e9d8b7a654";

/// How long the server holds the first page's rest back when no continuation comes.
const HOLD: Duration = Duration::from_secs(5);

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/soap")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

/// What the server saw, in order.
#[derive(Default)]
struct Log(Mutex<Vec<&'static str>>);

impl Log {
    async fn push(&self, what: &'static str) {
        self.0.lock().await.push(what);
    }
}

/// Reads one HTTP request (headers, then a `Content-Length` body); `None` at the end of the
/// connection.
async fn request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        assert!(n > 0, "the request body ended early");
        data.extend_from_slice(&buf[..n]);
    }
    Some(String::from_utf8_lossy(&data[head_end..head_end + length]).into_owned())
}

async fn head(stream: &mut TcpStream, length: usize) {
    let h = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {length}\r\n\r\n"
    );
    stream.write_all(h.as_bytes()).await.unwrap();
}

async fn serve(mut stream: TcpStream, log: Arc<Log>, asked: Arc<Notify>) {
    while let Some(body) = request(&mut stream).await {
        if body.contains("<ContinueRetrievePropertiesEx ") {
            assert!(body.contains("<token>1</token>"), "{body}");
            log.push("continue asked").await;
            asked.notify_one();
            let page = fixture("continue_page3.xml");
            head(&mut stream, page.len()).await;
            stream.write_all(page.as_bytes()).await.unwrap();
        } else if body.contains("<RetrievePropertiesEx ") {
            let page = fixture("rpex_page1.xml");
            // The head: up to the end of the first object, after the token.
            let cut = page.find("</objects>").expect("an object") + "</objects>".len();
            head(&mut stream, page.len()).await;
            stream.write_all(&page.as_bytes()[..cut]).await.unwrap();
            stream.flush().await.unwrap();
            log.push("first page head sent").await;
            if tokio::time::timeout(HOLD, asked.notified()).await.is_err() {
                log.push("no continue while the page was held").await;
            }
            stream.write_all(&page.as_bytes()[cut..]).await.unwrap();
            log.push("first page rest sent").await;
        } else {
            panic!("unexpected request: {body}");
        }
    }
}

#[tokio::test]
async fn the_next_page_is_asked_for_while_the_current_one_is_still_arriving() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/sdk", listener.local_addr().unwrap())).unwrap();
    let log = Arc::new(Log::default());
    let asked = Arc::new(Notify::new());
    {
        let (log, asked) = (log.clone(), asked.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                tokio::spawn(serve(stream, log.clone(), asked.clone()));
            }
        });
    }
    let client = Client::new(
        http_client(&TlsMode::Insecure).unwrap(),
        url,
        Duration::from_secs(30),
    );
    let spec = view_spec_set(
        &MoRef::new("ContainerView", VIEW),
        "VirtualMachine",
        &props::VIRTUAL_MACHINE.paths(),
    );
    let mut seen = Vec::new();
    let n = retrieve_all(
        &client,
        &MoRef::new("PropertyCollector", "propertyCollector"),
        &spec,
        3,
        |oc| seen.push(oc.obj.clone().expect("obj").value),
    )
    .await
    .expect("paged retrieval");

    assert_eq!(seen, ["vm-201", "vm-202", "vm-203", "vm-207"], "in order");
    assert_eq!(n, 4);
    let log = log.0.lock().await.clone();
    assert_eq!(
        log,
        [
            "first page head sent",
            "continue asked",
            "first page rest sent"
        ],
        "the continuation must be asked for before the first page has ended"
    );
}
