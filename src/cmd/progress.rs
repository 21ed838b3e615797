//! The progress display of `audit` and `collect`: one line per vCenter on stderr while it is
//! collected (spinner, phase, objects so far and their rate), replaced by a one-line result when
//! it is done; several vCenters at once share a multi-line display (indicatif).
//!
//! Only on a terminal, and never with `--quiet` or `-v` (whose log lines would fight the
//! redrawn lines). It writes nothing to stdout or to the reports.

use crate::collect::progress::{Finished, Observer, Phase, Silent};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The observer for a run: the display when `wanted` and stderr is a terminal, else nothing.
pub fn observer(wanted: bool) -> Arc<dyn Observer> {
    if wanted && std::io::stderr().is_terminal() {
        Arc::new(Display::new(ProgressDrawTarget::stderr()))
    } else {
        Arc::new(Silent)
    }
}

/// Bars by vCenter, drawn together.
pub struct Display {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, Bar>>,
}

struct Bar {
    bar: ProgressBar,
    phases: Vec<Phase>,
}

impl Display {
    pub fn new(target: ProgressDrawTarget) -> Display {
        Display {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` on the bar of `vcenter`, made on first use.
    fn with_bar(&self, vcenter: &str, f: impl FnOnce(&mut Bar)) {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        let bar = bars.entry(vcenter.to_string()).or_insert_with(|| {
            let style = ProgressStyle::with_template(
                "{spinner:.cyan} {prefix:.bold} {msg:<16} {pos:>9} objects {per_sec:>12}  {elapsed}",
            )
            .expect("valid template")
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ ");
            let bar = self.multi.add(ProgressBar::no_length().with_style(style));
            bar.set_prefix(vcenter.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            Bar {
                bar,
                phases: Vec::new(),
            }
        });
        f(bar);
    }
}

impl Observer for Display {
    fn phase(&self, vcenter: &str, phase: Phase, active: bool) {
        self.with_bar(vcenter, |b| {
            b.phases.retain(|p| *p != phase);
            if active {
                b.phases.push(phase);
            }
            let names: Vec<&str> = b.phases.iter().map(|p| p.as_str()).collect();
            b.bar.set_message(names.join(", "));
        });
    }

    fn objects(&self, vcenter: &str, count: u64) {
        self.with_bar(vcenter, |b| b.bar.inc(count));
    }

    fn finished(&self, vcenter: &str, outcome: Finished<'_>) {
        self.with_bar(vcenter, |b| {
            let line = match outcome {
                Finished::Collected { hosts, vms } => format!(
                    "✔ {vcenter}: {hosts} hosts, {vms} VMs, {} objects in {:.1}s",
                    b.bar.position(),
                    b.bar.elapsed().as_secs_f64()
                ),
                Finished::Failed { error } => {
                    format!("✘ {vcenter}: {}", super::advice::vcenter_error(error))
                }
            };
            b.bar
                .set_style(ProgressStyle::with_template("{msg}").expect("valid template"));
            b.bar.finish_with_message(line);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indicatif::TermLike;
    use std::sync::Arc;

    /// A terminal in memory that records everything written to it.
    #[derive(Debug, Default, Clone)]
    struct Screen(Arc<Mutex<String>>);

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn shows_phases_objects_and_one_result_line_per_vcenter() {
        let screen = Screen::default();
        let d = Display::new(ProgressDrawTarget::term_like_with_hz(
            Box::new(screen.clone()),
            200,
        ));
        d.phase("vc01", Phase::Login, true);
        d.phase("vc01", Phase::Login, false);
        d.phase("vc01", Phase::Inventory, true);
        d.phase("vc01", Phase::Tags, true);
        d.objects("vc01", 1234);
        d.phase("vc02", Phase::Login, true);
        // Draws are rate-limited and also come from the steady tick (every 120 ms): wait for
        // the screen to show the state (a loaded machine may skip a draw), up to a bound.
        let shows = |s: &str| s.contains("1234 objects") && s.contains("vc02 login");
        for _ in 0..200 {
            if shows(&screen.0.lock().unwrap()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let during = screen.0.lock().unwrap().clone();
        assert!(during.contains("inventory, tags"), "{during}");
        assert!(during.contains("1234 objects"), "{during}");
        assert!(
            during.contains("vc02") && during.contains("login"),
            "{during}"
        );
        d.finished("vc01", Finished::Collected { hosts: 3, vms: 40 });
        d.finished(
            "vc02",
            Finished::Failed {
                error: &crate::collect::VCenterError::Setup("login failed".into()),
            },
        );
        let end = screen.0.lock().unwrap().clone();
        assert!(
            end.contains("✔ vc01: 3 hosts, 40 VMs, 1234 objects in"),
            "{end}"
        );
        assert!(end.contains("✘ vc02: login failed"), "{end}");
    }
}
