//! `balabot broadcast --dry-run`: who would get the June 1 message, in
//! which language, and who already got this year's.

use crate::Engine;
use crate::knowledge::CHILDRENS_DAY_MESSAGE;
use crate::store::Store;
use std::io::Write;

pub fn dry_run(
    engine: &Engine,
    store: &Store,
    year: i32,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let entry = engine.kb.entry(CHILDRENS_DAY_MESSAGE).ok_or_else(|| {
        anyhow::anyhow!("the knowledge base has no {CHILDRENS_DAY_MESSAGE:?} entry")
    })?;
    let all = store.subscribers()?;
    let todo: std::collections::HashSet<i64> = store
        .undelivered(year)?
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    writeln!(
        out,
        "{} subscribed chat(s); {} still to send in {year}.",
        all.len(),
        todo.len()
    )?;
    for (chat, lang) in &all {
        let status = if todo.contains(chat) {
            "would send"
        } else {
            "already handled"
        };
        writeln!(out, "{chat}\t{lang}\t{status}\t{}", entry.title.get(*lang))?;
    }
    Ok(())
}
