//! `--estate FILE`: the vCenters of an estate in one TOML file.
//!
//! ```toml
//! [[vcenter]]
//! server = "vc01.corp.example"
//! user = "svc-audit@vsphere.local"
//! password_env = "VC01_PASSWORD"      # or: password_file = "/run/secrets/vc01"
//! ca_file = "/etc/ssl/corp-ca.pem"     # or: thumbprint = "AA:BB:..." or: insecure = true
//! tag = ["dr-tier:gold"]              # audit scope for this vCenter (optional)
//! exclude_tag = ["lifecycle:retired"]
//! ```
//!
//! A file never holds a password: `password` is refused with a message saying what to use.
//! Command-line options apply to every vCenter that does not set its own.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One `[[vcenter]]` entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EstateEntry {
    pub server: String,
    pub user: Option<String>,
    /// Name of the environment variable holding the password.
    pub password_env: Option<String>,
    /// File whose first line is the password.
    pub password_file: Option<PathBuf>,
    /// Present only to refuse it with a clear message.
    #[serde(default)]
    password: Option<toml::Value>,
    pub insecure: Option<bool>,
    pub ca_file: Option<PathBuf>,
    pub thumbprint: Option<String>,
    /// Only VMs carrying one of these `category:tag` pairs are audited.
    #[serde(default)]
    pub tag: Vec<String>,
    /// VMs carrying one of these `category:tag` pairs are skipped.
    #[serde(default)]
    pub exclude_tag: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EstateFile {
    #[serde(default)]
    vcenter: Vec<EstateEntry>,
}

/// Reads and checks an estate file; errors are one line naming the file and the key.
pub fn load(path: &Path) -> Result<Vec<EstateEntry>, String> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read --estate {shown}: {e}"))?;
    parse(&text, &shown.to_string())
}

/// Checks the text of an estate file; `shown` names the file in errors.
pub fn parse(text: &str, shown: &str) -> Result<Vec<EstateEntry>, String> {
    let file: EstateFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().replace('\n', " ");
        match e.span() {
            Some(span) => {
                let line = text[..span.start].matches('\n').count() + 1;
                format!("estate file {shown}, line {line}: {msg}")
            }
            None => format!("estate file {shown}: {msg}"),
        }
    })?;
    if file.vcenter.is_empty() {
        return Err(format!("estate file {shown} lists no [[vcenter]]"));
    }
    for (i, v) in file.vcenter.iter().enumerate() {
        let which = if v.server.is_empty() {
            format!("vcenter #{}", i + 1)
        } else {
            v.server.clone()
        };
        if v.password.is_some() {
            return Err(format!(
                "estate file {shown}: {which} has a password; keep secrets out of the file: use password_env = \"VAR\" or password_file = \"PATH\""
            ));
        }
        if v.server.trim().is_empty() {
            return Err(format!("estate file {shown}: {which} has no server"));
        }
        if v.password_env.is_some() && v.password_file.is_some() {
            return Err(format!(
                "estate file {shown}: {which} sets both password_env and password_file; keep one"
            ));
        }
        let tls = [
            v.insecure == Some(true),
            v.ca_file.is_some(),
            v.thumbprint.is_some(),
        ];
        if tls.iter().filter(|b| **b).count() > 1 {
            return Err(format!(
                "estate file {shown}: {which} sets more than one of insecure, ca_file, thumbprint; keep one"
            ));
        }
    }
    Ok(file.vcenter)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<Vec<EstateEntry>, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("estate.toml");
        std::fs::write(&p, text).unwrap();
        load(&p)
    }

    #[test]
    fn reads_entries() {
        let e = load_str(
            r#"
[[vcenter]]
server = "vc01"
user = "a"
password_env = "VC01_PW"
thumbprint = "AA"
tag = ["dr-tier:gold"]

[[vcenter]]
server = "vc02:8443"
insecure = true
"#,
        )
        .unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].password_env.as_deref(), Some("VC01_PW"));
        assert_eq!(e[0].tag, vec!["dr-tier:gold"]);
        assert_eq!(e[1].insecure, Some(true));
    }

    #[test]
    fn refuses_passwords_unknown_keys_and_conflicts() {
        let e = load_str("[[vcenter]]\nserver = \"vc01\"\npassword = \"hunter2\"\n").unwrap_err();
        assert!(e.contains("password_env") && !e.contains("hunter2"), "{e}");
        let e = load_str("[[vcenter]]\nserver = \"vc01\"\nusr = \"x\"\n").unwrap_err();
        assert!(e.contains("usr") && e.contains("line 3"), "{e}");
        let e = load_str("[[vcenter]]\nserver = \"vc01\"\ninsecure = true\nca_file = \"x.pem\"\n")
            .unwrap_err();
        assert!(e.contains("more than one"), "{e}");
        let e = load_str("").unwrap_err();
        assert!(e.contains("no [[vcenter]]"), "{e}");
        let e = load_str("[[vcenter]]\nuser = \"x\"\n").unwrap_err();
        assert!(e.contains("server"), "{e}");
    }
}
