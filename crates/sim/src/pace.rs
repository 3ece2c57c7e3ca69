//! The page's pace: animation time apart from simulation time.
//!
//! A simulated message often takes 1 ms: drawn on the simulated clock it would never
//! be seen. The pace plays a run so that every flight takes a readable time on screen
//! (longest for the traffic that decides things, votes and reconfiguration; short for
//! heartbeats, so that they thin out) and hurries through stretches with nothing in
//! flight. It stops at the moments that matter so that their caption can be read.
//! Like everything in the core it is pure: the same run and the same frame times
//! give the same clock.

use crate::process::MsgKind;
use crate::view::MsgState;
use crate::{Millis, Simulation};

/// Simulated milliseconds per real millisecond at 1× with nothing in flight: quiet
/// stretches play twice as fast as real time.
pub const QUIET_RATE: f64 = 2.0;

/// Real milliseconds a moment that matters holds the clock at 1×, so that its caption
/// can be read before the run moves on.
pub const DWELL_MS: f64 = 900.0;

/// A run plays at full pace from this long before a moment that matters until
/// [`AFTER_MOMENT_MS`] after it; farther from any moment, routine traffic is thinned
/// by playing [`FAR_FACTOR`] times faster.
pub const BEFORE_MOMENT_MS: Millis = 2_000;
/// See [`BEFORE_MOMENT_MS`].
pub const AFTER_MOMENT_MS: Millis = 1_000;
/// How much faster the run plays far from any moment that matters.
pub const FAR_FACTOR: f64 = 4.0;

/// The factor on the pace at time `at`, given the times of the moments that matter:
/// 1 near one of them, [`FAR_FACTOR`] in the quiet stretches between.
pub fn nearness(at: f64, moments: impl IntoIterator<Item = Millis>) -> f64 {
    let near = moments.into_iter().any(|t| {
        let t = t as f64;
        at >= t - BEFORE_MOMENT_MS as f64 && at <= t + AFTER_MOMENT_MS as f64
    });
    if near {
        1.0
    } else {
        FAR_FACTOR
    }
}

/// At most this many event times are walked in one frame; past it the frame finishes
/// at the quiet rate (only very high speeds get there).
const MAX_STOPS_PER_FRAME: usize = 4_000;

/// Real milliseconds one flight of a kind takes on screen at 1×, however short its
/// simulated latency: what decides the run is slow enough to follow with the eyes,
/// routine traffic quick, heartbeats quickest.
pub fn flight_ms(kind: MsgKind) -> f64 {
    match kind {
        MsgKind::Vote | MsgKind::Control => 900.0,
        MsgKind::Client | MsgKind::Replication | MsgKind::Storage => 240.0,
        MsgKind::Heartbeat | MsgKind::Gossip => 90.0,
    }
}

/// How the person asked the run to be played.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Speed {
    /// A multiplier on the pace (or on real time when not paced).
    pub factor: f64,
    /// Paced (flights readable, quiet stretches hurried) or plain simulated time.
    pub paced: bool,
}

impl Default for Speed {
    fn default() -> Self {
        Speed {
            factor: 1.0,
            paced: true,
        }
    }
}

/// Simulated milliseconds per real millisecond at 1× while `flights` are in the air:
/// the slowest rate at which every one of them takes its readable time.
pub fn rate(flights: &[MsgState]) -> f64 {
    flights
        .iter()
        .filter(|m| m.from != m.to)
        .map(|m| m.arrive_ms.saturating_sub(m.sent_ms).max(1) as f64 / flight_ms(m.kind))
        .fold(QUIET_RATE, f64::min)
}

/// Where one frame of play ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Played {
    /// The time shown now, with its fraction of a millisecond (flights are drawn at it).
    pub shown: f64,
    /// The run reached `stop` in this frame and waits there.
    pub stopped: bool,
}

/// Plays `real_ms` of wall time from the time shown (`shown`, at or after
/// `sim.now()`), no further than `end`, and no further than `stop` (a moment that
/// matters) when paced. The simulation has run every event up to the shown time.
pub fn play(
    sim: &mut dyn Simulation,
    shown: f64,
    real_ms: f64,
    speed: Speed,
    stop: Option<Millis>,
    end: Millis,
) -> Played {
    let end_f = end as f64;
    let factor = speed.factor.max(1e-6);
    if !speed.paced {
        let shown = (shown + real_ms * factor).min(end_f);
        sim.run_until(shown.floor() as Millis);
        return Played {
            shown,
            stopped: false,
        };
    }
    let stop_f = stop.map(|t| t as f64).filter(|t| *t > shown);
    let mut shown = shown;
    let mut budget = real_ms;
    for _ in 0..MAX_STOPS_PER_FRAME {
        if budget <= 0.0 || shown >= end_f {
            return Played {
                shown: shown.min(end_f),
                stopped: false,
            };
        }
        let r = rate(&sim.in_flight()) * factor;
        let next = sim.next_time().map_or(end_f, |t| t as f64).min(end_f);
        let bound = stop_f.map_or(next, |s| s.min(next));
        let reach = shown + budget * r;
        if reach < bound {
            sim.run_until(reach.floor() as Millis);
            return Played {
                shown: reach,
                stopped: false,
            };
        }
        budget -= (bound - shown) / r;
        shown = bound;
        sim.run_until(bound as Millis);
        if stop_f == Some(bound) {
            return Played {
                shown,
                stopped: true,
            };
        }
    }
    let shown = (shown + budget * QUIET_RATE * factor).min(end_f);
    sim.run_until(shown.floor() as Millis);
    Played {
        shown,
        stopped: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ProcId;

    fn flight(kind: MsgKind, sent: Millis, arrive: Millis) -> MsgState {
        MsgState {
            from: ProcId(0),
            to: ProcId(1),
            kind,
            sent_ms: sent,
            arrive_ms: arrive,
            doomed: false,
        }
    }

    #[test]
    fn a_vote_in_flight_sets_the_pace_over_a_heartbeat() {
        let r = rate(&[
            flight(MsgKind::Heartbeat, 10, 11),
            flight(MsgKind::Vote, 10, 11),
        ]);
        assert_eq!(r, 1.0 / 900.0);
    }

    #[test]
    fn nothing_in_flight_plays_at_the_quiet_rate() {
        assert_eq!(rate(&[]), QUIET_RATE);
        // A message to oneself is never drawn, so it does not slow the run.
        let mut own = flight(MsgKind::Vote, 0, 1);
        own.to = own.from;
        assert_eq!(rate(&[own]), QUIET_RATE);
    }

    #[test]
    fn quiet_stretches_far_from_any_moment_play_faster() {
        assert_eq!(nearness(5_000.0, [10_000]), FAR_FACTOR);
        assert_eq!(nearness(8_500.0, [10_000]), 1.0);
        assert_eq!(nearness(10_800.0, [10_000]), 1.0);
        assert_eq!(nearness(12_000.0, [10_000]), FAR_FACTOR);
        assert_eq!(nearness(0.0, []), FAR_FACTOR);
    }

    #[test]
    fn a_slow_link_needs_less_slowing() {
        assert!(rate(&[flight(MsgKind::Client, 0, 200)]) > rate(&[flight(MsgKind::Client, 0, 1)]));
    }
}
