//! The explanation panels: split-brain banner, what each side believes, the outcome
//! with the lost writes, the event log and a process's state (the settings are in
//! `settings.rs`).

use std::rc::Rc;

use sim::engine::SignalRecord;
use sim::view::{Role, View};
use sim::{Millis, Outcome};
use yew::prelude::*;

use crate::canvas::partition_name;
use crate::state::Intent;

fn name(names: &[String], p: sim::ProcId) -> String {
    crate::lab::proc_name(names, p)
}

/// The banner: shown while more than one process accepts writes, and from the moment
/// the history stops being linearizable (the checker's verdict, as soon as the part of
/// the run computed shows it).
#[component]
pub fn Banner(p: &BannerProps) -> Html {
    let v = &p.view;
    let verdict = p.verdict.as_ref().filter(|x| v.now_ms >= x.0);
    if v.split_brain_since.is_none() && verdict.is_none() {
        return html! { <div class="banner-slot" /> };
    }
    let split = v.split_brain_since.map(|since| {
        let writers: Vec<String> = v
            .procs
            .iter()
            .filter(|x| x.view.writable)
            .map(|x| {
                let before = p
                    .base
                    .as_ref()
                    .and_then(|b| b.get(x.id.idx()))
                    .copied()
                    .unwrap_or(0);
                let taken = x.view.writes_accepted.saturating_sub(before);
                format!("{} ({} writes taken since it began)", x.name, taken)
            })
            .collect();
        format!(
            "for {:.1} s: {} accept writes as {}",
            (v.now_ms - since) as f64 / 1000.0,
            writers.join(" and "),
            p.words.leader
        )
    });
    html! {
        <div class="banner-slot">
            <div class="banner" role="alert">
                if let Some(text) = split {
                    <p><strong>{"SPLIT-BRAIN "}</strong>{text}</p>
                }
                if let Some(x) = verdict {
                    <p class="not-linearizable"><strong>{"NOT LINEARIZABLE "}</strong>{format!("from {:.1} s: {}", x.0 as f64 / 1000.0, x.1)}</p>
                }
            </div>
        </div>
    }
}

/// Properties of the banner.
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The view.
    pub view: Rc<View>,
    /// Writes each process had accepted when the split-brain began.
    pub base: Option<Rc<Vec<u64>>>,
    /// The system's words.
    pub words: sim::process::Words,
    /// When the history stops being linearizable and why, once known.
    #[prop_or_default]
    pub verdict: Option<Rc<(Millis, String)>>,
}

/// Properties of the beliefs panel.
#[derive(Properties, PartialEq)]
pub struct ViewProps {
    /// The view.
    pub view: Rc<View>,
    /// The system's words.
    pub words: sim::process::Words,
}

/// For each partition, who its processes believe leads (every process that reports a
/// belief, clients aside).
#[component]
pub fn Beliefs(p: &ViewProps) -> Html {
    let v = &p.view;
    let mut islands: Vec<u32> = v.boxes.iter().map(|b| b.island).collect();
    islands.sort_unstable();
    islands.dedup();
    let names: Vec<String> = v.procs.iter().map(|x| x.name.clone()).collect();
    let leader = p.words.leader;
    let rows = islands.iter().enumerate().map(|(k, isl)| {
        let mut who: Vec<String> = v
            .procs
            .iter()
            .filter(|x| v.boxes[x.on_box.idx()].island == *isl && x.view.role != Role::Client && x.alive)
            .filter_map(|x| {
                if x.view.writable {
                    Some(format!("{} takes writes itself", x.name))
                } else {
                    x.view.leader.map(|m| format!("{} says {}", x.name, name(&names, m)))
                }
            })
            .collect();
        if who.is_empty() {
            who.push(format!("nobody here knows of a {leader}"));
        }
        html! { <li key={*isl}><strong>{format!("Partition {}: ", partition_name(k))}</strong>{who.join("; ")}</li> }
    });
    html! {
        <section class="panel beliefs" aria-label="What each side believes">
            <h2>{format!("Who is {leader}, according to each side")}</h2>
            <ul>{ for rows }</ul>
        </section>
    }
}

/// Properties of the outcome panel.
#[derive(Properties, PartialEq)]
pub struct OutcomeProps {
    /// The counts so far.
    pub now: crate::lab::Progress,
    /// Split-brain time so far.
    pub split_now_ms: Millis,
    /// Now: lost writes are listed once they have been acknowledged.
    pub now_ms: Millis,
    /// The outcome of the whole run, once computed.
    pub end: Option<Rc<Outcome>>,
    /// The system's words.
    pub words: sim::process::Words,
    /// Whether the whole run's ending may be shown: reached, or asked for.
    pub reveal: bool,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
}

/// What the run did to the data, now and at the end, with the lost writes struck through.
#[component]
pub fn OutcomePanel(p: &OutcomeProps) -> Html {
    let Some(o) = p.end.as_ref() else {
        let n = &p.now;
        return html! {
            <section class="panel outcome" aria-label="Outcome" aria-busy="true">
                <h2>{"Outcome"}</h2>
                <p>{format!("So far: {} writes acknowledged, {} rejected, {} unknown.", n.acked, n.rejected, n.unknown)}</p>
                <p class="facts">{"Computing the rest of the run…"}</p>
            </section>
        };
    };
    // No spoilers: until the end is reached or asked for, only what happened so far.
    let reveal = p.reveal;
    let row = |label: &str, now: String, end: String| {
        html! {
            <tr><th scope="row">{label.to_string()}</th><td>{now}</td>if reveal { <td>{end}</td> }</tr>
        }
    };
    let mut by_client: std::collections::BTreeMap<&str, Vec<&sim::outcome::LostWrite>> =
        Default::default();
    // A write counts as lost once it is certain: data was discarded after it was
    // acknowledged, by now.
    let certain = p.now.last_discard;
    for l in o
        .lost_writes
        .iter()
        .filter(|l| certain.is_some_and(|t| l.acked_ms <= t))
    {
        by_client.entry(l.client.as_str()).or_default().push(l);
    }
    let shown: usize = by_client.values().map(Vec::len).sum();
    let lost = by_client.iter().map(|(c, ws)| {
        html! {
            <li key={c.to_string()}>
                <strong>{format!("{c}, key {}: {} lost ", ws[0].key, ws.len())}</strong>
                { for ws.iter().take(40).map(|w| html! { <del title={format!("its write number {}, acknowledged at {:.1} s", w.value & 0xffff_ffff, w.acked_ms as f64 / 1000.0)}>{format!("#{}", w.value & 0xffff_ffff)}</del> }) }
                if ws.len() > 40 { <span>{format!(" … and {} more", ws.len() - 40)}</span> }
            </li>
        }
    });
    let n = &p.now;
    // A system that elects nobody (a lock service) has no leader rows.
    let locks = o.locks_acquired > 0;
    let elects = p.words.elects;
    html! {
        <section class="panel outcome" aria-label="Outcome">
            <h2>{"Outcome"}</h2>
            if reveal {
                <p class="sentence">{o.sentence(&p.words)}</p>
            }
            <table>
                <thead><tr><td></td><th scope="col">{"so far"}</th>if reveal { <th scope="col">{"whole run"}</th> }</tr></thead>
                <tbody>
                    {row("writes acknowledged", n.acked.to_string(), o.writes_acked.to_string())}
                    {row("writes rejected", n.rejected.to_string(), o.writes_rejected.to_string())}
                    {row("writes unknown", n.unknown.to_string(), o.writes_unknown.to_string())}
                    if reveal {
                        {row("unknown, yet applied", "—".into(), o.unknown_writes_applied.to_string())}
                    }
                    {row(p.words.lost, shown.to_string(), o.acked_writes_lost.to_string())}
                    if elects {
                        {row("split-brain", format!("{:.1} s", p.split_now_ms as f64 / 1000.0), format!("{:.1} s", o.split_brain_ms as f64 / 1000.0))}
                        {row(&format!("new {}s", p.words.leader), n.leaders.to_string(), o.new_leaders.len().to_string())}
                    }
                    if locks {
                        {row("lock held twice", n.locks_twice.to_string(), o.locks_held_twice.to_string())}
                        {row("stale writes accepted", n.stale.to_string(), o.stale_writes_accepted.to_string())}
                    }
                    if elects || locks || o.fencing_rejections > 0 {
                        {row("fencing rejections", n.fencing.to_string(), o.fencing_rejections.to_string())}
                    }
                    { for o.counters.iter().map(|(label, end)| row(label, n.counters.get(label.as_str()).copied().unwrap_or(0).to_string(), end.to_string())) }
                    {row("operations refused or unanswered", failed(n.ops.1, n.ops.0), failed(o.ops_failed, o.ops_ended))}
                    if reveal {
                        {row("longest without an acknowledged write", "—".into(), format!("{:.1} s", o.longest_without_write_ms as f64 / 1000.0))}
                        {row("history linearizable", "—".into(), match o.linearizable { Some(true) => "yes", Some(false) => "no", None => "unknown" }.into())}
                    }
                </tbody>
            </table>
            if let (true, Some(v)) = (reveal, o.violation.as_ref()) {
                <p class="violation">{format!("Not linearizable (key {}): {}", v.key, v.explanation)}</p>
            }
            { for o.warnings.iter().map(|w| html! { <p class="warning">{format!("⚠ {w}")}</p> }) }
            if !reveal {
                <button class="reveal" onclick={let i = p.on_intent.clone(); Callback::from(move |_: MouseEvent| i.emit(Intent::RevealEnd))}>{"Show how this ends"}</button>
            }
            if shown > 0 {
                <h3>{"Acknowledged, then discarded: lost"}</h3>
                <ul class="lost" data-lost={shown.to_string()}>{ for lost }</ul>
            }
        </section>
    }
}

/// "0.4% (7 of 1,719)": a share of operations, with its counts.
fn failed(failed: u64, ended: u64) -> String {
    format!(
        "{:.1}% ({} of {})",
        sim::outcome::share(failed, ended) * 100.0,
        sim::drill::thousands(failed),
        sim::drill::thousands(ended)
    )
}

/// The last `n` signals that the event log shows, oldest first.
pub fn log_lines(
    signals: &imbl::Vector<SignalRecord>,
    n: usize,
    words: &sim::process::Words,
) -> Vec<SignalRecord> {
    // The signals that present themselves are the ones the log shows.
    let mut lines: Vec<SignalRecord> = signals
        .iter()
        .rev()
        .filter(|r| r.signal.present(words).is_some())
        .take(n)
        .cloned()
        .collect();
    lines.reverse();
    lines
}

/// Properties of the event log.
#[derive(Properties, PartialEq)]
pub struct LogProps {
    /// The lines to show, oldest first.
    pub signals: Rc<Vec<SignalRecord>>,
    /// Process names.
    pub names: Rc<Vec<String>>,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// The system's words.
    pub words: sim::process::Words,
}

/// Puts process names where the core's narration writes `#3`.
pub use sim::ids::with_names;

/// The event log: plain language, newest first; a click jumps there.
#[component]
pub fn EventLog(p: &LogProps) -> Html {
    let lines = p.signals.iter().rev().filter_map(|r| crate::lab::line(r, &p.names, &p.words).map(|(_, d)| (r, d))).map(|(r, d)| {
        let i = p.on_intent.clone();
        let t = r.time_ms;
        html! {
            <li><button class="log-line" onclick={Callback::from(move |_: MouseEvent| i.emit(Intent::Seek(t)))}>
                <span class="t">{format!("{:>6.1} s ", t as f64 / 1000.0)}</span>{d}
            </button></li>
        }
    });
    html! {
        <section class="panel log" aria-label="Event log">
            <h2>{"What happened (newest first)"}</h2>
            <ol>{ for lines }</ol>
        </section>
    }
}

/// A fact's value in words, with process names put in.
fn fact(v: &sim::view::FactValue, names: &[String]) -> String {
    use sim::view::FactValue;
    match v {
        FactValue::Text(t) => with_names(t, names),
        FactValue::Num(n) => n.to_string(),
        FactValue::Proc(p) => name(names, *p),
    }
}

/// Properties of the process panel.
#[derive(Properties, PartialEq)]
pub struct ProcProps {
    /// The view.
    pub view: Rc<View>,
    /// The process shown.
    pub proc: Option<usize>,
    /// The system the run models (its name).
    pub system: String,
    /// The system's words.
    pub words: sim::process::Words,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// The scenario now, for the process's own settings.
    pub scenario: Rc<sim::Scenario>,
    /// The last error about one of a process's own settings.
    pub message: Option<String>,
}

/// One process's state, and the actions on it: cut one of its links, crash, restart, remove.
#[component]
pub fn ProcPanel(p: &ProcProps) -> Html {
    let peer = use_state(|| None::<String>);
    let Some(x) = p.proc.and_then(|i| p.view.procs.get(i)) else {
        return html! { <section class="panel proc"><h2>{"Process"}</h2><p>{"Click a process to see its state and cut one of its links."}</p></section> };
    };
    let names: Vec<String> = p.view.procs.iter().map(|x| x.name.clone()).collect();
    let others: Vec<String> = names.iter().filter(|n| **n != x.name).cloned().collect();
    let chosen = peer
        .as_ref()
        .filter(|n| others.contains(n))
        .cloned()
        .unwrap_or_else(|| others.first().cloned().unwrap_or_default());
    let on_peer = {
        let peer = peer.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                peer.set(Some(sel.value()));
            }
        })
    };
    let act = |a: sim::FaultAction| {
        let i = p.on_intent.clone();
        Callback::from(move |_: MouseEvent| i.emit(Intent::Act(a.clone())))
    };
    let me = x.name.clone();
    let cut_both = act(sim::FaultAction::CutLink {
        a: me.clone(),
        b: chosen.clone(),
        one_way: false,
    });
    let cut_in = act(sim::FaultAction::CutLink {
        a: chosen.clone(),
        b: me.clone(),
        one_way: true,
    });
    let crash_or_restart = if x.alive {
        act(sim::FaultAction::Crash {
            process: me.clone(),
        })
    } else {
        act(sim::FaultAction::Restart {
            process: me.clone(),
            persist: None,
        })
    };
    let pause = act(sim::FaultAction::Pause {
        process: me.clone(),
        ms: 3000,
    });
    // Long enough to outlast a lock's or a lease's time to live (10 s by default).
    let long_pause = act(sim::FaultAction::Pause {
        process: me.clone(),
        ms: 15_000,
    });
    let reads_clock = sim::system::find(&p.system)
        .ok()
        .and_then(|s| s.kind(&x.kind))
        .is_some_and(|k| k.clock);
    let clock_jump = act(sim::FaultAction::ClockJump {
        process: me.clone(),
        by_ms: 10_000,
    });
    let has_disk = sim::system::find(&p.system)
        .ok()
        .and_then(|s| s.kind(&x.kind))
        .is_some_and(|k| k.disk);
    let slow_disk = act(sim::FaultAction::SlowDisk {
        process: me.clone(),
        ms: 2000,
    });
    let restore_disk = act(sim::FaultAction::RestoreDisk {
        process: me.clone(),
    });
    let remove = {
        let i = p.on_intent.clone();
        let me = me.clone();
        Callback::from(move |_: MouseEvent| {
            i.emit(Intent::Topology(crate::topology::TopologyEdit::RemoveProc(
                me.clone(),
            )))
        })
    };
    let on_move = {
        let i = p.on_intent.clone();
        let me = me.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                i.emit(Intent::Topology(crate::topology::TopologyEdit::MoveProc(
                    me.clone(),
                    sel.value(),
                )));
            }
        })
    };
    let home = p.view.boxes[x.on_box.idx()].name.clone();
    html! {
        <section class="panel proc" aria-label={format!("Process {}", x.name)}>
            <h2>{format!("{}: {}", x.name, x.view.role_label)}</h2>
            <dl>
                <dt>{"status"}</dt><dd>{ if !x.alive { "crashed" } else if x.paused { "paused" } else { "running" } }</dd>
                if let Some(e) = x.view.epoch { <><dt>{p.words.epoch}</dt><dd>{e}</dd></> }
                if let Some(m) = x.view.leader { <><dt>{format!("believes the {} is", p.words.leader)}</dt><dd>{name(&names, m)}</dd></> }
                if p.words.elects && x.view.epoch.is_some() && x.view.role != sim::view::Role::Client {
                    <><dt>{format!("voted in this {}", p.words.epoch)}</dt><dd>{x.view.vote.map_or("for nobody".to_string(), |v| format!("for {}", name(&names, v)))}</dd></>
                }
                if x.view.data_len > 0 { <><dt>{"values held"}</dt><dd>{x.view.data_len}</dd></> }
                { for x.view.facts.iter().map(|(k, v)| html! { <><dt>{k.clone()}</dt><dd>{fact(v, &names)}</dd></> }) }
            </dl>
            <div class="actions">
                <label>{"Link with "}
                    <select onchange={on_peer} aria-label="The other end of the link">
                        { for others.iter().map(|n| html! { <option value={n.clone()} selected={*n == chosen}>{n.clone()}</option> }) }
                    </select>
                </label>
                <button onclick={cut_both}>{"Cut both ways"}</button>
                <button onclick={cut_in}>{format!("{me} stops hearing {chosen}")}</button>
            </div>
            <div class="actions">
                <button onclick={crash_or_restart}>{ if x.alive { "Crash" } else { "Restart" } }</button>
                if x.alive { <button onclick={pause}>{"Pause 3 s"}</button> }
                if x.alive { <button onclick={long_pause}>{"Pause 15 s"}</button> }
                if x.alive && reads_clock { <button onclick={clock_jump} title="Step this host's clock 10 s forward, as an NTP step does">{"Clock +10 s"}</button> }
                if has_disk && x.alive {
                    <button onclick={slow_disk} title="Each write-and-sync of its log takes 2 s">{"Slow disk (2 s syncs)"}</button>
                    <button onclick={restore_disk}>{"Restore disk"}</button>
                }
                <button onclick={remove}>{"Remove from topology"}</button>
                <label>{"Runs on "}
                    <select onchange={on_move} aria-label={format!("The box {me} runs on")}>
                        { for p.view.boxes.iter().map(|b| html! { <option value={b.name.clone()} selected={b.name == home}>{b.name.clone()}</option> }) }
                    </select>
                </label>
            </div>
            <crate::settings::OwnSettings scenario={p.scenario.clone()} name={me.clone()} on_intent={p.on_intent.clone()} message={p.message.clone()} />
        </section>
    }
}

/// Properties of a panel that shows the scenario and changes it.
#[derive(Properties, PartialEq)]
pub struct ScenarioProps {
    /// The scenario now, the person's actions included.
    pub scenario: Rc<sim::Scenario>,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
}

/// Add and remove boxes, and place processes on them: the kinds come from the system.
#[component]
pub fn Topology(p: &ScenarioProps) -> Html {
    use crate::topology::TopologyEdit as E;
    let send = |e: E| {
        let i = p.on_intent.clone();
        Callback::from(move |_: MouseEvent| i.emit(Intent::Topology(e.clone())))
    };
    let Ok(sys) = sim::system::find(&p.scenario.system) else {
        return Html::default();
    };
    let counts: Vec<String> = sys
        .kinds
        .iter()
        .filter_map(|k| {
            let n = p
                .scenario
                .processes()
                .filter(|(_, x)| x.kind == k.kind)
                .count();
            (n > 0).then(|| format!("{n} × {}", k.label))
        })
        .collect();
    let rows = p.scenario.boxes.iter().map(|b| {
        let n = b.name.clone();
        html! {
            <li key={n.clone()}>
                <strong>{format!("{} ", n)}</strong>
                <span class="muted">{b.processes.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", ")}</span>
                <span class="row-actions">
                    { for sys.kinds.iter().filter_map(|k| k.add.map(|text| (k, text))).map(|(k, text)| html! {
                        <button onclick={send(E::AddProc(n.clone(), k.kind))} aria-label={format!("Add {} {} to {n}", if k.label.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }, k.label)}>{text}</button>
                    }) }
                    <button onclick={send(E::RemoveBox(n.clone()))} aria-label={format!("Remove {n}")}>{"remove"}</button>
                </span>
            </li>
        }
    });
    html! {
        <section class="panel topology" aria-label="Topology">
            <h2>{"Topology"}</h2>
            <p class="facts">{format!("{} on {} boxes", counts.join(", "), p.scenario.boxes.len())}</p>
            <ul class="boxes">{ for rows }</ul>
            <button onclick={send(E::AddBox)}>{"Add a box"}</button>
        </section>
    }
}
