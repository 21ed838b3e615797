//! `vcaudit profiles`: the built-in profiles, with the document each follows and its date.

use std::io::Write;

use crate::audit::profile::{DEFAULT_PROFILE, Profile, ProfileError};

/// Arguments of `vcaudit profiles` (none).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ProfilesArgs {}

/// Why `vcaudit profiles` failed.
#[derive(Debug, thiserror::Error)]
pub enum ProfilesError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("cannot write the profile list: {0}")]
    Io(#[from] std::io::Error),
}

/// Prints the built-in profiles to `out`.
pub fn run(_args: &ProfilesArgs, out: &mut dyn Write) -> Result<(), ProfilesError> {
    out.write_all(render()?.as_bytes())?;
    Ok(())
}

/// The listing as text: name (and whether it is the default), rule count, date, source.
pub fn render() -> Result<String, ProfileError> {
    let mut s = String::new();
    for name in Profile::builtin_names() {
        let p = Profile::builtin(name)?;
        let doc = p.document();
        s.push_str(name);
        if name == DEFAULT_PROFILE {
            s.push_str(" (default)");
        }
        s.push('\n');
        if let Some(d) = p.description() {
            s.push_str(&format!("    {d}\n"));
        }
        s.push_str(&format!(
            "    {} rules; source dated {}: {}\n",
            p.rules().count(),
            doc.date(),
            doc.title()
        ));
    }
    s.push_str(
        "\nA profile file of your own may start `extends = \"<name>\"` and change only what it needs.\n",
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_both_builtins_with_source_and_date() {
        let text = render().unwrap();
        assert!(text.starts_with("asr-vmware-2017 (default)\n"), "{text}");
        assert!(text.contains("\nasr-vmware-2026\n"), "{text}");
        assert!(text.contains("source dated 2017-03-27"), "{text}");
        assert!(
            text.contains("source dated 2026-04-06: Microsoft Learn, \"Support matrix"),
            "{text}"
        );
    }
}
