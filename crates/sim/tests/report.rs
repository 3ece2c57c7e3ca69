//! The run's report on a preset: the Markdown, the drawing and the timeline.

use sim::ids::Millis;
use sim::process::MarkerKind;
use sim::report::*;
use sim::simulation::{build, RunOptions};
use sim::{Outcome, Scenario, Simulation};

fn run_to(preset: &str, at: Millis) -> (Scenario, Box<dyn Simulation>, sim::view::View, Outcome) {
    let s = sim::presets::find(preset).unwrap().scenario();
    let mut sim = build(&s, RunOptions::default()).unwrap();
    sim.run_until(at);
    let view = sim.view();
    sim.run_until(s.duration_ms);
    let o = sim.outcome();
    (s, sim, view, o)
}

/// Every `&` starts an entity and every element that opens closes: what an SVG
/// viewer needs to open the file at all.
fn well_formed(svg: &str) {
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.trim_end().ends_with("</svg>"));
    for (i, _) in svg.match_indices('&') {
        let rest = &svg[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "a bare & at {i}"
        );
    }
    for tag in ["svg", "text", "title", "tspan"] {
        let open = svg.matches(&format!("<{tag}")).count()
            - if tag == "text" {
                svg.matches("<textPath").count()
            } else {
                0
            };
        let close = svg.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}> opened {open} times, closed {close}");
    }
}

#[test]
fn the_markdown_report_says_the_sentence_first_then_the_numbers() {
    let (s, sim, _, o) = run_to("sentinel-old-master-isolated", 90_000);
    let md = markdown(&s, sim.system(), &o, &sim.check_invariants(), Some("#p=x"));
    let sentence = md.lines().find(|l| l.starts_with("**")).unwrap();
    assert_eq!(sentence, format!("**{}**", o.sentence(&sim.system().words)));
    assert!(
        md.contains(&format!(
            "| Acknowledged writes lost | {} |",
            o.acked_writes_lost
        )),
        "{md}"
    );
    assert!(md.contains("| Split-brain | 34.0 s |"), "{md}");
    // The failover: R1 promoted 7.1 s after the cut at 10 s.
    assert!(md.contains("| 17.1 s | 7.1 s | 1 | R1 |"), "{md}");
    assert!(md.contains("## Acknowledged writes lost per key"));
    assert!(md.contains("- at 10.0 s: isolate box1"));
    assert!(md.contains("- held: one promotion per epoch"));
    assert!(md.contains("<#p=x>"));
}

#[test]
fn the_drawing_at_the_cut_shows_two_partitions_and_who_only_believes_it_leads() {
    let (s, sim, view, o) = run_to("sentinel-old-master-isolated", 20_000);
    let svg = svg::drawing(
        &s,
        &view,
        sim.system().words.epoch,
        &o.sentence(&sim.system().words),
    );
    well_formed(&svg);
    assert!(svg.contains("Partition A") && svg.contains("Partition B"));
    for p in ["M1", "R1", "S1", "C2"] {
        assert!(svg.contains(&format!(">{p}</tspan>")), "{p} is drawn");
    }
    // Two crowns: the promoted replica's, and the old master's dashed one.
    assert_eq!(svg.matches("stroke=\"#5c3d00\"").count(), 2);
    assert_eq!(svg.matches("stroke-dasharray=\"2 1.5\"").count(), 1);
    assert!(svg.contains("t = 20.0 s"));
}

#[test]
fn the_timeline_marks_every_moment_and_the_moment_shown() {
    let (s, sim, _, o) = run_to("sentinel-old-master-isolated", 90_000);
    let m = moments(sim.as_ref(), Some(&o));
    assert!(m
        .iter()
        .any(|x| x.kind == MarkerKind::Leader && x.label.contains("R1")));
    assert!(m.windows(2).all(|w| w[0].time_ms <= w[1].time_ms));
    let svg = svg::timeline(&s, &m, Some(20_000));
    well_formed(&svg);
    assert_eq!(svg.matches("y=\"53\" width=\"7\"").count(), m.len());
    assert_eq!(
        svg.matches("stroke=\"#0b57d0\"").count(),
        1,
        "the moment shown"
    );
    assert!(
        svg.contains("17.1 s: S2: R1 is the new master (epoch 1)"),
        "{svg}"
    );
    assert!(svg.contains("network cut from 10.0 s to 40.0 s"));
}
