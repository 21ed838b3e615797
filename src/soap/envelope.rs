//! SOAP 1.1 envelopes: building requests and opening responses.
//!
//! A response body is read as a stream: [`open_body`] walks `Envelope > Body` and stops at the
//! method's response element (or decodes a `Fault`), leaving the caller positioned to stream the
//! `returnval` children one at a time.

use super::xml::{Node, Start, XmlError, XmlStream, escape};
use tokio::io::AsyncBufRead;

/// Wraps a method body in a SOAP envelope that declares the namespaces requests use.
pub fn envelope(body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 320);
    s.push_str(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>"#,
    );
    s.push_str(body);
    s.push_str("</soapenv:Body></soapenv:Envelope>");
    s
}

/// A managed object reference as a request element: `<name type="T">value</name>`.
pub fn moref_element(name: &str, mo_type: &str, value: &str) -> String {
    format!(
        r#"<{name} type="{}">{}</{name}>"#,
        escape(mo_type),
        escape(value)
    )
}

/// A text element with its content escaped.
pub fn text_element(name: &str, value: &str) -> String {
    format!("<{name}>{}</{name}>", escape(value))
}

/// A SOAP fault as vCenter sends it: the fault type from `detail` and the fault string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The vim25 fault type, e.g. `InvalidLogin`, `NotAuthenticated`; empty when no detail.
    pub kind: String,
    /// `faultstring`.
    pub message: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.kind.is_empty(), self.message.is_empty()) {
            (false, true) => f.write_str(&self.kind),
            (true, _) => f.write_str(&self.message),
            (false, false) => write!(f, "{}: {}", self.kind, self.message),
        }
    }
}

impl Fault {
    /// Decodes a `Fault` element.
    pub fn from_node(node: Node<'_>) -> Fault {
        let message = node
            .text_at(&["faultstring"])
            .unwrap_or_default()
            .trim()
            .to_string();
        let kind = node
            .child("detail")
            .and_then(|d| d.children().next())
            .map(|d| match d.xsi_type() {
                Some(t) => t.to_string(),
                None => d
                    .name()
                    .strip_suffix("Fault")
                    .unwrap_or(d.name())
                    .to_string(),
            })
            .unwrap_or_default();
        Fault { kind, message }
    }
}

/// What the start of a response body held.
pub enum Opened {
    /// The method's response element was found; its children (`returnval`) follow in the stream.
    Response,
    /// The body held a SOAP fault.
    Fault(Fault),
}

/// Descends `Envelope > Body` and stops inside the first body element: the method response, or
/// a fault, which is decoded whole.
pub async fn open_body<R: AsyncBufRead + Unpin>(
    stream: &mut XmlStream<R>,
) -> Result<Opened, XmlError> {
    let envelope = expect_start(stream, "Envelope").await?;
    if envelope.empty {
        return Err(XmlError::Malformed("empty SOAP envelope".into()));
    }
    loop {
        let child = stream
            .next_child()
            .await?
            .ok_or_else(|| XmlError::Malformed("SOAP envelope without a Body".into()))?;
        if child.name == "Body" {
            if child.empty {
                return Err(XmlError::Malformed("empty SOAP Body".into()));
            }
            break;
        }
        stream.skip(&child).await?;
    }
    let first = stream
        .next_child()
        .await?
        .ok_or_else(|| XmlError::Malformed("empty SOAP Body".into()))?;
    if first.name == "Fault" {
        let tree = stream.read_node(first).await?;
        return Ok(Opened::Fault(Fault::from_node(tree.root())));
    }
    // For `<XResponse/>` (no returnval at all) the caller's next_child() meets the Body's end tag
    // and stops, exactly as after the last returnval of a non-empty response.
    Ok(Opened::Response)
}

async fn expect_start<R: AsyncBufRead + Unpin>(
    stream: &mut XmlStream<R>,
    name: &str,
) -> Result<Start, XmlError> {
    loop {
        match stream.next().await? {
            super::xml::Step::Start(s) if s.name == name => return Ok(s),
            super::xml::Step::Start(s) => {
                return Err(XmlError::Malformed(format!(
                    "expected <{name}>, found <{}>",
                    s.name
                )));
            }
            super::xml::Step::Text(_) => continue,
            super::xml::Step::End => return Err(XmlError::Malformed(format!("expected <{name}>"))),
            super::xml::Step::Eof => return Err(XmlError::Truncated),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fault_detail_type_is_decoded() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot complete login due to an incorrect user name or password.</faultstring>
<detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
        let mut s = XmlStream::new(&body[..]);
        match open_body(&mut s).await.unwrap() {
            Opened::Fault(f) => {
                assert_eq!(f.kind, "InvalidLogin");
                assert!(f.message.starts_with("Cannot complete login"));
            }
            Opened::Response => panic!("expected a fault"),
        }
    }

    #[tokio::test]
    async fn fault_without_xsi_type_uses_element_name() {
        let body = br#"<Envelope><Body><Fault><faultstring>x</faultstring><detail><NotAuthenticatedFault/></detail></Fault></Body></Envelope>"#;
        let mut s = XmlStream::new(&body[..]);
        let Opened::Fault(f) = open_body(&mut s).await.unwrap() else {
            panic!()
        };
        assert_eq!(f.kind, "NotAuthenticated");
        assert_eq!(f.to_string(), "NotAuthenticated: x");
    }

    #[tokio::test]
    async fn not_an_envelope_is_malformed() {
        let mut s = XmlStream::new(&b"<html><body>hello</body></html>"[..]);
        assert!(matches!(
            open_body(&mut s).await,
            Err(XmlError::Malformed(_))
        ));
    }

    #[test]
    fn request_values_are_escaped() {
        let e = moref_element("_this", "Datastore", "/tmp/a&b<c>@folder-5");
        assert_eq!(
            e,
            r#"<_this type="Datastore">/tmp/a&amp;b&lt;c&gt;@folder-5</_this>"#
        );
    }
}
