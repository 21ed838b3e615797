//! Tests of the compact forms: each renders back exactly the text it was made from.

use super::*;
use std::hash::BuildHasher;

#[test]
fn canonical_uuids_are_16_bytes_and_print_back_as_sent() {
    for (text, compact) in [
        ("4223c1a8-0f6e-8e2b-9b3e-2f1c5d6e7a8b", true),
        ("4223C1A8-0F6E-8E2B-9B3E-2F1C5D6E7A8B", true),
        ("00000000-0000-0000-0000-000000000000", true),
        ("12345678-1234-1234-1234-123456789012", true),
        ("4223c1a8-0f6e-8e2b-9b3e-2F1C5D6E7A8B", false),
        ("42 23 c1 a8 0f 6e 8e 2b-9b 3e 2f 1c 5d 6e 7a 8b", false),
        (" 4223c1a8-0f6e-8e2b-9b3e-2f1c5d6e7a8b", false),
        ("4223c1a80f6e8e2b9b3e2f1c5d6e7a8b", false),
        ("4223c1a8-0f6e-8e2b-9b3e-2f1c5d6e7a8g", false),
        ("4223c1a8+0f6e-8e2b-9b3e-2f1c5d6e7a8b", false),
        ("u1", false),
        ("", false),
        ("éééééééééééééééééé", false),
    ] {
        let u = Uuid::new(text);
        assert_eq!(u.is_compact(), compact, "{text:?}");
        assert_eq!(u.to_string(), text);
        assert_eq!(u.to_cow(), text);
        assert_eq!(u, *text);
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, serde_json::to_string(text).unwrap());
        assert_eq!(serde_json::from_str::<Uuid>(&json).unwrap(), u);
    }
    assert_ne!(
        Uuid::new("4223c1a8-0f6e-8e2b-9b3e-2f1c5d6e7a8b"),
        Uuid::new("4223C1A8-0F6E-8E2B-9B3E-2F1C5D6E7A8B"),
        "equal as the strings are"
    );
    // Odd texts are numbered once: the same text is the same UUID (and hashes alike), another
    // text is not, whichever was seen first.
    let hash = |u: &Uuid| foldhash::fast::FixedState::with_seed(1).hash_one(u);
    let (odd, again) = (
        Uuid::new("not-a-uuid"),
        Uuid::from(String::from("not-a-uuid")),
    );
    assert_eq!(odd, again);
    assert_eq!(hash(&odd), hash(&again));
    assert_ne!(odd, Uuid::new("not-a-uuid-2"));
    assert_ne!(Uuid::new("NOT-A-UUID"), odd);
    assert_eq!(Uuid::new("not-a-uuid-2").to_string(), "not-a-uuid-2");
    assert_eq!(std::mem::size_of::<Option<Uuid>>(), 17);
    assert_eq!(std::mem::align_of::<Option<Uuid>>(), 1);
}

#[test]
fn every_hex_digit_round_trips() {
    for d in "0123456789abcdefABCDEF".chars() {
        let upper = d.is_ascii_uppercase();
        let other = if upper { 'A' } else { '0' };
        let text: String = (0..36)
            .map(|i| match i {
                8 | 13 | 18 | 23 => '-',
                i if i % 3 == 0 => d,
                _ => other,
            })
            .collect();
        let u = Uuid::new(&text);
        assert!(u.is_compact(), "{text}");
        assert_eq!(u.to_string(), text);
    }
}

#[test]
fn usual_macs_are_6_bytes_and_print_back_as_sent() {
    for (text, compact) in [
        ("00:50:56:aa:bb:cc", true),
        ("00:50:56:AA:BB:CC", true),
        ("00:50:56:01:23:45", true),
        ("ff:ee:dd:cc:bb:a9", true),
        ("00:50:56:Aa:bb:cc", false),
        ("00-50-56-aa-bb-cc", false),
        ("00:50:56:aa:bb:cg", false),
        ("00:50:56:aa:bb:cc:", false),
        ("0:50:56:aa:bb:cc", false),
        ("", false),
    ] {
        let m = Mac::new(text);
        assert_eq!(m.is_compact(), compact, "{text:?}");
        assert_eq!(m.to_string(), text);
        assert_eq!(m, *text);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, serde_json::to_string(text).unwrap());
        assert_eq!(serde_json::from_str::<Mac>(&json).unwrap(), m);
    }
    assert_eq!(std::mem::size_of::<Option<Mac>>(), 16);
}

#[test]
fn usual_datastore_paths_are_held_in_pieces_and_print_back_as_sent() {
    for (path, compact) in [
        ("[ds1] web01/web01.vmdk", true),
        ("[ds1] web01/web01_1.vmdk", true),
        ("[ds-00001] vm0000001-vc1/vm0000001-vc1_0.vmdk", true),
        ("[ds1] web01/web01_123456789.vmdk", true),
        ("[ds1] web01/web01.vmx", true),
        ("[ds1] web01/web01_1.vmx", false),
        ("[ds1] web01/web02.vmx", false),
        ("[ds1] web01/web01.vmxf", false),
        ("[my ds] a b/a b_12.vmdk", true),
        ("[] x/x.vmdk", true),
        ("[a] b] x/x.vmdk", false),
        ("[ds1] web01/web01_01.vmdk", false),
        ("[ds1] web01/web01_1234567890.vmdk", false),
        ("[ds1] web01/web01_.vmdk", false),
        ("[ds1] web01/web01_x.vmdk", false),
        ("[ds1] web01/web01-flat.vmdk", false),
        ("[ds1] web01/web02.vmdk", false),
        ("[ds1] web01/web01.VMDK", false),
        ("[ds1] /web01.vmdk", false),
        ("[ds1] a/b/a.vmdk", false),
        ("[ds1]web01/web01.vmdk", false),
        ("ds1 web01/web01.vmdk", false),
        ("/vmfs/volumes/ds1/web01/web01.vmdk", false),
        ("", false),
    ] {
        let f = DatastorePath::new(path);
        assert_eq!(f.is_compact(), compact, "{path:?}");
        assert_eq!(f.to_string(), path);
        assert_eq!(f.to_cow(), path);
        assert_eq!(f, *path);
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, serde_json::to_string(path).unwrap());
        assert_eq!(serde_json::from_str::<DatastorePath>(&json).unwrap(), f);
    }
    assert_eq!(std::mem::size_of::<Option<DatastorePath>>(), 24);
}

#[test]
fn a_vms_disks_share_their_folder_name() {
    let a = DatastorePath::new("[ds1] web01/web01.vmdk");
    let b = DatastorePath::new("[ds2] web01/web01_1.vmdk");
    let c = DatastorePath::new("[ds2] web01/web01.vmx");
    let name = Shared::new("web01");
    for p in [&a, &b, &c] {
        let FileRepr::Parts { dir, .. } = &p.0 else {
            panic!("compact");
        };
        assert!(std::ptr::eq(dir.as_str(), name.as_str()));
    }
}
