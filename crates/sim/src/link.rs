//! Scenarios in links: what a page's address carries after its `#`, for course pages,
//! iframes and messages between reviewers. The page and the command-line tool read and
//! write links with this one module, and validate what they read with the same checks
//! as a scenario file ([`Scenario::from_json`], then [`crate::build`]).
//!
//! A link's fragment is `&`-separated `key=value` pairs:
//! - `p=NAME`: a preset, unchanged (the shortest link, and it follows the preset when a
//!   newer lab improves it);
//! - `s=V.DATA`: a whole scenario, `DATA` being its JSON compressed with raw deflate and
//!   encoded as base64url without padding, `V` the link format's version;
//! - `scenario=JSON` (URI-encoded): links made before the compact format, which course
//!   pages already embed; still read, never written;
//! - view options that do not change the scenario: `t=MS` (the moment to open at),
//!   `autoplay=1`, `speed=X` (a pace factor, or `clockX` for the plain clock),
//!   `embed=1`, `panels=a,b`, `lesson=NAME&step=N` for a built-in lesson, or
//!   `ls=V.DATA&step=N` for a trainer's own lesson, packed like a scenario, and
//!   `vs=PATH=VALUE;…` to show the scenario side by side with those settings changed
//!   (see [`LinkView`]).

use base64::Engine as _;

use crate::scenario::{Scenario, ScenarioError};
use crate::Millis;

/// The version of the compact link format this lab writes and reads.
pub const LINK_VERSION: u32 = 1;

/// Compressed links are refused past this many bytes of JSON: a link is not a way to
/// smuggle a gigabyte into a page (the largest scenario the lab runs is far smaller).
const MAX_JSON_BYTES: usize = 1 << 20;

/// What a link asks of the page besides its scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkView {
    /// The moment to open at.
    pub t: Option<Millis>,
    /// Start playing at once.
    pub autoplay: bool,
    /// The speed: a factor, and whether it is paced (see `pace::Speed`).
    pub speed: Option<(f64, bool)>,
    /// The embed mode: the drawing, the controls, the caption and a compact outcome.
    pub embed: bool,
    /// In embed mode, the further panels to show (`outcome`, `log`, `settings`, ...).
    pub panels: Vec<String>,
    /// A built-in lesson to follow, and its step (from 1, as people count).
    pub lesson: Option<(String, usize)>,
    /// A lesson of one's own, packed ([`pack_lesson`]); its step is in `lesson`'s
    /// place when both are given, so only one of them is written.
    pub lesson_packed: Option<String>,
    /// Side by side with the same scenario changed so (`vs=PATH=VALUE;…` or `vs=preset:NAME`, read by
    /// [`crate::compare::parse`]).
    pub compare: Option<String>,
}

impl LinkView {
    /// Takes every option `other` sets (the fragment's over the query's).
    pub fn merge(&mut self, other: LinkView) {
        self.t = other.t.or(self.t);
        self.autoplay |= other.autoplay;
        self.speed = other.speed.or(self.speed);
        self.embed |= other.embed;
        if !other.panels.is_empty() {
            self.panels = other.panels;
        }
        self.lesson = other.lesson.or(self.lesson.take());
        self.lesson_packed = other.lesson_packed.or(self.lesson_packed.take());
        self.compare = other.compare.or(self.compare.take());
    }
}

/// The view options of a fragment or query string, whether or not it names a scenario.
pub fn view_of(fragment: &str) -> LinkView {
    let pairs = pairs(fragment);
    read_view(&|k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v))
}

fn pairs(fragment: &str) -> Vec<(&str, &str)> {
    fragment
        .trim_start_matches(['#', '?'])
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
        .collect()
}

/// What a link holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The scenario.
    pub scenario: Scenario,
    /// The preset it is, if it is one unchanged.
    pub preset: Option<String>,
    /// The view options.
    pub view: LinkView,
}

/// The fragment (without `#`) that carries `s`: the preset's name when `s` is a
/// preset unchanged, the compressed scenario otherwise. View options are appended by
/// [`with_view`].
pub fn encode(s: &Scenario) -> String {
    if let Some(p) = crate::presets::unchanged(s) {
        return format!("p={}", p.name);
    }
    let json = serde_json::to_vec(s).expect("a scenario always serializes");
    format!("s={}", pack(&json))
}

/// `fragment` with the view options of `v` appended.
pub fn with_view(fragment: &str, v: &LinkView) -> String {
    let mut out = fragment.to_string();
    if let Some(t) = v.t.filter(|t| *t > 0) {
        out.push_str(&format!("&t={t}"));
    }
    if v.autoplay {
        out.push_str("&autoplay=1");
    }
    if let Some((f, paced)) = v.speed {
        out.push_str(&format!("&speed={}{f}", if paced { "" } else { "clock" }));
    }
    if v.embed {
        out.push_str("&embed=1");
    }
    if !v.panels.is_empty() {
        out.push_str(&format!("&panels={}", v.panels.join(",")));
    }
    match (&v.lesson_packed, &v.lesson) {
        (Some(packed), step) => {
            let step = step.as_ref().map_or(1, |(_, s)| *s);
            out.push_str(&format!("&ls={packed}&step={step}"));
        }
        (None, Some((name, step))) => out.push_str(&format!("&lesson={name}&step={step}")),
        (None, None) => {}
    }
    if let Some(c) = v.compare.as_ref().filter(|c| !c.is_empty()) {
        out.push_str(&format!("&vs={c}"));
    }
    out
}

/// A lesson packed for a link: `V.DATA` as for a scenario.
pub fn pack_lesson(l: &crate::lesson::Lesson) -> String {
    pack(&serde_json::to_vec(l).expect("a lesson always serializes"))
}

/// Reads a packed lesson, with the checks of a lesson file.
pub fn unpack_lesson(packed: &str) -> Result<crate::lesson::Lesson, ScenarioError> {
    crate::lesson::Lesson::from_json(&unpack(packed)?)
}

fn pack(json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
    format!(
        "{LINK_VERSION}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

fn err(field: &str, msg: impl Into<String>) -> ScenarioError {
    ScenarioError::new(field.to_string(), msg.into())
}

/// Reads a link's fragment (or its query string: the same pairs are read from both).
/// `None` when it names no scenario at all (a plain address); an error in plain words
/// when it names one that cannot be read or run.
pub fn decode(fragment: &str) -> Option<Result<Link, ScenarioError>> {
    let pairs = pairs(fragment);
    let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    let scenario = if let Some(name) = get("p").or_else(|| get("preset")) {
        let name = percent_decode(name).unwrap_or_else(|| name.to_string());
        match crate::presets::find(&name) {
            Some(p) => Ok((p.scenario(), Some(p.name.to_string()))),
            None => Err(err("link", format!("there is no preset named `{name}`"))),
        }
    } else if let Some(packed) = get("s") {
        read_packed(packed).map(|s| (s, None))
    } else if let Some(json) = get("scenario") {
        match percent_decode(json) {
            Some(text) => Scenario::from_json(&text).map(|s| (s, None)),
            None => Err(err("link", "the scenario in it is not properly encoded")),
        }
    } else {
        return None;
    };
    let view = read_view(&get);
    Some(scenario.and_then(|(scenario, preset)| {
        crate::build(&scenario, crate::simulation::RunOptions::default())?;
        Ok(Link {
            scenario,
            preset,
            view,
        })
    }))
}

fn read_packed(packed: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_json(&unpack(packed)?)
}

/// The JSON text inside `V.DATA`.
fn unpack(packed: &str) -> Result<String, ScenarioError> {
    let (version, data) = packed
        .split_once('.')
        .ok_or_else(|| err("link", "it is cut short or mangled (no format version)"))?;
    match version.parse::<u32>() {
        Ok(LINK_VERSION) => {}
        Ok(v) if v > LINK_VERSION => {
            return Err(err(
                "link",
                format!(
                    "it was made by a newer Split-Brain Lab (link format {v}; this one reads {LINK_VERSION}): open it with the lab that made it"
                ),
            ))
        }
        _ => return Err(err("link", "it is cut short or mangled (bad format version)")),
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| err("link", "it is cut short or mangled (not base64url)"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_JSON_BYTES).map_err(
        |_| {
            err(
                "link",
                "it is cut short or mangled (the data does not inflate)",
            )
        },
    )?;
    String::from_utf8(json).map_err(|_| err("link", "it is cut short or mangled (not text)"))
}

fn read_view<'a>(get: &impl Fn(&str) -> Option<&'a str>) -> LinkView {
    let flag = |k: &str| matches!(get(k), Some("1" | "true" | "yes" | ""));
    let speed = get("speed").and_then(|v| {
        let (paced, num) = match v.strip_prefix("clock") {
            Some(n) => (false, n),
            None => (true, v),
        };
        num.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f > 0.0 && *f <= 1000.0)
            .map(|f| (f, paced))
    });
    LinkView {
        t: get("t").and_then(|t| t.parse().ok()),
        autoplay: get("autoplay").is_some() && flag("autoplay"),
        speed,
        embed: get("embed").is_some() && flag("embed"),
        panels: get("panels")
            .map(|p| {
                p.split(',')
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        // The step rides with either kind of lesson; a packed one has no name here.
        lesson: (get("lesson").is_some_and(|n| !n.is_empty()) || get("ls").is_some()).then(|| {
            let step = get("step").and_then(|s| s.parse().ok()).unwrap_or(1);
            (get("lesson").unwrap_or_default().to_string(), step.max(1))
        }),
        lesson_packed: get("ls").filter(|p| !p.is_empty()).map(str::to_string),
        compare: get("vs")
            .map(|c| percent_decode(c).unwrap_or_else(|| c.to_string()))
            .filter(|c| !c.is_empty()),
    }
}

/// Decodes `%XX` escapes (and `+` as a space is *not* applied: links use `%20`);
/// None when an escape is broken or the bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_travels_by_name_and_in_full() {
        for p in crate::presets::all() {
            let s = p.scenario();
            assert_eq!(encode(&s), format!("p={}", p.name));
            let link = decode(&encode(&s)).unwrap().unwrap();
            assert_eq!(link.scenario, s);
            // Changed a little, it travels whole.
            let mut changed = s.clone();
            changed.seed += 1;
            let f = encode(&changed);
            assert!(f.starts_with("s=1."), "{f}");
            assert_eq!(decode(&f).unwrap().unwrap().scenario, changed, "{}", p.name);
            // And a saved file reads back the same.
            assert_eq!(Scenario::from_json(&changed.to_json()).unwrap(), changed);
        }
    }

    #[test]
    fn a_link_made_before_the_compact_format_still_opens() {
        let s = crate::presets::all().next().unwrap().scenario();
        let json = serde_json::to_string(&s).unwrap();
        let legacy: String = json
            .bytes()
            .map(|c| {
                if c.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&c) {
                    (c as char).to_string()
                } else {
                    format!("%{c:02X}")
                }
            })
            .collect();
        let link = decode(&format!("#scenario={legacy}")).unwrap().unwrap();
        assert_eq!(link.scenario, s);
    }
}
