//! What `apply` says while it works, on stderr: a progress bar with elapsed
//! time on a terminal (indicatif), one plain line per event otherwise,
//! nothing when quiet. The plan and errors are printed elsewhere.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Events of an apply, in the order they happen.
pub trait Progress {
    /// Another pgstate holds the apply lock: waiting for it.
    fn waiting_for_apply_lock(&mut self) {}
    /// `total` statements are about to run.
    fn start(&mut self, _total: usize) {}
    /// Statement `index` (from 0) is about to run, `alone` outside a transaction.
    fn statement(&mut self, _index: usize, _sql: &str, _alone: bool) {}
    /// `what` (a statement, a revision) gave up waiting for a lock: retry
    /// `attempt` of `retries` starts after `pause`.
    fn retrying(&mut self, _what: &str, _attempt: u32, _retries: u32, _pause: Duration) {}
    /// Every statement ran.
    fn finish(&mut self) {}
}

/// Says nothing.
pub struct Silent;

impl Progress for Silent {}

/// Reports on stderr.
pub struct Console {
    bar: Option<ProgressBar>,
    quiet: bool,
    total: usize,
    started: Instant,
}

impl Console {
    /// A reporter; `quiet` says nothing at all.
    pub fn new(quiet: bool) -> Console {
        Console { bar: None, quiet, total: 0, started: Instant::now() }
    }

    /// Says one thing (a line), above the bar when there is one.
    pub fn say(&self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }
}

/// The first line of a statement, cut to `max` characters.
fn headline(sql: &str, max: usize) -> String {
    let line = crate::quote::one_line(sql.lines().next().unwrap_or_default());
    match line.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.into_owned(),
    }
}

impl Progress for Console {
    fn waiting_for_apply_lock(&mut self) {
        self.say("waiting for another pgstate apply on this database to finish (--lock-wait)");
    }

    fn start(&mut self, total: usize) {
        self.total = total;
        self.started = Instant::now();
        if self.quiet || !std::io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
    }

    fn statement(&mut self, index: usize, sql: &str, alone: bool) {
        if self.quiet {
            return;
        }
        let how = if alone { " (alone, outside a transaction)" } else { "" };
        match &self.bar {
            Some(bar) => {
                bar.set_position(index as u64);
                bar.set_message(format!("{}{how}", headline(sql, 60)));
            }
            None => eprintln!("step {}/{}{how}: {}", index + 1, self.total, headline(sql, 100)),
        }
    }

    fn retrying(&mut self, what: &str, attempt: u32, retries: u32, pause: Duration) {
        self.say(&format!(
            "lock timeout on: {}; another session holds a lock it needs: retry {attempt} of {retries} in {pause:.1?} \
             (--lock-retries)",
            headline(what, 80)
        ));
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet && self.total > 0 {
            eprintln!("ran {} statements in {:.1?}", self.total, self.started.elapsed());
        }
    }
}
