//! The layers ARCHITECTURE.md describes hold: no module names one above it,
//! no two files of one module import each other in a circle, and no file or
//! function grows past its size without saying why. Read from
//! the source text (test code at the end of a file, after `#[cfg(test)]`, is
//! not counted), so it needs no build and fails on the line that breaks it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top: a module may name only modules earlier in this list.
const LAYERS: &[&str] = &[
    "parallel",
    "quote",
    "model",
    "canon",
    "parse",
    "change",
    "ddl",
    "introspect",
    "diff",
    "plan",
    "connection",
    "normalize",
    "revisions",
    "config",
    "ops",
    // The binary's command line (src/cli/, reached from main.rs): above everything.
    "cli",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's text before its test module.
fn production_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable");
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// `crate::name` occurrences: the modules a file names.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            out.push((n + 1, name));
            rest = after;
        }
    }
    out
}

#[test]
fn no_module_names_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a path").as_os_str().to_string_lossy().into_owned();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let own = rank(&module).unwrap_or_else(|| panic!("src/{first} is in no layer: add it to LAYERS"));
        for (line, name) in crate_refs(&production_text(file)) {
            match rank(&name) {
                Some(r) if r > own => wrong.push(format!("src/{}:{line}: {module} names {name}", rel.display())),
                Some(_) => {}
                None => wrong.push(format!("src/{}:{line}: {name} is in no layer", rel.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "imports that run upward:\n{}", wrong.join("\n"));
}

/// `use super::x` and `super::x::` between sibling files of one folder.
fn sibling_refs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("super::") {
            let after = &rest[i + "super::".len()..];
            let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if after[name.len()..].starts_with("::") {
                out.insert(name.clone());
            } else if after.starts_with('{') {
                // `use super::{a::X, b}`: the names before `::` inside the braces.
                let inner: String = after.chars().skip(1).take_while(|c| *c != '}').collect();
                for part in inner.split(',') {
                    if let Some((m, _)) = part.trim().split_once("::") {
                        out.insert(m.trim().to_string());
                    }
                }
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_two_files_of_a_module_import_each_other_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // Per folder: file stem -> siblings it names.
    let mut graphs: BTreeMap<PathBuf, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let (Some(dir), Some(stem)) = (file.parent(), file.file_stem()) else { continue };
        let stem = stem.to_string_lossy().into_owned();
        if stem == "mod" {
            continue;
        }
        let refs = sibling_refs(&production_text(file));
        graphs.entry(dir.to_path_buf()).or_default().insert(stem, refs);
    }
    let mut cycles = Vec::new();
    for (dir, graph) in &graphs {
        for start in graph.keys() {
            // Depth-first from `start`, looking for a way back to it.
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                for next in graph.get(&at).into_iter().flatten() {
                    if next == start {
                        cycles.push(format!("{}: {} -> {start}", dir.display(), path.join(" -> ")));
                    } else if graph.contains_key(next) && seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "import cycles among files:\n{}", cycles.join("\n"));
}

/// A file of `src/` past this many lines of production code is split by what it holds.
const FILE_LINES: usize = 800;
/// A function past this many lines says at its top why it is one function.
const FUNCTION_LINES: usize = 100;

/// The functions of `text` longer than `FUNCTION_LINES`, with their first line
/// (1-based) and the doc comment above them.
fn long_functions(text: &str) -> Vec<(usize, String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let head = t
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("async ")
            .trim_start_matches("const ");
        let Some(name) = head.strip_prefix("fn ") else { continue };
        let name: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        // The body: from the first `{` to its match (strings and chars blanked well enough for Rust source).
        let (mut depth, mut started, mut end) = (0i32, false, None);
        for (j, l) in lines.iter().enumerate().skip(i) {
            let code = l.split("//").next().unwrap_or("");
            let mut in_str = false;
            let mut prev = ' ';
            for c in code.chars() {
                if c == '"' && prev != '\\' {
                    in_str = !in_str;
                } else if !in_str && c == '{' && prev != '\'' {
                    depth += 1;
                    started = true;
                } else if !in_str && c == '}' && prev != '\'' {
                    depth -= 1;
                }
                prev = c;
            }
            if !started && code.trim_end().ends_with(';') {
                break;
            }
            if started && depth <= 0 {
                end = Some(j);
                break;
            }
        }
        let Some(end) = end else { continue };
        if end + 1 - i > FUNCTION_LINES {
            let doc: Vec<&str> = lines[..i]
                .iter()
                .rev()
                .map(|l| l.trim())
                .take_while(|l| l.starts_with("///") || l.starts_with("#["))
                .collect();
            let doc = doc.into_iter().rev().collect::<Vec<_>>().join(" ");
            out.push((i + 1, name, doc));
        }
    }
    out
}

#[test]
fn files_and_functions_stay_small_or_say_why() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for file in &files {
        let text = production_text(file);
        let shown = file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(file).display().to_string();
        let n = text.lines().count();
        if n > FILE_LINES {
            problems.push(format!("{shown}: {n} lines (over {FILE_LINES}): split it by what it holds"));
        }
        for (line, name, doc) in long_functions(&text) {
            // The reason is a sentence of the doc comment that says why it is long.
            let lower = doc.to_lowercase();
            if !(lower.contains("long") || lower.contains("one arm per") || lower.contains("one pass")) {
                problems.push(format!(
                    "{shown}:{line}: fn {name} is over {FUNCTION_LINES} lines without a reason at its top"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
