//! Histories from outside the lab: the lab's JSON-lines format, and Jepsen's two
//! formats for register tests (the EDN history and the tab-separated log lines).
//! Invocations and completions are paired by process, as Jepsen pairs them: a process
//! has one operation outstanding at a time.

use std::collections::HashMap;

use super::{Call, Operation, Status, Value};

/// Why a history could not be read: where, and what is wrong, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// The line (from 1).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn err(line: usize, message: impl Into<String>) -> FormatError {
    FormatError {
        line,
        message: message.into(),
    }
}

/// Reads a history in whichever format `text` is: EDN when it starts with `{:` or `[`
/// (a JSON line starts with `{"`), Jepsen's log lines when its first line
/// has tabs, the lab's JSON lines otherwise.
pub fn parse(text: &str) -> Result<Vec<Operation>, FormatError> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.starts_with("{:") || first.starts_with('[') {
        parse_edn(text)
    } else if first.contains('\t') {
        parse_log(text)
    } else {
        parse_json_lines(text)
    }
}

/// One event of a history being read: an invocation or a completion.
struct Event {
    line: usize,
    process: String,
    kind: Status,
    invoke: bool,
    f: String,
    value: Edn,
    time: i64,
}

/// Pairs invocations with completions by process.
fn pair(events: Vec<Event>) -> Result<Vec<Operation>, FormatError> {
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Operation> = Vec::new();
    for e in events {
        if e.invoke {
            if open.contains_key(&e.process) {
                return Err(err(
                    e.line,
                    format!(
                        "process {} invokes again before its last operation completed",
                        e.process
                    ),
                ));
            }
            let (key, call) = call_of(&e.f, &e.value, true).map_err(|m| err(e.line, m))?;
            open.insert(e.process.clone(), out.len());
            out.push(Operation {
                process: e.process,
                key,
                call,
                read: None,
                invoke: e.time,
                complete: None,
                status: Status::Info,
            });
        } else {
            let Some(i) = open.remove(&e.process) else {
                return Err(err(
                    e.line,
                    format!(
                        "process {} completes an operation it never invoked",
                        e.process
                    ),
                ));
            };
            let op = &mut out[i];
            op.status = e.kind;
            if e.kind != Status::Info {
                op.complete = Some(e.time);
            }
            if op.call == Call::Read && e.kind == Status::Ok {
                let (_, v) = split_key(&e.value, true);
                op.read = value_of(v).map_err(|m| err(e.line, m))?;
            }
        }
    }
    // Operations never completed are unknown, as Jepsen's checkers treat them.
    Ok(out)
}

/// An independent key's tuple `[key value]`, or a plain value on key "0".
fn split_key(v: &Edn, call_is_read: bool) -> (String, &Edn) {
    if let Edn::Vec(xs) = v {
        // `[k v]`; a compare-and-set's own `[from to]` has no key.
        let keyed = xs.len() == 2
            && (call_is_read
                || !matches!(xs[1], Edn::Int(_) | Edn::Nil)
                || matches!(xs[0], Edn::Str(_) | Edn::Kw(_)));
        if keyed {
            return (xs[0].to_key(), &xs[1]);
        }
    }
    ("0".into(), v)
}

fn value_of(v: &Edn) -> Result<Value, String> {
    match v {
        Edn::Nil => Ok(None),
        Edn::Int(i) if *i >= 0 => Ok(Some(*i as u64)),
        other => Err(format!(
            "expected a value (a whole number or nil), found {other:?}"
        )),
    }
}

fn call_of(f: &str, v: &Edn, invoking: bool) -> Result<(String, Call), String> {
    match f {
        "read" | "r" => {
            let (key, _) = split_key(v, true);
            Ok((key, Call::Read))
        }
        "write" | "w" => {
            let (key, x) = split_key(v, false);
            let value = value_of(x)?.ok_or("a write of nil")?;
            Ok((key, Call::Write { value }))
        }
        "cas" => {
            let (key, x) = match v {
                Edn::Vec(xs) if xs.len() == 2 && matches!(xs[1], Edn::Vec(_)) => {
                    (xs[0].to_key(), &xs[1])
                }
                _ => ("0".to_string(), v),
            };
            match x {
                Edn::Vec(pair) if pair.len() == 2 => {
                    let from = value_of(&pair[0])?.ok_or("a compare-and-set from nil")?;
                    let to = value_of(&pair[1])?.ok_or("a compare-and-set to nil")?;
                    Ok((key, Call::Cas { from, to }))
                }
                _ => Err(format!(
                    "a compare-and-set's value is [from to], found {x:?}"
                )),
            }
        }
        other if invoking => Err(format!(
            "unknown operation `{other}`: this checker knows read, write and cas"
        )),
        other => Err(format!("unknown operation `{other}`")),
    }
}

/// One line of the lab's JSON-lines format, as written (other fields are ignored).
#[derive(serde::Deserialize)]
struct Line {
    process: Option<serde_json::Value>,
    key: Option<serde_json::Value>,
    f: Option<serde_json::Value>,
    value: Option<serde_json::Value>,
    invoke: Option<serde_json::Value>,
    complete: Option<serde_json::Value>,
    outcome: Option<serde_json::Value>,
}

/// The lab's JSON-lines format, one operation per line (see docs/history-format.md).
pub fn parse_json_lines(text: &str) -> Result<Vec<Operation>, FormatError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        // Read into the fields it has rather than a map of every field: a third of the
        // time, on a 100,000-line history in the page.
        let v: Line = serde_json::from_str(line).map_err(|e| {
            err(
                line_no,
                if e.is_data() {
                    "not an operation: one JSON object per line, with process, f, value, invoke…"
                        .to_string()
                } else {
                    format!("not JSON: {e}")
                },
            )
        })?;
        let field = |k: &str| {
            match k {
                "process" => v.process.as_ref(),
                "key" => v.key.as_ref(),
                "f" => v.f.as_ref(),
                "value" => v.value.as_ref(),
                "invoke" => v.invoke.as_ref(),
                "complete" => v.complete.as_ref(),
                _ => v.outcome.as_ref(),
            }
            .filter(|x| !x.is_null())
        };
        let process = match field("process") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(x) => x.to_string(),
            None => return Err(err(line_no, "`process` is missing")),
        };
        let key = match field("key") {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(x) => x.to_string(),
            None => "0".into(),
        };
        let f = field("f")
            .and_then(|x| x.as_str())
            .ok_or_else(|| err(line_no, "`f` is missing: read, write or cas"))?;
        let value = field("value").map(json_to_edn).unwrap_or(Edn::Nil);
        let int = |k: &str| -> Result<Option<i64>, FormatError> {
            match field(k) {
                None => Ok(None),
                Some(x) => x
                    .as_i64()
                    .map(Some)
                    .ok_or_else(|| err(line_no, format!("`{k}` is not a whole number"))),
            }
        };
        let invoke = int("invoke")?
            .ok_or_else(|| err(line_no, "`invoke` (the time it was invoked) is missing"))?;
        let complete = int("complete")?;
        let status = match field("outcome").and_then(|x| x.as_str()).unwrap_or("ok") {
            "ok" => Status::Ok,
            "fail" => Status::Fail,
            "info" => Status::Info,
            other => {
                return Err(err(
                    line_no,
                    format!("`outcome` is ok, fail or info, not `{other}`"),
                ))
            }
        };
        if status == Status::Ok && complete.is_none() {
            return Err(err(
                line_no,
                "an operation that completed ok needs `complete`",
            ));
        }
        if complete.is_some_and(|c| c < invoke) {
            return Err(err(line_no, "`complete` is before `invoke`"));
        }
        let (call, read) = match f {
            "read" => (Call::Read, value_of(&value).map_err(|m| err(line_no, m))?),
            _ => (
                call_of(f, &value, true).map_err(|m| err(line_no, m))?.1,
                None,
            ),
        };
        out.push(Operation {
            process,
            key,
            call,
            read,
            invoke,
            complete: if status == Status::Info {
                None
            } else {
                complete
            },
            status,
        });
    }
    Ok(out)
}

/// Writes a history as the lab's JSON lines, which [`parse_json_lines`] reads back as
/// the same operations (`run --history`, and the page's export).
pub fn write_json_lines(ops: &[Operation]) -> String {
    let mut out = String::with_capacity(ops.len() * 96);
    for op in ops {
        let value = match op.call {
            Call::Read => op.read.map_or(serde_json::Value::Null, Into::into),
            Call::Write { value } => value.into(),
            Call::Cas { from, to } => serde_json::json!([from, to]),
        };
        let f = match op.call {
            Call::Read => "read",
            Call::Write { .. } => "write",
            Call::Cas { .. } => "cas",
        };
        let mut line = serde_json::json!({
            "process": op.process,
            "key": op.key,
            "f": f,
            "value": value,
            "invoke": op.invoke,
        });
        if let Some(c) = op.complete {
            line["complete"] = c.into();
        }
        if op.status != Status::Ok {
            line["outcome"] = match op.status {
                Status::Fail => "fail",
                _ => "info",
            }
            .into();
        }
        out += &line.to_string();
        out.push('\n');
    }
    out
}

fn json_to_edn(v: &serde_json::Value) -> Edn {
    match v {
        serde_json::Value::Null => Edn::Nil,
        serde_json::Value::Number(n) => n.as_i64().map_or(Edn::Other(n.to_string()), Edn::Int),
        serde_json::Value::String(s) => Edn::Str(s.clone()),
        serde_json::Value::Array(xs) => Edn::Vec(xs.iter().map(json_to_edn).collect()),
        other => Edn::Other(other.to_string()),
    }
}

/// Jepsen's log lines: `process TAB :type TAB :f TAB value` (the line is the time).
pub fn parse_log(text: &str) -> Result<Vec<Operation>, FormatError> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(err(
                line_no,
                "expected process, :type, :f and a value, separated by tabs",
            ));
        }
        // Nemesis lines (`:nemesis`) are not operations on the register.
        if cols[0].trim() == ":nemesis" {
            continue;
        }
        let value = match cols.get(3) {
            Some(v) => read_edn(v.trim()).map_err(|m| err(line_no, m))?,
            None => Edn::Nil,
        };
        events.push(event(
            line_no,
            cols[0].trim().to_string(),
            cols[1].trim(),
            cols[2].trim().trim_start_matches(':'),
            value,
            line_no as i64,
        )?);
    }
    pair(events)
}

fn event(
    line: usize,
    process: String,
    kind: &str,
    f: &str,
    value: Edn,
    time: i64,
) -> Result<Event, FormatError> {
    let (invoke, kind) = match kind.trim_start_matches(':') {
        "invoke" => (true, Status::Info),
        "ok" => (false, Status::Ok),
        "fail" => (false, Status::Fail),
        "info" => (false, Status::Info),
        other => {
            return Err(err(
                line,
                format!("`:type` is :invoke, :ok, :fail or :info, not `{other}`"),
            ))
        }
    };
    Ok(Event {
        line,
        process,
        kind,
        invoke,
        f: f.to_string(),
        value,
        time,
    })
}

/// Jepsen's EDN history: a sequence of maps such as `{:type :invoke, :f :write,
/// :value 3, :process 0, :time 12345}`, one per line or in one vector.
pub fn parse_edn(text: &str) -> Result<Vec<Operation>, FormatError> {
    let mut p = EdnReader {
        s: text.as_bytes(),
        i: 0,
        line: 1,
    };
    let mut events = Vec::new();
    let mut n = 0i64;
    loop {
        p.ws();
        match p.peek() {
            None => break,
            Some(b'[') | Some(b']') => {
                p.i += 1;
                continue;
            }
            _ => {}
        }
        let line = p.line;
        let m = p.value().map_err(|m| err(line, m))?;
        let Edn::Map(m) = m else {
            return Err(err(
                line,
                "expected an operation map {:type … :f … :value … :process …}",
            ));
        };
        let get = |k: &str| m.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
        let process = match get("process") {
            Some(Edn::Kw(k)) if k == "nemesis" => continue,
            Some(v) => v.to_key(),
            None => return Err(err(line, "`:process` is missing")),
        };
        let kind = match get("type") {
            Some(Edn::Kw(k)) => k,
            _ => return Err(err(line, "`:type` is missing")),
        };
        let f = match get("f") {
            Some(Edn::Kw(k)) => k,
            Some(Edn::Str(k)) => k,
            _ => return Err(err(line, "`:f` is missing")),
        };
        let time = match get("time") {
            Some(Edn::Int(t)) => t,
            _ => n,
        };
        n += 1;
        events.push(event(
            line,
            process,
            &kind,
            &f,
            get("value").unwrap_or(Edn::Nil),
            time,
        )?);
    }
    pair(events)
}

/// The part of EDN that histories use.
#[derive(Clone, Debug, PartialEq)]
enum Edn {
    Nil,
    Int(i64),
    Kw(String),
    Str(String),
    Vec(Vec<Edn>),
    Map(Vec<(String, Edn)>),
    Other(String),
}

impl Edn {
    fn to_key(&self) -> String {
        match self {
            Edn::Int(i) => i.to_string(),
            Edn::Kw(k) | Edn::Str(k) | Edn::Other(k) => k.clone(),
            Edn::Nil => "nil".into(),
            other => format!("{other:?}"),
        }
    }
}

fn read_edn(s: &str) -> Result<Edn, String> {
    EdnReader {
        s: s.as_bytes(),
        i: 0,
        line: 1,
    }
    .value()
}

struct EdnReader<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

impl EdnReader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips whitespace, commas (whitespace in EDN) and `;` comments.
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b'\n' => {
                    self.line += 1;
                    self.i += 1;
                }
                b' ' | b'\t' | b'\r' | b',' => self.i += 1,
                b';' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn token(&mut self) -> String {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| !b" \t\r\n,{}[]()\"".contains(&c))
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn value(&mut self) -> Result<Edn, String> {
        self.ws();
        match self.peek() {
            None => Err("the history ends in the middle of a value".into()),
            Some(b'{') => {
                self.i += 1;
                let mut m = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        return Ok(Edn::Map(m));
                    }
                    let k = match self.value()? {
                        Edn::Kw(k) => k,
                        other => other.to_key(),
                    };
                    let v = self.value()?;
                    m.push((k, v));
                }
            }
            Some(b'[') | Some(b'(') => {
                let close = if self.peek() == Some(b'[') {
                    b']'
                } else {
                    b')'
                };
                self.i += 1;
                let mut xs = Vec::new();
                loop {
                    self.ws();
                    if self.peek() == Some(close) {
                        self.i += 1;
                        return Ok(Edn::Vec(xs));
                    }
                    if self.peek().is_none() {
                        return Err("a vector is not closed".into());
                    }
                    xs.push(self.value()?);
                }
            }
            Some(b'"') => {
                self.i += 1;
                let start = self.i;
                while self.peek().is_some_and(|c| c != b'"') {
                    self.i += 1;
                }
                let s = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                self.i += 1;
                Ok(Edn::Str(s))
            }
            Some(b':') => {
                self.i += 1;
                Ok(Edn::Kw(self.token()))
            }
            Some(_) => {
                let t = self.token();
                if t.is_empty() {
                    let c = self.peek().map_or(' ', |c| c as char);
                    self.i += 1;
                    return Err(format!("unexpected `{c}`"));
                }
                Ok(match t.as_str() {
                    "nil" => Edn::Nil,
                    _ => t.parse::<i64>().map(Edn::Int).unwrap_or(Edn::Other(t)),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jepsens_edn_history_is_read_and_checked() {
        let h = r#"[{:type :invoke, :f :write, :value 3, :process 0, :time 10}
{:type :ok, :f :write, :value 3, :process 0, :time 20}
{:type :invoke, :f :cas, :value [3 4], :process 1, :time 30}
{:type :info, :f :cas, :value [3 4], :process 1, :time 40}
{:type :invoke, :f :read, :value nil, :process 2, :time 50}
{:type :ok, :f :read, :value 4, :process 2, :time 60}
{:process :nemesis, :type :info, :f :start, :value nil}]"#;
        let ops = parse(h).unwrap();
        assert_eq!(parse("[]").unwrap(), [], "an empty EDN history");
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[1].call, Call::Cas { from: 3, to: 4 });
        assert_eq!((ops[1].status, ops[1].complete), (Status::Info, None));
        assert_eq!(ops[2].read, Some(4));
        assert_eq!(
            super::super::check(&ops).linearizable,
            Some(true),
            "the unknown cas explains the read"
        );
    }

    #[test]
    fn jepsens_log_lines_are_read() {
        let h =
            "0\t:invoke\t:write\t3\n0\t:ok\t:write\t3\n1\t:invoke\t:read\tnil\n1\t:ok\t:read\t1\n";
        let ops = parse(h).unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!(
            super::super::check(&ops).linearizable,
            Some(false),
            "1 was never written"
        );
    }

    #[test]
    fn the_labs_json_lines_are_read_and_bad_lines_named() {
        let h = r#"{"process": "C1", "f": "write", "value": 1, "invoke": 0, "complete": 2}
{"process": "C2", "key": "k", "f": "read", "value": null, "invoke": 1, "complete": 3}
{"process": "C1", "f": "cas", "value": [1, 2], "invoke": 4, "outcome": "info"}"#;
        let ops = parse(h).unwrap();
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[1].key, "k");
        assert_eq!(ops[2].complete, None);
        let bad =
            "{\"process\": 0, \"f\": \"write\", \"value\": 1, \"invoke\": 5, \"complete\": 2}";
        assert_eq!(
            parse(bad).unwrap_err().to_string(),
            "line 1: `complete` is before `invoke`"
        );
        let bad = "{\"process\": 0, \"f\": \"append\", \"invoke\": 5, \"complete\": 6}";
        assert!(parse(bad)
            .unwrap_err()
            .message
            .contains("read, write and cas"));
        let bad = "0\t:invoke\t:write\t3\n0\t:invoke\t:write\t4\n";
        assert!(parse(bad)
            .unwrap_err()
            .to_string()
            .starts_with("line 2: process 0 invokes again"));
    }

    #[test]
    fn json_lines_written_read_back_the_same() {
        let ops = super::super::bench_history(500, 4, 5, 3);
        assert!(ops.iter().any(|o| o.status == Status::Info));
        assert!(ops.iter().any(|o| matches!(o.call, Call::Cas { .. })));
        let text = write_json_lines(&ops);
        assert_eq!(text.lines().count(), ops.len());
        assert_eq!(parse(&text).unwrap(), ops);
    }
}
