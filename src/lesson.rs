//! A guided lesson over the lab: each step sets the stage, may ask the learner to act,
//! asks for a prediction, plays to the moment and reveals the answer. The lesson's
//! progress is a pure reducer; what a step does to the run goes through the lab's own
//! intents (open a preset, seek, play), so the narration and the simulation move
//! together, backwards too.

use std::rc::Rc;

use sim::lesson::Lesson;
use sim::{Scenario, View};
use yew::prelude::*;

use crate::state::Intent;

/// Where the learner is in a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// Reading, acting, or choosing an answer.
    Ask,
    /// Chose this answer; the lab plays to the moment.
    Playing(usize),
    /// The answer is shown (the learner chose this one).
    Revealed(usize),
}

/// The lesson being followed, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonState {
    /// The lesson.
    pub lesson: Option<Rc<Lesson>>,
    /// The step shown.
    pub step: usize,
    /// Where the learner is in it.
    pub phase: Phase,
}

impl Default for LessonState {
    fn default() -> Self {
        LessonState {
            lesson: None,
            step: 0,
            phase: Phase::Ask,
        }
    }
}

/// What the lesson panel asks of its state.
pub enum LessonIntent {
    /// Start a lesson at a step.
    Open(Rc<Lesson>, usize),
    /// Go to a step.
    Go(usize),
    /// The learner chose an answer.
    Answer(usize),
    /// The lab reached the moment: show the answer.
    Reveal,
    /// Leave the lesson.
    Close,
}

impl Reducible for LessonState {
    type Action = LessonIntent;

    fn reduce(self: Rc<Self>, action: LessonIntent) -> Rc<Self> {
        let last = self.lesson.as_ref().map_or(0, |l| l.steps.len() - 1);
        Rc::new(match action {
            LessonIntent::Open(l, step) => LessonState {
                step: step.min(l.steps.len() - 1),
                lesson: Some(l),
                phase: Phase::Ask,
            },
            LessonIntent::Go(step) => LessonState {
                step: step.min(last),
                phase: Phase::Ask,
                ..(*self).clone()
            },
            LessonIntent::Answer(a) => LessonState {
                phase: Phase::Playing(a),
                ..(*self).clone()
            },
            LessonIntent::Reveal => match self.phase {
                Phase::Playing(a) => LessonState {
                    phase: Phase::Revealed(a),
                    ..(*self).clone()
                },
                _ => return self,
            },
            LessonIntent::Close => LessonState::default(),
        })
    }
}

/// The moment a step starts at: its own `at_ms`, 0 if it opens a preset, else where the
/// step before it ended (the moment its prediction played to).
pub fn start_of(l: &Lesson, step: usize) -> sim::Millis {
    let mut t = 0;
    for (k, s) in l.steps.iter().enumerate().take(step + 1) {
        if s.preset.is_some() {
            t = 0;
        }
        if let Some(at) = s.at_ms {
            t = at;
        }
        if k < step {
            if let Some(q) = &s.predict {
                t = q.play_to_ms;
            }
        }
    }
    t
}

/// The lab intents that set a step's stage, coming from a scenario named `current`:
/// the preset the step plays in (opened again only when the step opens it itself, or
/// when the run shown is another one), then the step's starting moment. So Back moves
/// the narration and the run together.
pub fn stage(l: &Lesson, step: usize, current: &str) -> Vec<Intent> {
    let Some(s) = l.steps.get(step) else {
        return Vec::new();
    };
    let governing = l.steps[..=step].iter().rev().find_map(|x| x.preset.clone());
    let mut out = Vec::new();
    if let Some(p) = governing.filter(|p| s.preset.is_some() || p != current) {
        out.push(Intent::Preset(p));
    }
    out.push(Intent::Seek(start_of(l, step)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lesson of four steps over two presets: the second step has its own moment,
    /// the third opens the other preset and asks a question played to 18 s, the fourth
    /// has no moment of its own.
    fn two_preset_lesson() -> Lesson {
        serde_json::from_value(serde_json::json!({
            "version": 1,
            "name": "two-presets",
            "title": "Two presets",
            "steps": [
                { "say": "look", "preset": "first" },
                { "say": "look", "at_ms": 10_000 },
                { "say": "look", "preset": "second", "predict": {
                    "question": "what next?", "answers": ["this", "that"], "correct": 0,
                    "play_to_ms": 18_000, "reveal": "this"
                } },
                { "say": "look" },
            ],
        }))
        .unwrap()
    }

    #[test]
    fn back_returns_the_run_to_where_the_step_began() {
        let l = two_preset_lesson();
        // Step 3 opens the second preset; back to step 1 reopens the first preset at
        // the step's own moment.
        assert_eq!(
            stage(&l, 1, "second"),
            vec![Intent::Preset("first".into()), Intent::Seek(10_000)]
        );
        // Within one preset, only the moment moves.
        assert_eq!(stage(&l, 1, "first"), vec![Intent::Seek(10_000)]);
        // A step without a moment of its own starts where the prediction before it ended.
        assert_eq!(start_of(&l, 3), 18_000);
    }
}

/// Properties of the lesson panel.
#[derive(Properties, PartialEq)]
pub struct LessonProps {
    /// The lesson's state.
    pub lesson: UseReducerHandle<LessonState>,
    /// The run shown.
    pub view: Rc<View>,
    /// The scenario shown.
    pub scenario: Rc<Scenario>,
    /// Playing?
    pub playing: bool,
    /// Sends a lab intent.
    pub on_intent: Callback<Intent>,
    /// Points at a process (selects it).
    pub on_select: Callback<usize>,
}

/// The lesson panel: the step's words, its task or question, the answer, Back and Next.
#[component]
pub fn LessonPanel(p: &LessonProps) -> Html {
    let st = p.lesson.clone();
    let Some(l) = st.lesson.clone() else {
        return Html::default();
    };
    let step = &l.steps[st.step];
    let n = l.steps.len();
    let now = p.view.now_ms;
    // Playing to the moment: once there, stop exactly on it and reveal.
    {
        let st = st.clone();
        let on_intent = p.on_intent.clone();
        let on_select = p.on_select.clone();
        let target = step.predict.as_ref().map(|q| q.play_to_ms);
        let look = step
            .predict
            .as_ref()
            .and_then(|q| q.look_at.clone())
            .and_then(|name| p.view.procs.iter().position(|x| x.name == name));
        let playing = p.playing;
        use_effect_with(
            (st.phase, now >= target.unwrap_or(u64::MAX)),
            move |(phase, there)| {
                if let (Phase::Playing(_), true, Some(t)) = (phase, there, target) {
                    if playing {
                        on_intent.emit(Intent::TogglePlay);
                    }
                    on_intent.emit(Intent::Seek(t));
                    if let Some(i) = look {
                        on_select.emit(i);
                    }
                    st.dispatch(LessonIntent::Reveal);
                }
            },
        );
    }
    let go = |to: usize| {
        let st = st.clone();
        let l = l.clone();
        let current = p.scenario.name.clone();
        let on_intent = p.on_intent.clone();
        let playing = p.playing;
        Callback::from(move |_: MouseEvent| {
            if playing {
                on_intent.emit(Intent::TogglePlay);
            }
            for i in stage(&l, to, &current) {
                on_intent.emit(i);
            }
            st.dispatch(LessonIntent::Go(to));
        })
    };
    let task_done = step
        .task
        .as_ref()
        .is_none_or(|t| t.done_when.holds(&p.scenario, &p.view));
    let answered = step.predict.is_none() || matches!(st.phase, Phase::Revealed(_));
    let question = step.predict.as_ref().map(|q| {
        let choose = |a: usize| {
            let st = st.clone();
            let on_intent = p.on_intent.clone();
            let playing = p.playing;
            Callback::from(move |_: MouseEvent| {
                st.dispatch(LessonIntent::Answer(a));
                // Play on at the readable pace to the moment that answers it.
                on_intent.emit(Intent::Speed(sim::pace::Speed::default()));
                if !playing {
                    on_intent.emit(Intent::TogglePlay);
                }
            })
        };
        let skip = {
            let on_intent = p.on_intent.clone();
            let t = q.play_to_ms;
            Callback::from(move |_: MouseEvent| on_intent.emit(Intent::Seek(t)))
        };
        html! {
            <div class="predict">
                <p class="question"><strong>{"Predict: "}</strong>{&q.question}</p>
                <div class="answers" role="group" aria-label="Your answer">
                    { for q.answers.iter().enumerate().map(|(k, a)| {
                        let chosen = matches!(st.phase, Phase::Playing(x) | Phase::Revealed(x) if x == k);
                        let verdict = match st.phase {
                            Phase::Revealed(_) if k == q.correct => Some("right"),
                            Phase::Revealed(x) if x == k => Some("wrong"),
                            _ => None,
                        };
                        html! {
                            <button key={k} class={classes!("answer", chosen.then_some("chosen"), verdict)}
                                aria-pressed={chosen.to_string()} disabled={st.phase != Phase::Ask}
                                onclick={choose(k)}>{a.clone()}</button>
                        }
                    }) }
                </div>
                if let Phase::Playing(_) = st.phase {
                    <p class="playing" role="status">{format!("Playing on to {:.1} s to see…", q.play_to_ms as f64 / 1000.0)}
                        {" "}<button onclick={skip}>{"Show me now"}</button></p>
                }
                if let Phase::Revealed(a) = st.phase {
                    <div class={classes!("reveal", if a == q.correct { "right" } else { "wrong" })} role="status">
                        <p><strong>{ if a == q.correct { "Right. " } else { "Not quite. " } }</strong>
                            { q.why_not.get(a).filter(|w| !w.is_empty() && a != q.correct).cloned().unwrap_or_default() }</p>
                        <p>{&q.reveal}</p>
                    </div>
                }
            </div>
        }
    });
    let close = {
        let st = st.clone();
        Callback::from(move |_: MouseEvent| st.dispatch(LessonIntent::Close))
    };
    html! {
        <section class="lesson panel" aria-label={format!("Lesson: {}", l.title)}>
            <header>
                <h2>{&l.title}</h2>
                <span class="muted">{format!("Step {} of {n}", st.step + 1)}</span>
                <button class="close" onclick={close} aria-label="Leave the lesson">{"✕"}</button>
            </header>
            <p class="say">{&step.say}</p>
            if let Some(t) = &step.task {
                <p class={classes!("task", task_done.then_some("done"))}>
                    <strong>{ if task_done { "Done: " } else { "Your turn: " } }</strong>{&t.ask}
                </p>
            }
            { question.unwrap_or_default() }
            <nav class="steps">
                <button onclick={go(st.step.saturating_sub(1))} disabled={st.step == 0}>{"◀ Back"}</button>
                if st.step + 1 < n {
                    <button class="next" onclick={go(st.step + 1)} disabled={!task_done || !answered}>{"Next ▶"}</button>
                } else {
                    <span class="muted">{"End of the lesson."}</span>
                }
            </nav>
        </section>
    }
}
