//! Guided lessons: short sequences of steps over presets. A step sets the stage in a
//! sentence or two, may ask the learner to act (cut a box off, change a setting), and
//! at the key moments asks them to predict before the lab plays on to the moment and
//! reveals the answer, with why a wrong answer misled. Lessons are data (JSON,
//! versioned like scenarios, see docs/lesson-format.md): a trainer writes their own
//! without code, and each built-in lesson's answers are checked against the runs by
//! the tests (`shows`). Each system lists its own lessons in its registry entry.

use serde::{Deserialize, Serialize};

use crate::scenario::{from_value_at, ScenarioError};
use crate::view::View;
use crate::Millis;

/// The lesson format this lab reads.
pub const LESSON_VERSION: u32 = 1;

/// A lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Format version: [`LESSON_VERSION`].
    pub version: u32,
    /// Short name, as in links (`lesson=NAME`).
    pub name: String,
    /// Its title.
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What to look at, in a sentence or two.
    pub say: String,
    /// Opens this preset first (the first step must name one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Goes to this moment first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<Millis>,
    /// Something the learner does before going on; the lab checks it is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    /// A question to answer before the lab plays on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predict: Option<Predict>,
}

/// An action asked of the learner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// What to do, in words.
    pub ask: String,
    /// How the lab sees that it is done.
    pub done_when: Check,
}

/// A condition on what the lab shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Boxes `a` and `b` are in different partitions.
    Apart {
        /// One box.
        a: String,
        /// The other.
        b: String,
    },
    /// A setting has a value (`quorum`, `client.wait_replicas`).
    Setting {
        /// Its path, as `--set` writes it.
        path: String,
        /// Its value.
        value: serde_json::Value,
    },
}

/// A question with two to four answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predict {
    /// The question.
    pub question: String,
    /// The answers offered.
    pub answers: Vec<String>,
    /// Which answer is right (from 0).
    pub correct: usize,
    /// The lab plays to this moment before it reveals.
    pub play_to_ms: Millis,
    /// The answer, with the reason and where on the drawing it shows.
    pub reveal: String,
    /// For each answer, what misled a learner who chose it (empty for the right one);
    /// may be left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why_not: Vec<String>,
    /// The process the reveal points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub look_at: Option<String>,
    /// What the run shows at `play_to_ms` if the answer is right; the tests check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shows: Option<Shows>,
}

/// Facts about a run at a moment, to check a lesson's answer against the model.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shows {
    /// How many new leaders (masters) were put in charge so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_leaders: Option<usize>,
    /// The process that leads now (the crowned one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leads: Option<String>,
    /// At least this many acknowledged writes are lost by now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_at_least: Option<u64>,
    /// At most this many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_at_most: Option<u64>,
    /// At least this many times a client took a lock another still believed it held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_twice_at_least: Option<u64>,
    /// Exactly this many older lock holders' writes the storage took after a newer
    /// holder's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_writes: Option<u64>,
}

/// A flashcard: a question, its answer, and the moment in the lab that shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flashcard {
    /// The question.
    pub q: String,
    /// The answer.
    pub a: String,
    /// Where the lab shows it.
    pub show: Moment,
}

/// A preset at a moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moment {
    /// The preset.
    pub preset: String,
    /// The moment.
    pub at_ms: Millis,
}

/// The seed lesson's flashcards, corrected where the real systems disagree with it.
pub fn flashcards() -> Vec<Flashcard> {
    serde_json::from_str(include_str!("../lessons/flashcards.json"))
        .expect("the built-in flashcards are valid")
}

impl Check {
    /// Whether the lab shows this now.
    pub fn holds(&self, s: &crate::Scenario, v: &View) -> bool {
        match self {
            Check::Apart { a, b } => {
                let island = |n: &str| v.boxes.iter().find(|x| x.name == *n).map(|x| x.island);
                matches!((island(a), island(b)), (Some(x), Some(y)) if x != y)
            }
            Check::Setting { path, value } => {
                s.settings.pointer(&format!("/{}", path.replace('.', "/"))) == Some(value)
            }
        }
    }
}

/// Every built-in lesson: each system brings its own (`SystemDesc::lessons`).
pub fn all() -> Vec<Lesson> {
    crate::SYSTEMS
        .iter()
        .flat_map(|s| s.lessons.iter())
        .map(|t| Lesson::from_json(t).expect("the built-in lessons are valid"))
        .collect()
}

/// A built-in lesson by name.
pub fn find(name: &str) -> Option<Lesson> {
    all().into_iter().find(|l| l.name == name)
}

impl Lesson {
    /// Reads and checks a lesson file; an error names the field in plain words.
    pub fn from_json(text: &str) -> Result<Lesson, ScenarioError> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ScenarioError::new("", format!("not valid JSON: {e}")))?;
        match v.get("version").and_then(|x| x.as_u64()) {
            Some(n) if n == LESSON_VERSION as u64 => {}
            Some(n) => {
                return Err(ScenarioError::new(
                    "version",
                    format!("this lab reads lesson version {LESSON_VERSION}, the file says {n}"),
                ))
            }
            None => return Err(ScenarioError::new("version", "missing: add \"version\": 1")),
        }
        let l: Lesson = from_value_at(v, "")?;
        l.validate()?;
        Ok(l)
    }

    fn validate(&self) -> Result<(), ScenarioError> {
        if self.steps.is_empty() {
            return Err(ScenarioError::new(
                "steps",
                "a lesson needs at least one step",
            ));
        }
        if self.steps[0].preset.is_none() {
            return Err(ScenarioError::new(
                "steps[0].preset",
                "the first step must open a preset",
            ));
        }
        let mut scenario = None;
        for (i, s) in self.steps.iter().enumerate() {
            let at = |f: &str| format!("steps[{i}].{f}");
            if let Some(p) = &s.preset {
                let preset = crate::presets::find(p).ok_or_else(|| {
                    ScenarioError::new(at("preset"), format!("there is no preset named `{p}`"))
                })?;
                scenario = Some(preset.scenario());
            }
            let sc = scenario.as_ref().expect("the first step opens a preset");
            if s.at_ms.is_some_and(|t| t > sc.duration_ms) {
                return Err(ScenarioError::new(
                    at("at_ms"),
                    "after the end of the scenario",
                ));
            }
            if let Some(q) = &s.predict {
                if !(2..=4).contains(&q.answers.len()) {
                    return Err(ScenarioError::new(
                        at("predict.answers"),
                        "offer two to four answers",
                    ));
                }
                if q.correct >= q.answers.len() {
                    return Err(ScenarioError::new(
                        at("predict.correct"),
                        "names no answer (answers count from 0)",
                    ));
                }
                if !q.why_not.is_empty() && q.why_not.len() != q.answers.len() {
                    return Err(ScenarioError::new(
                        at("predict.why_not"),
                        "give one line per answer, or none",
                    ));
                }
                if q.play_to_ms > sc.duration_ms {
                    return Err(ScenarioError::new(
                        at("predict.play_to_ms"),
                        "after the end of the scenario",
                    ));
                }
                let named = |n: &str| sc.processes().any(|(_, p)| p.name == n);
                if let Some(n) = q.look_at.as_deref().filter(|n| !named(n)) {
                    return Err(ScenarioError::new(
                        at("predict.look_at"),
                        format!("there is no process named `{n}`"),
                    ));
                }
            }
        }
        Ok(())
    }
}
