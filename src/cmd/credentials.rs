//! Where the server, user and password come from, and TLS options, shared by every subcommand
//! that talks to vCenter.
//!
//! The password never travels in an option: it comes from `VCAUDIT_PASSWORD` (then
//! `GOVC_PASSWORD`), from `--password-file`, or from a prompt when stdin is a terminal.

use crate::model::TagScope;
use crate::target::{DEFAULT_TIMEOUT, Target, parse_server};
use crate::tls::{Thumbprint, TlsMode};
use clap::Args;
use secrecy::SecretString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// Connection options.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectArgs {
    /// vCenter to audit: host, host:port or `https://host[:port]/sdk`. Repeat for several.
    /// Default: $VCAUDIT_SERVER, then $GOVC_URL.
    #[arg(long, value_name = "URL")]
    pub server: Vec<String>,

    /// A TOML file listing vCenters, each with its server, user, password source and TLS
    /// setting. Combined with any --server.
    #[arg(long, value_name = "FILE")]
    pub estate: Option<PathBuf>,

    /// User name. Default: $VCAUDIT_USERNAME, then $GOVC_USERNAME.
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Read the password from the first line of this file (instead of $VCAUDIT_PASSWORD).
    #[arg(long, value_name = "PATH")]
    pub password_file: Option<PathBuf>,

    /// Do not verify the server's TLS certificate (also $VCAUDIT_INSECURE=1 or $GOVC_INSECURE=1).
    #[arg(long, conflicts_with_all = ["ca_file", "thumbprint"])]
    pub insecure: bool,

    /// Trust the CA certificates in this PEM file, besides the system's. Repeatable.
    #[arg(long, value_name = "PEM", conflicts_with = "thumbprint")]
    pub ca_file: Vec<PathBuf>,

    /// Accept only the certificate with this SHA-256 fingerprint (AA:BB:... or plain hex).
    #[arg(long, value_name = "SHA256")]
    pub thumbprint: Option<String>,

    /// Seconds to wait for a connection, and for each next byte of an answer (a slow answer that
    /// keeps coming is not cut off).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Seconds one vCenter may take in all; past it that vCenter fails and the others go on.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub deadline: Option<u64>,

    /// Tries per read-only call on a transient failure (refused or reset connection, timeout,
    /// HTTP 502/503/504), with growing pauses between them; 1 never retries. Login is never
    /// retried after a refusal.
    #[arg(long, value_name = "N", default_value_t = crate::target::DEFAULT_TRIES, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub retries: u32,

    /// Days of vCenter events to search for cross-vCenter migrations (0: do not read events;
    /// at most 3650).
    #[arg(long, value_name = "DAYS", default_value_t = crate::target::DEFAULT_EVENTS_DAYS,
          value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub events_days: u32,

    /// Audit only VMs carrying this vSphere tag (CATEGORY:TAG). Repeat for several: any of them.
    /// For every vCenter that sets no scope of its own in the estate file.
    #[arg(long, value_name = "CATEGORY:TAG")]
    pub tag: Vec<String>,

    /// Leave out VMs carrying this vSphere tag (CATEGORY:TAG). Repeatable.
    #[arg(long, value_name = "CATEGORY:TAG")]
    pub exclude_tag: Vec<String>,

    /// Fail a vCenter whose tags cannot be read, instead of auditing it without tags.
    #[arg(long)]
    pub require_tags: bool,
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_flag(name: &str) -> bool {
    matches!(
        env_nonempty(name).as_deref().map(str::trim),
        Some("1" | "true" | "TRUE" | "True" | "yes")
    )
}

/// Reads the password from a file: its first line, without the line ending.
pub fn read_password_file(path: &std::path::Path) -> Result<SecretString, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read --password-file {}: {e}", path.display()))?;
    let first = text.lines().next().unwrap_or_default();
    if first.is_empty() {
        return Err(format!(
            "--password-file {} is empty: put the password on its first line",
            path.display()
        ));
    }
    Ok(SecretString::from(first.to_string()))
}

impl ConnectArgs {
    /// The scope of `--tag` / `--exclude-tag`; `None` when neither is given.
    pub fn tag_scope(&self) -> Result<Option<TagScope>, String> {
        TagScope::parse(&self.tag, &self.exclude_tag, "--tag", "--exclude-tag")
    }

    /// The TLS mode from the options and the environment.
    pub fn tls_mode(&self) -> Result<TlsMode, String> {
        if let Some(t) = &self.thumbprint {
            let t: Thumbprint = t.parse().map_err(|e| format!("--thumbprint: {e}"))?;
            return Ok(TlsMode::Thumbprint(t));
        }
        if self.insecure {
            return Ok(TlsMode::Insecure);
        }
        if self.ca_file.is_empty()
            && let Some(var) = ["VCAUDIT_INSECURE", "GOVC_INSECURE"]
                .into_iter()
                .find(|v| env_flag(v))
        {
            log::warn!(
                "${var} is set: TLS certificates are not verified (unset it, or use --thumbprint)"
            );
            return Ok(TlsMode::Insecure);
        }
        Ok(TlsMode::Verify {
            ca_files: self.ca_file.clone(),
        })
    }

    /// The servers named on the command line, else in the environment.
    pub fn servers(&self) -> Vec<String> {
        if !self.server.is_empty() {
            return self.server.clone();
        }
        env_nonempty("VCAUDIT_SERVER")
            .or_else(|| env_nonempty("GOVC_URL"))
            .into_iter()
            .collect()
    }

    /// The user from the option, else the environment.
    pub fn user(&self) -> Option<String> {
        self.user
            .clone()
            .or_else(|| env_nonempty("VCAUDIT_USERNAME"))
            .or_else(|| env_nonempty("GOVC_USERNAME"))
    }

    /// The password: --password-file, else $VCAUDIT_PASSWORD, else $GOVC_PASSWORD, else a prompt
    /// when stdin is a terminal.
    pub fn password(&self, user: &str, server: &str) -> Result<SecretString, String> {
        if let Some(path) = &self.password_file {
            return read_password_file(path);
        }
        if let Some(p) = std::env::var("VCAUDIT_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
        {
            return Ok(SecretString::from(p));
        }
        if let Some(p) = std::env::var("GOVC_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
        {
            return Ok(SecretString::from(p));
        }
        if std::io::stdin().is_terminal() {
            let p = rpassword::prompt_password(format!("Password for {user} at {server}: "))
                .map_err(|e| format!("cannot read the password from the terminal: {e}"))?;
            if p.is_empty() {
                return Err("empty password".into());
            }
            return Ok(SecretString::from(p));
        }
        Err("no password: set VCAUDIT_PASSWORD, use --password-file PATH, or run in a terminal to be prompted".into())
    }

    /// Every target named (`--server`, `--estate`), each vCenter once. Estate entries override
    /// the command line's user, password source and TLS mode; errors are usage errors.
    pub fn targets(&self) -> Result<Vec<Target>, String> {
        let entries = match &self.estate {
            Some(path) => crate::estate_file::load(path)?,
            None => Vec::new(),
        };
        let servers = if self.server.is_empty() && !entries.is_empty() {
            Vec::new()
        } else {
            self.servers()
        };
        if servers.is_empty() && entries.is_empty() {
            return Err(
                "no vCenter named: use --server HOST or --estate FILE (or set VCAUDIT_SERVER)"
                    .into(),
            );
        }
        let default_tls = self.tls_mode()?;
        let default_scope = self.tag_scope()?;
        let mut shared_password: Option<SecretString> = None;
        let mut targets: Vec<Target> = Vec::new();
        let push = |t: Target, targets: &mut Vec<Target>| {
            if targets.iter().any(|o| o.url == t.url) {
                log::info!("{} is named more than once; auditing it once", t.label);
            } else {
                targets.push(t);
            }
        };
        for s in &servers {
            let (label, url) = parse_server(s)?;
            let user = self
                .user()
                .ok_or("no user: use --user NAME (or set VCAUDIT_USERNAME)")?;
            let password = match &shared_password {
                Some(p) => p.clone(),
                None => {
                    let p = self.password(&user, &label)?;
                    shared_password = Some(p.clone());
                    p
                }
            };
            push(
                self.target(
                    label,
                    url,
                    user,
                    password,
                    default_tls.clone(),
                    default_scope.clone(),
                ),
                &mut targets,
            );
        }
        let file = self
            .estate
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        for e in entries {
            let (label, url) =
                parse_server(&e.server).map_err(|m| format!("estate file {file}: {m}"))?;
            let user = e.user.clone().or_else(|| self.user()).ok_or_else(|| {
                format!("no user for {label}: set user in the estate file or use --user NAME")
            })?;
            let password = if let Some(var) = &e.password_env {
                std::env::var(var)
                    .ok()
                    .filter(|p| !p.is_empty())
                    .map(SecretString::from)
                    .ok_or_else(|| {
                        format!("{var} is not set (the password_env of {label} in {file})")
                    })?
            } else if let Some(path) = &e.password_file {
                read_password_file(path)?
            } else {
                match &shared_password {
                    Some(p) => p.clone(),
                    None => {
                        let p = self.password(&user, &label)?;
                        shared_password = Some(p.clone());
                        p
                    }
                }
            };
            let tls = if e.insecure == Some(true) {
                TlsMode::Insecure
            } else if let Some(t) = &e.thumbprint {
                TlsMode::Thumbprint(
                    t.parse()
                        .map_err(|m| format!("estate file {file}: thumbprint of {label}: {m}"))?,
                )
            } else if let Some(ca) = &e.ca_file {
                TlsMode::Verify {
                    ca_files: vec![ca.clone()],
                }
            } else {
                default_tls.clone()
            };
            let scope = TagScope::parse(
                &e.tag,
                &e.exclude_tag,
                &format!("estate file {file}: tag of {label}"),
                &format!("estate file {file}: exclude_tag of {label}"),
            )?
            .or_else(|| default_scope.clone());
            push(
                self.target(label, url, user, password, tls, scope),
                &mut targets,
            );
        }
        Ok(targets)
    }

    fn target(
        &self,
        label: String,
        url: url::Url,
        user: String,
        password: SecretString,
        tls: TlsMode,
        scope: Option<TagScope>,
    ) -> Target {
        Target {
            label,
            url,
            user,
            password,
            tls,
            timeout: Duration::from_secs(self.timeout),
            deadline: self.deadline.map(Duration::from_secs),
            tries: self.retries,
            events_days: self.events_days,
            scope,
            require_tags: self.require_tags,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_file_first_line_only() {
        use secrecy::ExposeSecret;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        std::fs::write(&p, "s3cret\r\nsecond line\n").unwrap();
        assert_eq!(read_password_file(&p).unwrap().expose_secret(), "s3cret");
        std::fs::write(&p, "\n").unwrap();
        assert!(read_password_file(&p).unwrap_err().contains("is empty"));
        let missing = dir.path().join("nope");
        assert!(
            read_password_file(&missing)
                .unwrap_err()
                .contains("cannot read --password-file")
        );
    }

    #[test]
    fn thumbprint_option_errors_are_prefixed() {
        let a = ConnectArgs {
            thumbprint: Some("12".into()),
            ..Default::default()
        };
        assert!(a.tls_mode().unwrap_err().starts_with("--thumbprint:"));
    }
}
