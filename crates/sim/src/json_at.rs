//! Typed reading of JSON that names the field at fault (`settings.quorum`,
//! `boxes[0].processes[1].settings`), without a path-tracking deserializer.
//!
//! A path-tracking wrapper (serde_path_to_error) wraps every visitor of every type it
//! reads: 115 KB of the page's wasm code (twiggy, after wasm-opt -Oz). Here the
//! value is printed one field per line and read back with serde_json, whose errors
//! carry a line and a column; one plain function then walks the printed text to that
//! place and names the field, only when reading fails. Net of serde_json's own reader
//! for each type, the page is 13 KB smaller gzipped.

use serde::de::DeserializeOwned;
use serde::Deserialize;

/// Reads `v` as a `T`. On error, says which field is at fault, as a path under
/// `prefix`, and what is wrong (serde_json's words, without its line and column).
pub(crate) fn read<T: DeserializeOwned>(
    v: &serde_json::Value,
    prefix: &str,
) -> Result<T, (String, String)> {
    // A Value always prints; one field per line keeps each place unambiguous.
    let text = serde_json::to_string_pretty(v).unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| {
        let mut path = path_at(&text, offset_of(&text, e.line(), e.column()));
        let mut message = without_position(e.to_string());
        // A variant's name is not a field: `{"ONE": 1}` where a variant is wanted is
        // wrong at the field that holds it.
        if let (Some(Step::Key(k)), Some(rest)) =
            (path.last(), message.strip_prefix("unknown variant `"))
        {
            if rest.starts_with(&format!("{k}`")) {
                path.pop();
            }
        }
        // Read as text, a variant given as a number, a list or an empty map is
        // "expected value"; read from the value (as the page and the CLI did before),
        // it is named: "invalid type: integer `-1`, expected string or map".
        if message == "expected value" {
            if let Some(Err(named)) = value_at(v, &path).map(Variant::deserialize) {
                message = named.to_string();
            }
        }
        let path = render(&path);
        let field = match (prefix.is_empty(), path.is_empty()) {
            (true, _) => path,
            (false, true) => prefix.to_string(),
            (false, false) => format!("{prefix}.{path}"),
        };
        (field, message)
    })
}

/// Any enum, read from a value only to have serde_json name what is there instead.
#[derive(serde::Deserialize)]
enum Variant {
    #[allow(dead_code)]
    V,
}

/// One step of a path: a field of an object or an element of a list.
enum Step {
    Key(String),
    Index(usize),
}

fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn value_at<'v>(v: &'v serde_json::Value, path: &[Step]) -> Option<&'v serde_json::Value> {
    path.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
    })
}

/// serde_json's message without " at line L column C".
pub(crate) fn without_position(m: String) -> String {
    match m.find(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m,
    }
}

/// The byte offset of serde_json's (1-based line, column) position: the column
/// counts the bytes of the line up to and including the last one read.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column).min(text.len())
}

/// One open container while walking the printed JSON.
enum Open {
    /// An object, and the key whose value is being read.
    Object { key: Option<String> },
    /// An array, and how many of its elements have begun.
    Array { begun: usize },
}

/// The field at byte `at` of pretty-printed JSON: the innermost value being read
/// once every token that starts before `at` is read. serde_json reports a missing
/// field just past the object's `}`, so the path is then the object's own.
fn path_at(text: &str, at: usize) -> Vec<Step> {
    let b = text.as_bytes();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    let begin_value = |stack: &mut Vec<Open>| {
        if let Some(Open::Array { begun }) = stack.last_mut() {
            *begun += 1;
        }
    };
    while i < at && i < b.len() {
        match b[i] {
            b'{' => {
                begin_value(&mut stack);
                stack.push(Open::Object { key: None });
                i += 1;
            }
            b'[' => {
                begin_value(&mut stack);
                stack.push(Open::Array { begun: 0 });
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
            }
            b'"' => {
                let end = string_end(b, i);
                let is_key = text[end..].trim_start().starts_with(':');
                if is_key {
                    if let Some(Open::Object { key }) = stack.last_mut() {
                        *key = serde_json::from_str::<String>(&text[i..end]).ok();
                    }
                } else {
                    begin_value(&mut stack);
                }
                i = end;
            }
            b',' | b':' => i += 1,
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                begin_value(&mut stack);
                while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b'\n') {
                    i += 1;
                }
            }
        }
    }
    stack
        .into_iter()
        .filter_map(|open| match open {
            Open::Object { key } => key.map(Step::Key),
            Open::Array { begun } => begun.checked_sub(1).map(Step::Index),
        })
        .collect()
}

/// The byte just past the JSON string that starts at `i` (a `"`).
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        a: u32,
        #[serde(default)]
        b: Vec<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        list: Vec<Inner>,
        #[serde(default)]
        one: Option<Inner>,
    }

    fn field(v: serde_json::Value) -> String {
        read::<Outer>(&v, "top").unwrap_err().0
    }

    #[test]
    fn each_kind_of_error_names_its_field() {
        let ok = json!({"name": "x", "list": [{"a": 1}, {"a": 2, "b": [1, 2]}]});
        assert!(read::<Outer>(&ok, "").is_ok());
        let cases = [
            (json!({"name": 3, "list": []}), "top.name"),
            (json!({"list": []}), "top"),
            (
                json!({"name": "x", "list": [{"a": 1}, {"a": "no"}]}),
                "top.list[1].a",
            ),
            (json!({"name": "x", "list": [{"a": 1}, {}]}), "top.list[1]"),
            (
                json!({"name": "x", "list": [{"a": 1, "b": [1, "z"]}]}),
                "top.list[0].b[1]",
            ),
            (
                json!({"name": "x", "list": [{"a": 1, "zz": 1}]}),
                "top.list[0].zz",
            ),
            (
                json!({"name": "x", "list": [], "one": {"a": -1}}),
                "top.one.a",
            ),
            (
                json!({"name": "x", "list": [], "one": {"b": []}}),
                "top.one",
            ),
            (json!({"name": "x", "list": {}}), "top.list"),
            (
                json!({"name": "x", "list": [], "extra": {"deep": 1}}),
                "top.extra",
            ),
            (json!([]), "top"),
        ];
        for (v, want) in cases {
            assert_eq!(field(v.clone()), want, "{v}");
        }
    }

    #[test]
    fn messages_lose_their_position() {
        let (_, m) = read::<Outer>(&json!({"list": []}), "").unwrap_err();
        assert_eq!(m, "missing field `name`");
    }
}
