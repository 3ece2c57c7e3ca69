//! "Your configuration files": paste or open a deployment's real configuration files
//! to get that deployment in the lab, with a note for every line it does not model;
//! and the scenario shown, written out as those files. The system reads and writes
//! them (`SystemDesc::import`, `export`); this panel only shows what it says.

use std::rc::Rc;

use sim::conf::{ConfFile, ConfNote, NoteLevel};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::panels::ScenarioProps;
use crate::state::Intent;

/// The system whose files are read: the scenario's own if it reads any, else the
/// first that does.
fn importer(system: &str) -> Option<&'static sim::SystemDesc> {
    sim::system::find(system)
        .ok()
        .filter(|s| s.conf.is_some())
        .or_else(|| sim::SYSTEMS.iter().copied().find(|s| s.conf.is_some()))
}

fn note_line(n: &ConfNote) -> Html {
    let class = match n.level {
        NoteLevel::Refused => "refused",
        NoteLevel::NotModelled if n.matters => "matters",
        NoteLevel::NotModelled => "ignored",
        NoteLevel::Info => "info",
    };
    let level = match n.level {
        NoteLevel::Refused => "Refused",
        NoteLevel::NotModelled => "Not modelled",
        NoteLevel::Info => "Note",
    };
    let at = match (n.file.is_empty(), n.line) {
        (true, _) => String::new(),
        (false, 0) => format!("{}: ", n.file),
        (false, l) => format!("{} line {l}: ", n.file),
    };
    html! { <li class={class}><strong>{format!("{level}. ")}</strong>{at}{n.text.clone()}</li> }
}

/// Paste or open configuration files; see the scenario as configuration files.
#[component]
pub fn ConfFiles(p: &ScenarioProps) -> Html {
    let text_ref = use_node_ref();
    let notes = use_state(|| None::<Rc<Vec<ConfNote>>>);
    let exported = use_state(|| None::<String>);
    let Some(sys) = importer(&p.scenario.system) else {
        return Html::default();
    };
    let conf = sys.conf.as_ref().expect("importer has one");
    let import = conf.import;
    let run_import = {
        let (i, notes) = (p.on_intent.clone(), notes.clone());
        Rc::new(move |files: Vec<ConfFile>| {
            let r = import(&files);
            notes.set(Some(Rc::new(r.notes)));
            if let Some(s) = r.scenario {
                i.emit(Intent::Load(Ok(Box::new(s))));
            }
        })
    };
    let on_import = {
        let (text_ref, run) = (text_ref.clone(), run_import.clone());
        Callback::from(move |_: MouseEvent| {
            let text = text_ref
                .cast::<web_sys::HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            run(sim::conf::split_sections("pasted", &text));
        })
    };
    let on_files = {
        let run = run_import.clone();
        Callback::from(move |e: Event| {
            let Some(list) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|input| input.files())
            else {
                return;
            };
            let files: Vec<web_sys::File> =
                (0..list.length()).filter_map(|k| list.get(k)).collect();
            let run = run.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let mut confs = Vec::new();
                for f in files {
                    let text = crate::share::file_text(&f).await.unwrap_or_default();
                    confs.extend(sim::conf::split_sections(&f.name(), &text));
                }
                run(confs);
            });
        })
    };
    let export = sim::system::find(&p.scenario.system)
        .ok()
        .and_then(|s| s.conf.as_ref())
        .map(|c| c.export);
    let on_export = {
        let (s, exported) = (p.scenario.clone(), exported.clone());
        Callback::from(move |_: MouseEvent| {
            let text = match export.map(|f| f(&s)) {
                Some(Ok(files)) => sim::conf::join_sections(&files),
                Some(Err(e)) => format!("# This scenario cannot be written out: {e}\n"),
                None => "# This system's configuration files are not written by the lab.\n".into(),
            };
            exported.set(Some(text));
        })
    };
    let on_save = {
        let (s, exported) = (p.scenario.clone(), exported.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(text) = exported.as_ref() {
                let name = if s.name.is_empty() {
                    "deployment"
                } else {
                    s.name.as_str()
                };
                crate::share::save_as(&format!("{name}.conf"), text, "text/plain");
            }
        })
    };
    let summary = notes.as_ref().map(|n| {
        let refused = n.iter().filter(|x| x.level == NoteLevel::Refused).count();
        let matters = n
            .iter()
            .filter(|x| x.level == NoteLevel::NotModelled && x.matters)
            .count();
        if refused > 0 {
            format!(
                "Nothing was imported: {refused} line(s) would stop {} from starting. What you had stays.",
                conf.program
            )
        } else {
            format!(
                "Imported. {} note(s), {matters} about settings the lab does not model that matter for split-brain. Undo (U) brings back what you had.",
                n.len()
            )
        }
    });
    html! {
        <section class="panel conf" aria-label="Configuration files">
            <h2>{format!("Your {} configuration files", sys.title)}</h2>
            <p class="facts">{conf.help}</p>
            <label for="conf-text">{"Configuration files"}</label>
            <textarea id="conf-text" ref={text_ref} rows="8" spellcheck="false" placeholder={conf.example} />
            <p class="row">
                <button class="import-conf" onclick={on_import}>{"Import"}</button>
                <label>{"or open .conf files "}<input type="file" multiple=true accept=".conf,text/plain" onchange={on_files} /></label>
            </p>
            if let Some(s) = summary {
                <p class="conf-summary" role="status">{s}</p>
            }
            if let Some(n) = notes.as_ref() {
                <ul class="conf-notes">{ for n.iter().map(note_line) }</ul>
            }
            if export.is_some() {
                <h3>{"This scenario as configuration files"}</h3>
                <p class="row">
                    <button class="export-conf" onclick={on_export}>{"Write them out"}</button>
                    if exported.is_some() { <button onclick={on_save}>{"Save as .conf"}</button> }
                </p>
                if let Some(text) = exported.as_ref() {
                    <textarea class="exported" readonly=true rows="10" spellcheck="false" aria-label="This scenario as configuration files" value={text.clone()} />
                }
            }
        </section>
    }
}
