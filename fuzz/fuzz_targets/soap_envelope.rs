//! The streaming XML reader and the SOAP envelope/fault opener on any bytes: a response body is
//! opened as the client opens it (`open_body`), then every child is read as a tree, as small
//! responses are (`RetrieveServiceContent`, `Login`); the whole document is also parsed as one
//! tree (`parse_document`). Errors are fine; panics, hangs and memory blow-ups are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vcaudit::soap::envelope::{Opened, open_body};
use vcaudit::soap::types::ServiceContent;
use vcaudit::soap::xml::{XmlStream, parse_document};

fuzz_target!(|data: &[u8]| {
    // One runtime for every input: building one per input cost most of the time.
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let rt = RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    });
    rt.block_on(async {
        let mut s = XmlStream::new(data);
        if let Ok(Opened::Response) = open_body(&mut s).await {
            while let Ok(Some(start)) = s.next_child().await {
                match s.read_node(start).await {
                    Ok(tree) => {
                        let _ = ServiceContent::from_node(tree.root());
                    }
                    Err(_) => break,
                }
            }
        }
        let _ = parse_document(data).await;
    });
});
