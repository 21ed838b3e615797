//! `vcaudit anonymise` end to end on the demo sample and on a vcsim snapshot: no name, UUID or
//! address of the input survives in the output, the key and map are private, the same key gives
//! the same output, and auditing the anonymised snapshot gives the same findings and summary
//! row for row under the mapping.

mod support;

use std::collections::HashMap;
use std::path::Path;
use support::*;
use vcaudit::snapshot;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every identifying string of a snapshot that the output must not contain.
fn identifiers(path: &Path) -> Vec<String> {
    let snap = snapshot::read(path).unwrap();
    let mut v: Vec<String> = Vec::new();
    let mut add = |s: &str| v.push(s.to_string());
    for vc in &snap.vcenters {
        add(&vc.server);
        if let Some(host) = vc.server.split(':').next() {
            add(host);
        }
        vc.about.instance_uuid.iter().for_each(|u| add(u));
        vc.datacenters.iter().for_each(|d| add(&d.name));
        vc.clusters.iter().for_each(|c| add(&c.name));
        vc.datastores.iter().for_each(|d| add(&d.name));
        vc.storage_pods.iter().for_each(|d| add(&d.name));
        for h in &vc.hosts {
            add(&h.name);
            h.tags.iter().for_each(|t| add(t));
        }
        for vm in &vc.vms {
            add(&vm.name);
            vm.bios_uuid.iter().for_each(|u| add(&u.to_string()));
            vm.instance_uuid.iter().for_each(|u| add(&u.to_string()));
            vm.tags.iter().for_each(|t| t.split(':').for_each(&mut add));
            vm.folder
                .iter()
                .flat_map(|f| f.split('/'))
                .filter(|c| *c != "vm")
                .for_each(&mut add);
            for n in vm.nics.iter().flatten() {
                n.mac.iter().for_each(|m| add(&m.to_string()));
                n.network.iter().for_each(|m| add(m));
                n.ip_addresses.iter().for_each(|ip| add(ip));
            }
            if let Some(d) = &vm.details {
                d.dns_name.iter().for_each(|m| add(m));
                d.primary_ip.iter().for_each(|m| add(m));
                d.vmx_path.iter().for_each(|m| add(&m.to_string()));
            }
            for g in &vm.guest_disks {
                if !vcaudit::anonymise::WELL_KNOWN_PATHS.contains(&g.path.trim_end_matches('/'))
                    && g.path.len() > 3
                {
                    add(&g.path);
                }
            }
        }
    }
    // Short strings (a one-letter folder) occur by chance; everything of four characters and
    // more must be gone.
    v.retain(|s| s.chars().count() >= 4);
    v.sort();
    v.dedup();
    v
}

/// Whether `id` occurs in `text` as a whole token: not inside a longer run of letters and
/// digits. Pseudonyms are random letters, so a short original such as the tag `gold` turns up
/// inside one by chance now and then; that is no leak, `"gold"` or `dr-tier:gold` would be.
fn contains_token(text: &str, id: &str) -> bool {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    text.match_indices(id).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + id.len()..].chars().next();
        !(alnum(before) && id.starts_with(|c: char| c.is_alphanumeric())
            || alnum(after) && id.ends_with(|c: char| c.is_alphanumeric()))
    })
}

#[test]
fn a_token_is_found_whole_not_inside_a_pseudonym() {
    assert!(contains_token(r#"{"tag":"dr-tier:gold"}"#, "gold"));
    assert!(contains_token(r#"["gold"]"#, "gold"));
    assert!(!contains_token(r#"{"name":"xkgoldqe"}"#, "gold"));
    assert!(contains_token("[ds1] web01/web01.vmx", "[ds1] web01"));
}

fn text_of(path: &Path) -> String {
    serde_json::to_string(&snapshot::read(path).unwrap()).unwrap()
}

/// Anonymises `input`, checks what must hold, and returns the map (pseudonym -> original).
fn check_anonymised(dir: &Path, input: &Path) -> HashMap<String, String> {
    let out = dir.join("anon.json.zst");
    let key = dir.join("key");
    let map = dir.join("map.csv");
    let r = vcaudit(
        &[
            "anonymise",
            s(input),
            s(&out),
            "--key-file",
            s(&key),
            "--map",
            s(&map),
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    #[cfg(unix)]
    for f in [&key, &map] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is private", f.display());
    }

    let text = text_of(&out);
    let ids = identifiers(input);
    assert!(ids.len() > 20, "the input has identifiers to hide: {ids:?}");
    let left: Vec<&String> = ids
        .iter()
        .filter(|i| contains_token(&text, i.as_str()))
        .collect();
    assert!(left.is_empty(), "identifiers left in the output: {left:?}");

    // The same key gives the same output.
    let again = dir.join("again.json");
    let r = vcaudit(
        &["anonymise", s(input), s(&again), "--key-file", s(&key)],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(text_of(&again), text);
    // Without a key, a fresh one: other pseudonyms.
    let other = dir.join("other.json");
    let r = vcaudit(&["anonymise", s(input), s(&other)], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(text_of(&other), text);

    let mut m = HashMap::new();
    for row in Table::read(&map).rows {
        m.insert(row["pseudonym"].clone(), row["original"].clone());
    }
    // The original of a CSV cell's pseudonym, as the CSV cell the original makes: CSV text
    // cells are formula-safe, the map holds raw names.
    let original = |cell: &str| {
        let raw = cell
            .strip_prefix('\'')
            .filter(|r| r.starts_with(['=', '+', '-', '@', '\t', '\r']))
            .unwrap_or(cell);
        m.get(raw).map(|o| text_cell(o))
    };
    // The audits agree row for row under the mapping.
    let (a, b) = (dir.join("a"), dir.join("b"));
    let ra = vcaudit(&["audit", "--snapshot", s(input), "--out", s(&a)], None);
    let rb = vcaudit(&["audit", "--snapshot", s(&out), "--out", s(&b)], None);
    assert_eq!(ra.code, rb.code, "{}\n{}", ra.stderr, rb.stderr);
    assert_eq!(
        std::fs::read_to_string(a.join("summary.csv")).unwrap(),
        std::fs::read_to_string(b.join("summary.csv")).unwrap()
    );
    let fa = Table::read(&a.join("findings.csv"));
    let fb = Table::read(&b.join("findings.csv"));
    assert_eq!(fa.rows.len(), fb.rows.len());
    assert!(!fa.rows.is_empty());
    for (x, y) in fa.rows.iter().zip(&fb.rows) {
        for col in ["object_type", "rule", "severity", "status"] {
            assert_eq!(x[col], y[col], "{x:?} / {y:?}");
        }
        assert_eq!(
            original(&y["object"]),
            Some(x["object"].clone()),
            "{x:?} / {y:?}"
        );
    }
    let va = Table::read(&a.join("vms.csv"));
    let vb = Table::read(&b.join("vms.csv"));
    assert_eq!(va.rows.len(), vb.rows.len());
    for (x, y) in va.rows.iter().zip(&vb.rows) {
        assert_eq!(x["readiness"], y["readiness"]);
        assert_eq!(original(&y["vm"]), Some(x["vm"].clone()));
        assert_eq!(x["vm"].chars().count(), y["vm"].chars().count());
    }
    m
}

#[test]
fn the_demo_sample_anonymises_without_a_trace_and_audits_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo-estate.json.zst");
    check_anonymised(dir.path(), &sample);
}

#[test]
fn a_vcsim_snapshot_anonymises_without_a_trace_and_audits_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::audit();
    let snap = dir.path().join("vcsim.json");
    let r = vcaudit(
        &sim.args("collect", &["--snapshot", s(&snap)]),
        Some(PASSWORD),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    check_anonymised(dir.path(), &snap);
}

#[test]
fn bad_keys_and_inputs_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/demo-estate.json.zst");
    let key = dir.path().join("key");
    std::fs::write(&key, "not a key\n").unwrap();
    let out = dir.path().join("o.json");
    let r = vcaudit(
        &["anonymise", s(&sample), s(&out), "--key-file", s(&key)],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a vcaudit key"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1);
    assert!(!out.exists(), "nothing written");
    let r = vcaudit(&["anonymise", s(&key), s(&out)], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!out.exists());
}
