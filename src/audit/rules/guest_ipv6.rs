//! `guest-ipv6`: VMware Tools report no IPv6 address other than link-local.
//!
//! Site Recovery does not support IPv6 in the guest. The check reads the addresses Tools report
//! per network adapter (`guest.net`): any IPv6 address outside `fe80::/10` (link-local, present on
//! every IPv6-capable stack) fails. A warning: the guest may not depend on it. What Tools do not
//! report cannot be seen: a VM whose Tools report no address passes (say so when in doubt), and a
//! VM whose adapters could not be read is `unknown`.
//!
//! Source: today's support matrix, "Machine": "Not supported: ... guest IPv6".

use std::net::Ipv6Addr;

use serde::Deserialize;

use super::{Rule, RuleMeta, Source};
use crate::audit::context::{Context, VmView};
use crate::audit::{ObjectKind, Outcome, Severity};

pub struct GuestIpv6;

/// No parameters beyond `enabled` and `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

static META: RuleMeta = RuleMeta {
    id: "guest-ipv6",
    object: ObjectKind::Vm,
    default_severity: Severity::Warning,
    title: "VMware Tools report no IPv6 address other than link-local",
    sources: &[Source::matrix("Machine", "guest IPv6")],
};

/// An IPv6 address that is not link-local (`fe80::/10`), loopback or unspecified. Addresses may
/// carry a zone (`%eth0`) or a prefix length.
fn routable_ipv6(addr: &str) -> bool {
    let a = addr.split(['%', '/']).next().unwrap_or(addr);
    match a.parse::<Ipv6Addr>() {
        Ok(ip) => {
            !(ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xffc0) == 0xfe80)
        }
        Err(_) => false,
    }
}

impl Rule for GuestIpv6 {
    type Params = Params;

    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_vm(&self, _p: &Params, _ctx: &Context<'_>, v: &VmView<'_>, out: &mut Vec<Outcome>) {
        let Some(nics) = &v.vm.nics else {
            return out.push(Outcome::unknown(
                "network adapters could not be read; verify the guest uses no IPv6",
                "",
                "no IPv6",
            ));
        };
        let found: Vec<&str> = nics
            .iter()
            .flat_map(|n| &n.ip_addresses)
            .map(String::as_str)
            .filter(|a| routable_ipv6(a))
            .collect();
        out.push(if found.is_empty() {
            Outcome::pass()
        } else {
            Outcome::fail(
                format!(
                    "VMware Tools report IPv6 address {}; IPv6 in the guest is not supported",
                    found.join(", ")
                ),
                found.join(", "),
                "no IPv6",
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Status;
    use crate::audit::testutil::*;
    use crate::model::{Nic, Vm};

    fn run(ips: &[&str]) -> Outcome {
        let v = Vm {
            nics: Some(
                vec![Nic {
                    ip_addresses: ips.iter().map(|s| s.to_string()).collect(),
                    ..Default::default()
                }]
                .into(),
            ),
            ..vm("a")
        };
        only(run_vm(&GuestIpv6, &current_params(&GuestIpv6), v))
    }

    #[test]
    fn only_non_link_local_ipv6_fails() {
        assert_eq!(
            run(&["10.0.0.1", "fe80::250:56ff:fe01:2%ens192"]).status,
            Status::Pass
        );
        let o = run(&["10.0.0.1", "2001:db8::5"]);
        assert_eq!((o.status, o.actual.as_str()), (Status::Fail, "2001:db8::5"));
        assert_eq!(run(&["fd00::1/64"]).status, Status::Fail);
        assert_eq!(run(&["::1"]).status, Status::Pass);
        assert_eq!(run(&[]).status, Status::Pass);
        let v = Vm {
            nics: None,
            ..vm("a")
        };
        assert_eq!(
            only(run_vm(&GuestIpv6, &current_params(&GuestIpv6), v)).status,
            Status::Unknown
        );
    }
}
