//! Asks the 1,000 mixed questions of the benchmarks once, for instruction
//! counts that do not depend on what else the machine is doing:
//!
//! ```sh
//! cargo build --release --example ask_loop
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out target/release/examples/ask_loop knowledge
//! callgrind_annotate /tmp/cg.out | head -30
//! ```
//!
//! Run it once with `0` questions (`ask_loop knowledge 0`) and subtract, to
//! leave loading out.

use anyhow::Context;
use balabot_core::Engine;
use balabot_testkit::synthetic;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "knowledge".into()));
    let n: usize = match args.next() {
        Some(n) => n.parse().context("the number of questions")?,
        None => 1000,
    };
    let engine = Engine::load(&dir).with_context(|| format!("loading {}", dir.display()))?;
    let questions = synthetic::question_mix(&engine.kb, n, 20240601);
    let answered = questions
        .iter()
        .filter(|q| engine.ask(&q.text, None).entry().is_some())
        .count();
    println!("{answered} of {} answered", questions.len());
    Ok(())
}
