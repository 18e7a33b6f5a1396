//! Skipping hopeless entries while scoring (the shortcut that keeps a
//! 10,000-entry base fast) never changes a score: checked against the
//! exhaustive sum on a synthetic base large enough for the shortcut.

use balabot_core::knowledge;
use balabot_core::matcher::Matcher;
use balabot_testkit::synthetic::{self, Specials};

#[test]
fn skipping_hopeless_entries_changes_no_score() {
    let files = synthetic::knowledge_files(800, 5, &Specials::Minimal).expect("a synthetic base");
    let kb = knowledge::load_files(&files).expect("it loads");
    let m = Matcher::new(&kb);
    let questions = synthetic::question_mix(&kb, 400, 9);
    let mut pruned = 0;
    for q in &questions {
        match m.compare_pruned_scoring(&q.text, q.lang) {
            Ok(skipped) => pruned += skipped as usize,
            Err(e) => panic!("{:?}: {e}", q.text),
        }
    }
    // The shortcut is taken for most questions on a base this size.
    assert!(pruned > questions.len() / 2, "pruned {pruned}");
}
