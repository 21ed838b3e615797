//! The vim25 SOAP client, in layers as govmomi has them:
//! - [`xml`]: streaming XML reading into small trees ([`tree`]), `xsi:type` by namespace URI;
//! - [`envelope`]: request envelopes, response bodies and faults;
//! - [`client`]: the HTTP transport, session cookie, `SOAPAction`, timeouts;
//! - [`types`]: the protocol's own data objects (references, service content, object content);
//! - [`methods`]: one function per vim25 method called;
//! - [`property`]: property collector and container view helpers with the paging loop;
//! - [`session`]: login and the guaranteed logout.

pub mod client;
pub mod envelope;
pub mod methods;
pub mod property;
mod scan;
pub mod session;
pub mod tree;
pub mod types;
pub mod xml;

pub use client::{Client, SoapError};
pub use types::{MoRef, ObjectContent, ServiceContent};
