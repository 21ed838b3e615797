//! The vim25 methods vcaudit calls, one function each. Every method here is listed in
//! `wsdl/vim25-subset.xsd`; a test checks that this file and the schema agree.

use super::client::{Client, Response, SoapError};
use super::envelope::{moref_element, text_element};
use super::types::{MoRef, ServiceContent};
use secrecy::{ExposeSecret, SecretString};

/// The method names this module sends, for the schema check.
pub const METHODS: &[&str] = &[
    "RetrieveServiceContent",
    "Login",
    "Logout",
    "CreateContainerView",
    "DestroyView",
    "RetrievePropertiesEx",
    "ContinueRetrievePropertiesEx",
    "CreateCollectorForEvents",
    "SetCollectorPageSize",
    "RewindCollector",
    "ReadNextEvents",
    "DestroyCollector",
];

fn this(mo: &MoRef) -> String {
    moref_element("_this", &mo.kind, &mo.value)
}

fn protocol(what: &str) -> SoapError {
    SoapError::Xml(super::xml::XmlError::Malformed(what.to_string()))
}

impl Client {
    /// `ServiceInstance.RetrieveServiceContent`: no session needed.
    pub async fn retrieve_service_content(&self) -> Result<ServiceContent, SoapError> {
        let body = format!(
            r#"<RetrieveServiceContent xmlns="urn:vim25">{}</RetrieveServiceContent>"#,
            this(&MoRef::new("ServiceInstance", "ServiceInstance"))
        );
        let nodes = self.call(&body).await?.into_nodes().await?;
        let node = nodes
            .iter()
            .map(|t| t.root())
            .find(|n| n.name() == "returnval")
            .ok_or_else(|| protocol("RetrieveServiceContent returned nothing"))?;
        Ok(ServiceContent::from_node(node))
    }

    /// `SessionManager.Login`. Any session cookie is cleared first: a still-valid cookie makes
    /// vCenter answer `InvalidLogin`.
    pub async fn login(
        &self,
        session_manager: &MoRef,
        user: &str,
        password: &SecretString,
    ) -> Result<(), SoapError> {
        self.clear_session();
        let body = format!(
            r#"<Login xmlns="urn:vim25">{}{}{}</Login>"#,
            this(session_manager),
            text_element("userName", user),
            text_element("password", password.expose_secret()),
        );
        // Never retried: a refused login repeated can lock the account, and a login whose
        // answer was lost may have opened a session (logged out by the caller if its cookie came).
        self.call_once(&body).await?.into_nodes().await?;
        Ok(())
    }

    /// `SessionManager.Logout`; the cookie is forgotten whatever the answer.
    pub async fn logout(&self, session_manager: &MoRef) -> Result<(), SoapError> {
        let body = format!(
            r#"<Logout xmlns="urn:vim25">{}</Logout>"#,
            this(session_manager)
        );
        let result = match self.call_once(&body).await {
            Ok(resp) => resp.into_nodes().await.map(|_| ()).map_err(SoapError::from),
            Err(e) => Err(e),
        };
        self.clear_session();
        result
    }

    /// `ViewManager.CreateContainerView`, recursive, for the given managed object types.
    pub async fn create_container_view(
        &self,
        view_manager: &MoRef,
        container: &MoRef,
        types: &[&str],
    ) -> Result<MoRef, SoapError> {
        let mut body = format!(
            r#"<CreateContainerView xmlns="urn:vim25">{}{}"#,
            this(view_manager),
            moref_element("container", &container.kind, &container.value)
        );
        for t in types {
            body.push_str(&text_element("type", t));
        }
        body.push_str("<recursive>true</recursive></CreateContainerView>");
        let nodes = self.call(&body).await?.into_nodes().await?;
        nodes
            .iter()
            .map(|t| t.root())
            .find(|n| n.name() == "returnval")
            .and_then(MoRef::from_node)
            .ok_or_else(|| protocol("CreateContainerView returned no view"))
    }

    /// `View.DestroyView`.
    pub async fn destroy_view(&self, view: &MoRef) -> Result<(), SoapError> {
        let body = format!(
            r#"<DestroyView xmlns="urn:vim25">{}</DestroyView>"#,
            this(view)
        );
        self.call(&body).await?.into_nodes().await?;
        Ok(())
    }

    /// `PropertyCollector.RetrievePropertiesEx` with a ready-made `specSet` and `maxObjects`.
    /// The response is returned unread, to be streamed.
    pub async fn retrieve_properties_ex(
        &self,
        collector: &MoRef,
        spec_set: &str,
        max_objects: u32,
    ) -> Result<Response, SoapError> {
        let body = format!(
            r#"<RetrievePropertiesEx xmlns="urn:vim25">{}{spec_set}<options><maxObjects>{max_objects}</maxObjects></options></RetrievePropertiesEx>"#,
            this(collector)
        );
        self.call(&body).await
    }

    /// `PropertyCollector.ContinueRetrievePropertiesEx` for the next page.
    pub async fn continue_retrieve_properties_ex(
        &self,
        collector: &MoRef,
        token: &str,
    ) -> Result<Response, SoapError> {
        let body = format!(
            r#"<ContinueRetrievePropertiesEx xmlns="urn:vim25">{}{}</ContinueRetrievePropertiesEx>"#,
            this(collector),
            text_element("token", token)
        );
        self.call(&body).await
    }

    /// `EventManager.CreateCollectorForEvents` for events since `begin` (RFC 3339) of the given
    /// `eventTypeId`s. vcsim ignores the time filter; callers filter again.
    pub async fn create_collector_for_events(
        &self,
        event_manager: &MoRef,
        begin: &str,
        type_ids: &[&str],
    ) -> Result<MoRef, SoapError> {
        let mut body = format!(
            r#"<CreateCollectorForEvents xmlns="urn:vim25">{}<filter><time>{}</time>"#,
            this(event_manager),
            text_element("beginTime", begin)
        );
        for id in type_ids {
            body.push_str(&text_element("eventTypeId", id));
        }
        body.push_str("</filter></CreateCollectorForEvents>");
        let nodes = self.call(&body).await?.into_nodes().await?;
        nodes
            .iter()
            .map(|t| t.root())
            .find(|n| n.name() == "returnval")
            .and_then(MoRef::from_node)
            .ok_or_else(|| protocol("CreateCollectorForEvents returned no collector"))
    }

    /// `HistoryCollector.SetCollectorPageSize`.
    pub async fn set_collector_page_size(
        &self,
        collector: &MoRef,
        size: u32,
    ) -> Result<(), SoapError> {
        let body = format!(
            r#"<SetCollectorPageSize xmlns="urn:vim25">{}<maxCount>{size}</maxCount></SetCollectorPageSize>"#,
            this(collector)
        );
        self.call(&body).await?.into_nodes().await?;
        Ok(())
    }

    /// `HistoryCollector.RewindCollector`: back to the oldest event.
    pub async fn rewind_collector(&self, collector: &MoRef) -> Result<(), SoapError> {
        let body = format!(
            r#"<RewindCollector xmlns="urn:vim25">{}</RewindCollector>"#,
            this(collector)
        );
        self.call(&body).await?.into_nodes().await?;
        Ok(())
    }

    /// `EventHistoryCollector.ReadNextEvents`: up to `max` events; empty when done.
    pub async fn read_next_events(
        &self,
        collector: &MoRef,
        max: u32,
    ) -> Result<Vec<super::xml::Tree>, SoapError> {
        let body = format!(
            r#"<ReadNextEvents xmlns="urn:vim25">{}<maxCount>{max}</maxCount></ReadNextEvents>"#,
            this(collector)
        );
        let nodes = self.call(&body).await?.into_nodes().await?;
        Ok(nodes
            .into_iter()
            .filter(|t| t.root().name() == "returnval")
            .collect())
    }

    /// `HistoryCollector.DestroyCollector`.
    pub async fn destroy_collector(&self, collector: &MoRef) -> Result<(), SoapError> {
        let body = format!(
            r#"<DestroyCollector xmlns="urn:vim25">{}</DestroyCollector>"#,
            this(collector)
        );
        self.call(&body).await?.into_nodes().await?;
        Ok(())
    }
}
