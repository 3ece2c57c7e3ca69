//! The explanation panels: split-brain banner, what each side believes, the outcome
//! with the lost writes, the event log, a process's state and the settings.

use std::rc::Rc;

use sim::engine::SignalRecord;
use sim::view::{Role, View};
use sim::{Millis, Outcome, Signal};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::canvas::partition_name;
use crate::state::Intent;

fn name(names: &[String], p: sim::ProcId) -> String {
    crate::lab::proc_name(names, p)
}

/// The split-brain banner: shown while more than one process accepts writes.
#[component]
pub fn Banner(p: &BannerProps) -> Html {
    let v = &p.view;
    let Some(since) = v.split_brain_since else {
        return html! { <div class="banner-slot" /> };
    };
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
    html! {
        <div class="banner-slot">
            <div class="banner" role="alert">
                <strong>{"SPLIT-BRAIN "}</strong>
                {format!("for {:.1} s: {} accept writes as master", (v.now_ms - since) as f64 / 1000.0, writers.join(" and "))}
            </div>
        </div>
    }
}

/// Properties of the split-brain banner.
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The view.
    pub view: Rc<View>,
    /// Writes each process had accepted when the split-brain began.
    pub base: Option<Rc<Vec<u64>>>,
}

/// Properties holding a view and the process names.
#[derive(Properties, PartialEq)]
pub struct ViewProps {
    /// The view.
    pub view: Rc<View>,
}

/// For each partition, the master its Sentinels, monitor and clients name.
#[component]
pub fn Beliefs(p: &ViewProps) -> Html {
    let v = &p.view;
    let mut islands: Vec<u32> = v.boxes.iter().map(|b| b.island).collect();
    islands.sort_unstable();
    islands.dedup();
    let names: Vec<String> = v.procs.iter().map(|x| x.name.clone()).collect();
    let rows = islands.iter().enumerate().map(|(k, isl)| {
        let mut who: Vec<String> = v
            .procs
            .iter()
            .filter(|x| v.boxes[x.on_box.idx()].island == *isl && matches!(x.view.role, Role::Watcher | Role::Candidate | Role::Monitor))
            .map(|x| match x.view.believes_primary {
                Some(m) => format!("{} says {}", x.name, name(&names, m)),
                None => format!("{} cannot tell", x.name),
            })
            .collect();
        if who.is_empty() {
            who.push("no Sentinel here".into());
        }
        html! { <li key={*isl}><strong>{format!("Partition {}: ", partition_name(k))}</strong>{who.join("; ")}</li> }
    });
    html! {
        <section class="panel beliefs" aria-label="What each side believes">
            <h2>{"Who is master, according to each side"}</h2>
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
    let row = |label: &str, now: String, end: String| html! { <tr><th scope="row">{label.to_string()}</th><td>{now}</td><td>{end}</td></tr> };
    let mut by_client: std::collections::BTreeMap<&str, Vec<&sim::outcome::LostWrite>> =
        Default::default();
    for l in o.lost_writes.iter().filter(|l| l.acked_ms <= p.now_ms) {
        by_client.entry(l.client.as_str()).or_default().push(l);
    }
    let shown: usize = by_client.values().map(Vec::len).sum();
    let lost = by_client.iter().map(|(c, ws)| {
        html! {
            <li key={c.to_string()}>
                <strong>{format!("{c}, key {}: {} lost ", ws[0].key, ws.len())}</strong>
                { for ws.iter().take(40).map(|w| html! { <del title={format!("acknowledged at {:.1} s", w.acked_ms as f64 / 1000.0)}>{format!("{:x}", w.value & 0xffff_ffff)}</del> }) }
                if ws.len() > 40 { <span>{format!(" … and {} more", ws.len() - 40)}</span> }
            </li>
        }
    });
    let n = &p.now;
    html! {
        <section class="panel outcome" aria-label="Outcome">
            <h2>{"Outcome"}</h2>
            <table>
                <thead><tr><th></th><th scope="col">{"so far"}</th><th scope="col">{"whole run"}</th></tr></thead>
                <tbody>
                    {row("writes acknowledged", n.acked.to_string(), o.writes_acked.to_string())}
                    {row("writes rejected", n.rejected.to_string(), o.writes_rejected.to_string())}
                    {row("writes unknown", n.unknown.to_string(), o.writes_unknown.to_string())}
                    {row("acknowledged writes lost", "—".into(), o.acked_writes_lost.to_string())}
                    {row("split-brain", format!("{:.1} s", p.split_now_ms as f64 / 1000.0), format!("{:.1} s", o.split_brain_ms as f64 / 1000.0))}
                    {row("failovers", n.failovers.to_string(), o.failovers.len().to_string())}
                    {row("fencing rejections", n.fencing.to_string(), o.fencing_rejections.to_string())}
                    {row("monitor alerts", n.alerts.to_string(), o.monitor_alerts.to_string())}
                </tbody>
            </table>
            { for o.warnings.iter().map(|w| html! { <p class="warning">{format!("⚠ {w}")}</p> }) }
            if shown > 0 {
                <h3>{"Acknowledged so far, yet not in the final state"}</h3>
                <ul class="lost" data-lost={shown.to_string()}>{ for lost }</ul>
            }
        </section>
    }
}

/// The last `n` signals that the event log shows, oldest first.
pub fn log_lines(signals: &imbl::Vector<SignalRecord>, n: usize) -> Vec<SignalRecord> {
    let mut lines: Vec<SignalRecord> = signals
        .iter()
        .rev()
        .filter(|r| describe(&r.signal, &[]).is_some())
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
}

/// Puts process names where the core's narration writes `#3`.
pub fn with_names(text: &str, names: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let digits: String = rest[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        match digits.parse::<usize>().ok().and_then(|n| names.get(n)) {
            Some(name) => out.push_str(name),
            None => {
                out.push('#');
                out.push_str(&digits);
            }
        }
        rest = &rest[i + 1 + digits.len()..];
    }
    out.push_str(rest);
    out
}

fn describe(s: &Signal, names: &[String]) -> Option<String> {
    Some(match s {
        Signal::Note { text } => with_names(text, names),
        Signal::Failover { epoch, new_primary } => format!(
            "FAILOVER: {} is the new master (epoch {epoch})",
            name(names, *new_primary)
        ),
        Signal::FencingRejected { token, newest } => {
            format!("storage rejected token {token}: it has seen {newest}")
        }
        Signal::Voted { epoch, candidate } => {
            format!("votes for {} in epoch {epoch}", name(names, *candidate))
        }
        Signal::Writable { writable: true } => "now accepts writes as master".into(),
        Signal::Writable { writable: false } => "no longer accepts writes".into(),
        _ => return None,
    })
}

/// The event log: plain language, newest first; a click jumps there.
#[component]
pub fn EventLog(p: &LogProps) -> Html {
    let lines = p.signals.iter().rev().filter_map(|r| describe(&r.signal, &p.names).map(|d| (r, d))).map(|(r, d)| {
        let who = if r.proc.0 == u16::MAX { String::new() } else { format!("{} ", name(&p.names, r.proc)) };
        let i = p.on_intent.clone();
        let t = r.time_ms;
        html! {
            <li><button class="log-line" onclick={Callback::from(move |_: MouseEvent| i.emit(Intent::Seek(t)))}>
                <span class="t">{format!("{:>6.1} s ", t as f64 / 1000.0)}</span>{who}{d}
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

/// Properties of the process panel.
#[derive(Properties, PartialEq)]
pub struct ProcProps {
    /// The view.
    pub view: Rc<View>,
    /// The process shown.
    pub proc: Option<usize>,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
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
                if let Some(e) = x.view.epoch { <><dt>{"epoch"}</dt><dd>{e}</dd></> }
                if let Some(o) = x.view.offset { <><dt>{"replication offset"}</dt><dd>{o}</dd></> }
                if let Some(m) = x.view.believes_primary { <><dt>{"believes the master is"}</dt><dd>{name(&names, m)}</dd></> }
                if x.view.data_len > 0 { <><dt>{"values held"}</dt><dd>{x.view.data_len}</dd></> }
                { for x.view.facts.iter().map(|(k, v)| html! { <><dt>{k.clone()}</dt><dd>{v.clone()}</dd></> }) }
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
                <button onclick={remove}>{"Remove from topology"}</button>
                <label>{"Runs on "}
                    <select onchange={on_move} aria-label={format!("The box {me} runs on")}>
                        { for p.view.boxes.iter().map(|b| html! { <option value={b.name.clone()} selected={b.name == home}>{b.name.clone()}</option> }) }
                    </select>
                </label>
            </div>
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

/// Add and remove boxes, and place processes on them.
#[component]
pub fn Topology(p: &ScenarioProps) -> Html {
    use crate::topology::TopologyEdit as E;
    let send = |e: E| {
        let i = p.on_intent.clone();
        Callback::from(move |_: MouseEvent| i.emit(Intent::Topology(e.clone())))
    };
    let count = |k: &str| p.scenario.processes().filter(|(_, x)| x.kind == k).count();
    let rows = p.scenario.boxes.iter().map(|b| {
        let n = b.name.clone();
        html! {
            <li key={n.clone()}>
                <strong>{format!("{} ", n)}</strong>
                <span class="muted">{b.processes.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", ")}</span>
                <span class="row-actions">
                    <button onclick={send(E::AddProc(n.clone(), "redis"))} aria-label={format!("Add a Redis replica to {n}")}>{"+ replica"}</button>
                    <button onclick={send(E::AddProc(n.clone(), "sentinel"))} aria-label={format!("Add a Sentinel to {n}")}>{"+ Sentinel"}</button>
                    <button onclick={send(E::AddProc(n.clone(), "client"))} aria-label={format!("Add a client to {n}")}>{"+ client"}</button>
                    <button onclick={send(E::RemoveBox(n.clone()))} aria-label={format!("Remove {n}")}>{"remove"}</button>
                </span>
            </li>
        }
    });
    html! {
        <section class="panel topology" aria-label="Topology">
            <h2>{"Topology"}</h2>
            <p class="facts">{format!("{} Redis servers, {} Sentinels, {} clients on {} boxes", count("redis"), count("sentinel"), count("client"), p.scenario.boxes.len())}</p>
            <ul class="boxes">{ for rows }</ul>
            <button onclick={send(E::AddBox)}>{"Add a box"}</button>
        </section>
    }
}

/// One editable setting.
struct SettingDef {
    path: &'static str,
    label: &'static str,
    conf: &'static str,
    help: &'static str,
}

const SETTINGS: &[SettingDef] = &[
    SettingDef { path: "quorum", label: "Quorum", conf: "sentinel monitor mymaster <ip> <port> <quorum>", help: "Sentinels that must agree the master is down (ODOWN). A failover still needs a majority vote." },
    SettingDef { path: "down_after_ms", label: "Down after (ms)", conf: "sentinel down-after-milliseconds", help: "Silence before a Sentinel judges an instance down (SDOWN)." },
    SettingDef { path: "failover_timeout_ms", label: "Failover timeout (ms)", conf: "sentinel failover-timeout", help: "Limits each failover step; a new attempt waits twice this." },
    SettingDef { path: "min_replicas_to_write", label: "Min replicas to write", conf: "min-replicas-to-write", help: "The master refuses writes (NOREPLICAS) with fewer good replicas than this." },
    SettingDef { path: "min_replicas_max_lag_s", label: "Min replicas max lag (s)", conf: "min-replicas-max-lag", help: "A replica is good if it acknowledged within this many seconds." },
    SettingDef { path: "client.wait_replicas", label: "WAIT replicas", conf: "WAIT numreplicas timeout", help: "Clients wait for this many replicas after each write; short of it, the outcome is unknown." },
    SettingDef { path: "client.wait_timeout_ms", label: "WAIT timeout (ms)", conf: "WAIT numreplicas timeout", help: "How long each WAIT blocks at most." },
    SettingDef { path: "parallel_syncs", label: "Parallel syncs", conf: "sentinel parallel-syncs", help: "Replicas reconfigured at once after a failover." },
    SettingDef { path: "repl_timeout_s", label: "Replication timeout (s)", conf: "repl-timeout", help: "Silence after which master and replica drop their link." },
    SettingDef { path: "repl_backlog_bytes", label: "Backlog size (bytes)", conf: "repl-backlog-size", help: "History kept for partial resyncs; beyond it a replica needs a full resync." },
    SettingDef { path: "client.rate_per_s", label: "Client rate (ops/s)", conf: "(client)", help: "Operations per second per client, one at a time." },
    SettingDef { path: "client.timeout_ms", label: "Client timeout (ms)", conf: "socket_timeout", help: "No reply within this: the outcome is unknown and the client asks Sentinel again." },
    SettingDef { path: "client.workload", label: "Client workload", conf: "set | register", help: "set: unique SADDs, so every lost write is exact; register: SET and GET one key, to see stale reads." },
    SettingDef { path: "initial_master", label: "Initial master", conf: "sentinel monitor mymaster <ip> <port>", help: "The Redis server that starts as master (default: the first)." },
    SettingDef { path: "client.discovery", label: "Client discovery", conf: "sentinel | fixed", help: "sentinel: ask Sentinel for the master (redis-py, ioredis); fixed: always the initial master." },
    SettingDef { path: "network.latency_ms", label: "Link latency (ms)", conf: "(network)", help: "One-way latency between boxes." },
    SettingDef { path: "network.jitter_ms", label: "Link jitter (ms)", conf: "(network)", help: "Extra random latency, up to this." },
    SettingDef { path: "network.loss", label: "Link loss (0–1)", conf: "(network)", help: "Probability that a message between boxes is lost." },
];

/// Properties of the settings panel.
#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// The scenario now.
    pub scenario: Rc<sim::Scenario>,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// The last error in plain words.
    pub message: Option<String>,
}

/// The value in force for `path`, defaults included.
fn current(s: &sim::Scenario, path: &str) -> String {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Ok(eff) = sim::simulation::effective_settings(s) {
        v["settings"] = eff;
    }
    let full = if path.starts_with("network.") {
        path.to_string()
    } else {
        format!("settings.{path}")
    };
    let mut cur = &v;
    for part in full.split('.') {
        match cur.get(part) {
            Some(x) => cur = x,
            None => return String::new(),
        }
    }
    match cur {
        serde_json::Value::String(s) => s.clone(),
        x => x.to_string(),
    }
}

/// The settings, each with its real configuration name, and facts from the topology.
#[component]
pub fn Settings(p: &SettingsProps) -> Html {
    let s = &p.scenario;
    let sentinels = s.processes().filter(|(_, x)| x.kind == "sentinel").count();
    let majority = sentinels / 2 + 1;
    let fields = SETTINGS.iter().map(|d| {
        let i = p.on_intent.clone();
        let path = d.path;
        let onchange = Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                i.emit(Intent::Set(path.to_string(), input.value()));
            }
        });
        let id = format!("set-{}", d.path.replace('.', "-"));
        html! {
            <div class="setting" key={d.path}>
                <label for={id.clone()}>{d.label}</label>
                <input id={id} name={d.path} value={current(s, d.path)} {onchange} aria-describedby={format!("help-{}", d.path.replace('.', "-"))} />
                <small id={format!("help-{}", d.path.replace('.', "-"))}><code>{d.conf}</code>{" — "}{d.help}</small>
            </div>
        }
    });
    let flag = |path: &'static str| {
        let on = current(s, path) == "true";
        let i = p.on_intent.clone();
        (
            on,
            Callback::from(move |_: MouseEvent| {
                i.emit(Intent::Set(path.into(), (!on).to_string()))
            }),
        )
    };
    let (fencing, toggle) = flag("fencing");
    let (persistence, toggle_persistence) = flag("persistence");
    html! {
        <section class="panel settings" aria-label="Settings">
            <h2>{"Settings"}</h2>
            <p class="facts">{format!("{sentinels} Sentinels: a failover needs {majority} votes (a majority), so it survives {} Sentinel failure(s).", sentinels.saturating_sub(majority))}</p>
            if let Some(m) = &p.message {
                <p class="error" role="alert">{m.clone()}{" The previous value stays in force."}</p>
            }
            { for fields }
            <div class="setting">
                <label><input type="checkbox" checked={fencing} onclick={toggle} />{" Fencing tokens (storage checks the config epoch)"}</label>
            </div>
            <div class="setting">
                <label><input type="checkbox" checked={persistence} onclick={toggle_persistence} />{" Persistence (RDB/AOF): data survives a restart"}</label>
            </div>
        </section>
    }
}
