//! What the user can do about an error, in terms of the command line.
//!
//! The TLS, SOAP and collect layers return typed errors and know no flag; the advice naming
//! `--server`, `--timeout`, `--deadline`, `--thumbprint`, `--ca-file` and `--insecure` is written
//! here, and [`vcenter_error`] is how every command shows a vCenter's failure;
//! [`snapshot_error`] a snapshot that cannot be read.

use crate::collect::VCenterError;
use crate::snapshot::SnapshotError;
use crate::tls::CertProblem;

/// What to do about a refused certificate: only options that would then work.
pub fn certificate(problem: &CertProblem) -> String {
    match problem {
        CertProblem::Untrusted {
            presented,
            ca_helps: true,
            ..
        } => format!(
            "use --ca-file PEM to trust its CA, --thumbprint {presented} to pin it, or --insecure to skip verification"
        ),
        CertProblem::Untrusted { presented, .. } => format!(
            "use --thumbprint {presented} to pin it if it is the vCenter's, or --insecure to skip verification"
        ),
        CertProblem::PinMismatch(_) => {
            "check --thumbprint against the vCenter's certificate".into()
        }
        CertProblem::Unusable(_) => {
            "check that --server names the vCenter you mean; do not pin or trust this server".into()
        }
    }
}

/// A vCenter's failure as one line, with the command-line advice where there is one.
pub fn vcenter_error(e: &VCenterError) -> String {
    let advice = match e {
        VCenterError::Certificate { problem, .. } => certificate(problem),
        VCenterError::Unreachable { .. } => "check --server and the network".into(),
        VCenterError::Http {
            code: 300..=399, ..
        } => "give --server the vCenter's own address".into(),
        VCenterError::Http { .. } => {
            "--server takes host, host:port or https://host[:port]/sdk".into()
        }
        VCenterError::Timeout { .. } => "raise --timeout if the vCenter is slow".into(),
        VCenterError::Deadline { .. } => "raise --deadline to give it longer".into(),
        _ => return e.to_string(),
    };
    format!("{e} ({advice})")
}

/// A snapshot that could not be read, as one line, with how to make one where that helps.
pub fn snapshot_error(e: &SnapshotError) -> String {
    match e {
        SnapshotError::NotASnapshot { .. } => {
            format!("{e} (make one with `vcaudit collect --snapshot FILE`)")
        }
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_no_snapshot_gets_how_to_make_one() {
        let e = SnapshotError::NotASnapshot {
            path: "x.json".into(),
        };
        assert_eq!(
            snapshot_error(&e),
            "x.json is not a vcaudit snapshot (make one with `vcaudit collect --snapshot FILE`)"
        );
        let e = SnapshotError::Corrupt {
            path: "x.json".into(),
            reason: "eof".into(),
        };
        assert_eq!(snapshot_error(&e), e.to_string());
    }

    #[test]
    fn certificate_advice_offers_only_options_that_work() {
        let untrusted = |ca_helps| CertProblem::Untrusted {
            reason: "self-signed".into(),
            presented: "AA:BB".into(),
            ca_helps,
        };
        let with_ca = certificate(&untrusted(true));
        assert!(with_ca.contains("--ca-file") && with_ca.contains("--thumbprint AA:BB"));
        let without_ca = certificate(&untrusted(false));
        assert!(!without_ca.contains("--ca-file") && without_ca.contains("--thumbprint AA:BB"));
        assert!(certificate(&CertProblem::PinMismatch("x".into())).contains("check --thumbprint"));
        assert!(!certificate(&CertProblem::Unusable("x".into())).contains("--insecure"));

        // Advice is added once, by the command layer.
        let redirect = vcenter_error(&VCenterError::Http {
            server: "vc1".into(),
            code: 307,
        });
        assert_eq!(
            redirect,
            "cannot reach vc1: the server answered with a redirect (HTTP 307), which vcaudit never \
             follows (give --server the vCenter's own address)"
        );
        let unreachable = vcenter_error(&VCenterError::Unreachable {
            server: "vc1".into(),
            reason: "connection refused".into(),
        });
        assert_eq!(
            unreachable,
            "cannot reach vc1: connection refused (check --server and the network)"
        );
        let timeout = vcenter_error(&VCenterError::Timeout {
            server: "vc1".into(),
            secs: 60,
        });
        assert_eq!(
            timeout,
            "vc1 did not answer within 60 s (raise --timeout if the vCenter is slow)"
        );

        let e = VCenterError::Certificate {
            server: "vc1".into(),
            problem: untrusted(false),
        };
        assert_eq!(
            vcenter_error(&e),
            format!(
                "TLS certificate of vc1 is not accepted: self-signed; its SHA-256 thumbprint is AA:BB ({without_ca})"
            )
        );
    }
}
