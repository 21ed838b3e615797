//! What the user can do about an error, in terms of the command line.
//!
//! The TLS, SOAP and collect layers return typed errors and know no flag; the advice naming
//! `--thumbprint`, `--ca-file` and `--insecure` is written here, and [`vcenter_error`] is how
//! every command shows a vCenter's failure.

use crate::collect::VCenterError;
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
    match e {
        VCenterError::Certificate { problem, .. } => format!("{e} ({})", certificate(problem)),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
