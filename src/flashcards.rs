//! "Check yourself": the seed lesson's flashcards, each with a button that opens the
//! moment in the lab that answers it, and the cluster-sizing sheet computed from the
//! scenario shown (by the system's own rule, see `SystemDesc::sizing`).

use std::rc::Rc;

use yew::prelude::*;

use crate::state::Intent;

/// Properties of the panel.
#[derive(Properties, PartialEq)]
pub struct CheckProps {
    /// The scenario shown.
    pub scenario: Rc<sim::Scenario>,
    /// Whether it is the person's own (not a preset unchanged).
    pub own: bool,
    /// Sends an intent.
    pub on_intent: Callback<Intent>,
}

/// The flashcards and the sizing sheet.
#[component]
pub fn CheckYourself(p: &CheckProps) -> Html {
    let cards = use_memo((), |_| sim::lesson::flashcards());
    let Ok(sys) = sim::system::find(&p.scenario.system) else {
        return Html::default();
    };
    let sheet = (sys.sizing)(&p.scenario);
    // Over a scenario of one's own, "Show me" asks first, as the preset picker does.
    let own = p.own;
    let cards = cards.iter().enumerate().map(|(k, c)| {
        let show = {
            let i = p.on_intent.clone();
            let m = c.show.clone();
            let current = p.scenario.name.clone();
            Callback::from(move |_: MouseEvent| {
                let go = crate::share::may_replace(own, &m.preset, &current);
                if go {
                    i.emit(Intent::Preset(m.preset.clone()));
                    i.emit(Intent::Seek(m.at_ms));
                }
            })
        };
        html! {
            <details key={k} class="card">
                <summary>{&c.q}</summary>
                <p>{&c.a}</p>
                <button onclick={show}>{format!("Show me ({} at {:.0} s)", c.show.preset, c.show.at_ms as f64 / 1000.0)}</button>
            </details>
        }
    });
    html! {
        <section class="panel check" aria-label="Check yourself">
            <h2>{"Check yourself"}</h2>
            { for cards }
            <table class="sizing">
                <caption>{format!("Cluster sizing: this scenario has {} {}", sheet.current, sheet.counted)}</caption>
                <thead><tr>
                    <th scope="col">{sheet.counted}</th>
                    <th scope="col">{sheet.needed_for}</th>
                    <th scope="col">{"failures survived"}</th>
                </tr></thead>
                <tbody>
                    { for sheet.rows.iter().map(|r| {
                        let here = r.n == sheet.current;
                        html! {
                            <tr key={r.n} class={classes!(here.then_some("current"))} aria-current={here.then_some("true")}>
                                <th scope="row">{ if here { format!("{} (this one)", r.n) } else { r.n.to_string() } }</th>
                                <td>{r.needed}</td>
                                <td>{r.tolerates}</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            { for (sys.facts)(&p.scenario).into_iter().map(|f| html! { <p class="facts">{f}</p> }) }
        </section>
    }
}
