//! Cross-vCenter vMotion events: read through an event history collector, paged until done, and
//! filtered on the client for the look-back window and the event ids (vcsim ignores both
//! filters; vCenter honours them, so sending them still saves traffic there).

use crate::model::MigrationEvent;
use crate::soap::xml::Node;
use crate::soap::{Client, MoRef, SoapError};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `EventEx` ids of cross-vCenter migrations, and whether each is the failed form.
pub const MIGRATION_EVENT_IDS: &[(&str, bool)] = &[
    ("com.vmware.vc.vm.SrcVmMigratedEvent", false),
    ("com.vmware.vc.vm.DstVmMigratedEvent", false),
    ("com.vmware.vc.vm.SrcVmMigrateFailedEvent", true),
    ("com.vmware.vc.vm.DstVmMigrateFailedEvent", true),
];

/// The most `ReadNextEvents` pages read (a million events); more is an endless stream.
const MAX_EVENT_PAGES: u32 = 1000;

/// Events per `ReadNextEvents` call (vCenter's and vcsim's maximum).
const PAGE: u32 = 1000;

/// Reads the migration events of the last `days` days. A fault (typically `NoPermission`) is
/// returned as `Ok(Err(reason))` so the caller can report it and go on; transport errors abort.
pub async fn read_migration_events(
    client: &Client,
    event_manager: &MoRef,
    days: u32,
    now: OffsetDateTime,
) -> Result<Result<Vec<MigrationEvent>, String>, SoapError> {
    // Saturates at the earliest representable time rather than panicking on a huge `days`.
    let begin = now
        .checked_sub(time::Duration::days(i64::from(days)))
        .unwrap_or(time::PrimitiveDateTime::MIN.assume_utc());
    let begin_text = begin.format(&Rfc3339).unwrap_or_default();
    // "EventEx" too: vcsim matches eventTypeId against class names only.
    let mut ids: Vec<&str> = MIGRATION_EVENT_IDS.iter().map(|(id, _)| *id).collect();
    ids.push("EventEx");
    let collector = match client
        .create_collector_for_events(event_manager, &begin_text, &ids)
        .await
    {
        Ok(c) => c,
        Err(SoapError::Fault(f)) => return Ok(Err(f.to_string())),
        Err(e) => return Err(e),
    };
    let result = read_all(client, &collector, begin).await;
    if let Err(e) = client.destroy_collector(&collector).await {
        log::debug!("DestroyCollector failed: {e}");
    }
    match result {
        Ok(events) => Ok(Ok(events)),
        Err(SoapError::Fault(f)) => Ok(Err(f.to_string())),
        Err(e) => Err(e),
    }
}

async fn read_all(
    client: &Client,
    collector: &MoRef,
    begin: OffsetDateTime,
) -> Result<Vec<MigrationEvent>, SoapError> {
    client.set_collector_page_size(collector, PAGE).await?;
    client.rewind_collector(collector).await?;
    let mut out = Vec::new();
    for pages in 0.. {
        let page = client.read_next_events(collector, PAGE).await?;
        if page.is_empty() {
            break;
        }
        if pages >= MAX_EVENT_PAGES {
            return Err(SoapError::Limit(format!(
                "the event collector sent more than {MAX_EVENT_PAGES} pages of events: not a vSphere answer"
            )));
        }
        out.extend(page.iter().filter_map(|t| migration_event(t.root(), begin)));
    }
    out.sort_by(|a, b| a.time.cmp(&b.time).then(a.vm_moref.cmp(&b.vm_moref)));
    Ok(out)
}

/// Decodes one event when it is a migration event within the window.
pub fn migration_event(node: Node<'_>, begin: OffsetDateTime) -> Option<MigrationEvent> {
    let id = node.text_at(&["eventTypeId"])?.trim();
    let failed = MIGRATION_EVENT_IDS
        .iter()
        .find(|(known, _)| *known == id)?
        .1;
    let time_text = node.text_at(&["createdTime"])?.trim();
    let time = OffsetDateTime::parse(time_text, &Rfc3339).ok()?;
    if time < begin {
        return None;
    }
    let vm_moref = node
        .text_at(&["vm", "vm"])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| {
            (node.text_at(&["objectType"]).map(str::trim) == Some("VirtualMachine"))
                .then(|| node.text_at(&["objectId"]).map(str::trim))
                .flatten()
        })?
        .to_string();
    Some(MigrationEvent {
        event_type_id: id.to_string(),
        time: time
            .format(&Rfc3339)
            .unwrap_or_else(|_| time_text.to_string()),
        vm_moref,
        vm_name: node
            .text_at(&["vm", "name"])
            .map(super::decode::unescape_name),
        failed,
        message: node.string_at(&["fullFormattedMessage"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::xml::parse_document;

    #[tokio::test]
    async fn decodes_migration_events_and_filters_the_window() {
        let doc = br#"<returnval xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="EventEx">
            <key>42</key><createdTime>2026-11-20T10:00:00.123Z</createdTime>
            <vm><name>web-01</name><vm type="VirtualMachine">vm-57</vm></vm>
            <fullFormattedMessage>Migrated to vc02</fullFormattedMessage>
            <eventTypeId>com.vmware.vc.vm.SrcVmMigratedEvent</eventTypeId></returnval>"#;
        let tree = parse_document(doc).await.unwrap();
        let node = tree.root();
        let begin = OffsetDateTime::parse("2026-11-01T00:00:00Z", &Rfc3339).unwrap();
        let e = migration_event(node, begin).unwrap();
        assert_eq!(e.vm_moref, "vm-57");
        assert_eq!(e.vm_name.as_deref(), Some("web-01"));
        assert!(!e.failed);
        let late = OffsetDateTime::parse("2026-11-21T00:00:00Z", &Rfc3339).unwrap();
        assert!(migration_event(node, late).is_none(), "outside the window");
    }

    #[tokio::test]
    async fn other_events_and_failed_forms() {
        let other = br#"<returnval><createdTime>2026-11-20T10:00:00Z</createdTime><eventTypeId>com.vmware.vc.vm.VmStateRevertedToSnapshot</eventTypeId><vm><vm type="VirtualMachine">vm-1</vm></vm></returnval>"#;
        let begin = OffsetDateTime::parse("2026-01-01T00:00:00Z", &Rfc3339).unwrap();
        assert!(migration_event(parse_document(other).await.unwrap().root(), begin).is_none());
        let failed = br#"<returnval><createdTime>2026-11-20T10:00:00Z</createdTime><eventTypeId>com.vmware.vc.vm.DstVmMigrateFailedEvent</eventTypeId><objectId>vm-9</objectId><objectType>VirtualMachine</objectType></returnval>"#;
        let e = migration_event(parse_document(failed).await.unwrap().root(), begin).unwrap();
        assert!(e.failed);
        assert_eq!(e.vm_moref, "vm-9");
    }
}
