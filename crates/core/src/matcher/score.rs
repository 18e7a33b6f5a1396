//! Scoring: how well each entry covers a question's words (weighted by
//! rarity), summed over the inverted index with entries that cannot be
//! among the best skipped, then the best few re-ranked by how closely the
//! question matches their nearest example phrasing.

use super::analyzer::{Kind, LIGHT_FACTOR, QueryTerm};
use super::index::{LangIndex, NEAR_SIMILARITY, TermId, term_bits};
use super::{COVERAGE_SHARE, MIN_EVIDENCE_SHARE, RERANK, Scored, Support};

/// Per-entry accumulators of [`score`], kept between questions so that a
/// question on a large base does not allocate and zero them; only the
/// entries a question touched are cleared after it.
#[derive(Default)]
pub(super) struct Scratch {
    /// Per entry: its sum so far (0 = not a candidate).
    acc: Vec<f32>,
    /// Per entry: has it matched a content word?
    content: Vec<bool>,
    /// Per entry: its best key of the current word (several near keys).
    per_term: Vec<f32>,
    /// The candidates, `cands[..count]`; one spare slot for branch-free pushes.
    cands: Vec<u32>,
    count: usize,
    /// Per term: what it counts in a phrasing for the current question
    /// ([`rerank`]; 0 = not matched).
    phrasing_weight: Vec<f32>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// The question's words that can show what it is about (see
/// [`super::analyzer::QueryTerm::evidence`]), each with the indexed keys it
/// stands for (none for a word the base does not know), its weight, and
/// whether it is a question word ("how many": it adds its weight, but is
/// not counted as a word held or not known).
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Evidence(Vec<EvidenceWord>);

#[derive(Debug, Clone, PartialEq)]
struct EvidenceWord {
    keys: Vec<(TermId, f32)>,
    weight: f32,
    light: bool,
}

impl Evidence {
    /// What the question's evidence words show about `entry`, whose
    /// nearest example phrasing the question matches this closely.
    pub fn of(&self, index: &LangIndex, entry: usize, phrasing: f32) -> Support {
        let mut shown = Support {
            weight: 0.0,
            exact: 0,
            near: 0,
            unsure: 0,
            phrasing,
            needed: index.unknown_idf * MIN_EVIDENCE_SHARE,
        };
        for EvidenceWord {
            keys,
            weight,
            light,
        } in &self.0
        {
            let held = keys
                .iter()
                .filter(|&&(id, _)| {
                    let postings = &index.terms[id as usize].postings;
                    postings
                        .binary_search_by_key(&(entry as u32), |p| p.0)
                        .is_ok()
                })
                .map(|&(_, sim)| sim)
                .fold(0.0f32, f32::max);
            shown.weight += weight * held;
            if *light {
                continue;
            }
            if held >= 1.0 {
                shown.exact += 1;
            } else if held >= NEAR_SIMILARITY {
                shown.near += 1;
            } else if held < NEAR_SIMILARITY
                && !keys
                    .iter()
                    .any(|&(id, sim)| sim >= 1.0 || index.terms[id as usize].light)
            {
                // Not known as written, not a likely typo of the entry's
                // words, nor near a question word ("mutch" is "much").
                shown.unsure += 1;
            }
        }
        shown
    }
}

/// A question word resolved against the index.
struct Unit {
    /// The indexed keys it stands for, with their similarity.
    keys: Vec<(TermId, f32)>,
    weight: f32,
    content: bool,
    /// Postings to read.
    len: usize,
    /// The most it adds to an entry's sum.
    bound: f32,
}

/// Scores the entries that share a key with the question; the best
/// [`RERANK`] of them, re-ranked, best first.
pub(super) fn score(index: &LangIndex, terms: &[QueryTerm]) -> Ranking {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => score_with(index, terms, &mut scratch, true).0,
        Err(_) => score_with(index, terms, &mut Scratch::default(), true).0,
    })
}

/// The entries a question may be about, best first.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Ranking {
    pub ranked: Vec<Scored>,
    /// Per ranked entry: how closely the question matches its nearest
    /// example phrasing (weighted Jaccard, 0..1).
    pub phrasing: Vec<f32>,
    pub evidence: Evidence,
}

/// Sums, per entry, the weights of the question's words it covers.
///
/// Words are added rarest first. Once the words left could not lift an
/// entry that has not been seen past the [`RERANK`]-th best sum, no new
/// candidates are admitted, candidates that cannot reach it any more are
/// dropped, and the common words' long posting lists are only probed for
/// the few that remain. The result is exactly that of summing everything
/// (same order of additions, so the same floats): only entries that cannot
/// be among the best are skipped. Also says whether it skipped any
/// (`prune` false: never).
pub(super) fn score_with(
    index: &LangIndex,
    terms: &[QueryTerm],
    scratch: &mut Scratch,
    prune: bool,
) -> (Ranking, bool) {
    let n = index.variants.len();
    for v in [&mut scratch.acc, &mut scratch.per_term] {
        v.resize(n.max(v.len()), 0.0);
    }
    scratch.content.resize(n.max(scratch.content.len()), false);
    scratch.cands.resize(n + 1, 0);
    scratch.count = 0;
    // Sized for a word a key each (the usual case): no growth.
    let mut matched: Vec<(TermId, f32)> = Vec::with_capacity(terms.len());
    let mut units: Vec<Unit> = Vec::with_capacity(terms.len());
    let mut total = 0.0f32;
    let mut evidence = Evidence(Vec::with_capacity(terms.len()));
    // The question's keys when every word is an indexed key as written.
    let mut exact_keys: Option<Vec<TermId>> = Some(Vec::with_capacity(terms.len()));
    for t in terms {
        let keys = index.resolve(&t.key, &t.surface);
        match (&keys[..], t.kind) {
            ([(id, sim)], _) if *sim >= 1.0 => {
                if let Some(k) = exact_keys.as_mut() {
                    k.push(*id);
                }
            }
            ([], Kind::Trigger) => {}
            _ => exact_keys = None,
        }
        let factor = match t.kind {
            Kind::Light => LIGHT_FACTOR,
            Kind::Trigger if keys.is_empty() => continue,
            Kind::Content | Kind::Trigger => 1.0,
        };
        let idf = keys
            .iter()
            .map(|&(id, _)| index.terms[id as usize].idf)
            .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))))
            .unwrap_or(index.unknown_idf);
        let weight = idf * factor;
        total += weight;
        if t.evidence {
            evidence.0.push(EvidenceWord {
                keys: keys.clone(),
                weight,
                light: t.kind == Kind::Light,
            });
        }
        if keys.is_empty() {
            continue;
        }
        matched.extend_from_slice(&keys);
        let term = |id: TermId| &index.terms[id as usize];
        units.push(Unit {
            len: keys.iter().map(|&(id, _)| term(id).postings.len()).sum(),
            bound: weight
                * keys
                    .iter()
                    .map(|&(id, sim)| sim * term(id).max_weight)
                    .fold(0.0, f32::max),
            content: t.kind != Kind::Light,
            weight,
            keys,
        });
    }
    if total <= 0.0 {
        let ranking = Ranking {
            evidence,
            ..Ranking::default()
        };
        return (ranking, false);
    }
    // Rarest first; ties in question order (the sort is stable).
    units.sort_by_key(|u| u.len);
    // rest[k]: the most that units[k..] can add to an entry.
    let mut rest = vec![0.0f32; units.len() + 1];
    for k in (0..units.len()).rev() {
        rest[k] = rest[k + 1] + units[k].bound;
    }
    let mut k = 0;
    let mut floor = None;
    while k < units.len() {
        if prune && scratch.count >= RERANK && units[k].len > scratch.count {
            let theta = kth_best_sum(scratch);
            // Float sums may differ from `rest` in the last bits: a margin.
            let reach = rest[k] + (rest[k] + theta) * 1e-4;
            if reach < theta {
                floor = Some(theta - reach);
                break;
            }
        }
        add(index, &units[k], scratch, false);
        k += 1;
    }
    if let Some(floor) = floor {
        drop_below(floor, scratch);
        for u in &units[k..] {
            let probes = scratch.count * (usize::BITS - u.len.leading_zeros()) as usize;
            if probes < u.len {
                probe(index, u, scratch);
            } else {
                add(index, u, scratch, true);
            }
        }
    }
    let Scratch {
        acc,
        content,
        cands,
        count,
        ..
    } = &mut *scratch;
    let mut best = Best(Vec::with_capacity(RERANK));
    for &e in &cands[..*count] {
        let e = e as usize;
        if content[e] {
            best.offer(Scored {
                entry: e,
                score: acc[e] / total,
            });
        }
        acc[e] = 0.0;
        content[e] = false;
    }
    *count = 0;
    let mut ranked = best.0;
    // An entry with an example made of exactly the question's words is
    // re-ranked even when more than [`RERANK`] entries share those words
    // ("how many kids are there in Kazakhstan?"): its coverage is summed
    // here from its postings.
    if let Some(entries) = exact_keys.filter(|k| !k.is_empty()).and_then(|mut k| {
        k.sort_unstable();
        k.dedup();
        index.phrasings.get(&k[..])
    }) {
        for &e in entries {
            if ranked.iter().all(|s| s.entry != e as usize) {
                // Every unit is then one key as written (similarity 1).
                let sum: f32 = units
                    .iter()
                    .filter_map(|u| {
                        let postings = &index.terms[u.keys[0].0 as usize].postings;
                        let at = postings.binary_search_by_key(&e, |p| p.0).ok()?;
                        Some(u.weight * postings[at].1)
                    })
                    .sum();
                ranked.push(Scored {
                    entry: e as usize,
                    score: sum / total,
                });
            }
        }
    }
    let (ranked, phrasing) = rerank(index, ranked, &matched, total, &mut scratch.phrasing_weight)
        .into_iter()
        .unzip();
    let ranking = Ranking {
        ranked,
        phrasing,
        evidence,
    };
    (ranking, floor.is_some())
}

/// Adds a word's weight to the entries in its posting lists: to every one
/// (a new entry becomes a candidate), or with `only_seen` to candidates only.
fn add(index: &LangIndex, u: &Unit, s: &mut Scratch, only_seen: bool) {
    let Scratch {
        acc,
        content,
        per_term,
        cands,
        count,
        ..
    } = s;
    let postings = |id: TermId| &index.terms[id as usize].postings;
    if let ([(id, sim)], false) = (&u.keys[..], only_seen) {
        // One indexed key (the usual case): straight into the sums, and
        // into the candidates without a branch.
        for &(e, fw) in postings(*id) {
            let slot = &mut acc[e as usize];
            cands[*count] = e;
            *count += (*slot == 0.0) as usize;
            *slot += u.weight * (sim * fw);
            content[e as usize] |= u.content;
        }
        return;
    }
    // Several near keys: an entry counts the best of them.
    let mut touched: Vec<u32> = Vec::new();
    for &(id, sim) in &u.keys {
        for &(e, fw) in postings(id) {
            if only_seen && acc[e as usize] == 0.0 {
                continue;
            }
            let slot = &mut per_term[e as usize];
            if *slot == 0.0 {
                touched.push(e);
            }
            *slot = slot.max(sim * fw);
        }
    }
    for e in touched {
        let slot = &mut acc[e as usize];
        cands[*count] = e;
        *count += (*slot == 0.0) as usize;
        *slot += u.weight * per_term[e as usize];
        content[e as usize] |= u.content;
        per_term[e as usize] = 0.0;
    }
}

/// Adds a word's weight to the candidates in its posting lists, looking
/// each one up: for a few candidates and a long list.
fn probe(index: &LangIndex, u: &Unit, s: &mut Scratch) {
    for &e in &s.cands[..s.count] {
        let best = u
            .keys
            .iter()
            .filter_map(|&(id, sim)| {
                let postings = &index.terms[id as usize].postings;
                let at = postings.binary_search_by_key(&e, |p| p.0).ok()?;
                Some(sim * postings[at].1)
            })
            .fold(0.0f32, f32::max);
        if best > 0.0 {
            s.acc[e as usize] += u.weight * best;
            s.content[e as usize] |= u.content;
        }
    }
}

/// The [`RERANK`]-th largest sum of a candidate that has matched a content
/// word (0 if there are fewer).
fn kth_best_sum(s: &Scratch) -> f32 {
    let mut sums: Vec<f32> = s.cands[..s.count]
        .iter()
        .filter(|&&e| s.content[e as usize])
        .map(|&e| s.acc[e as usize])
        .collect();
    if sums.len() < RERANK {
        return 0.0;
    }
    *sums
        .select_nth_unstable_by(RERANK - 1, |a, b| b.total_cmp(a))
        .1
}

/// Forgets the candidates whose sum is below `floor`.
fn drop_below(floor: f32, s: &mut Scratch) {
    let mut kept = 0;
    for i in 0..s.count {
        let e = s.cands[i] as usize;
        if s.acc[e] >= floor {
            s.cands[kept] = e as u32;
            kept += 1;
        } else {
            s.acc[e] = 0.0;
            s.content[e] = false;
        }
    }
    s.count = kept;
}

/// A score rounded to 2⁻²⁰ (about 10⁻⁶): scores that differ only by
/// rounding in their sums are a tie, which the entry order breaks, so the
/// verdict does not depend on the order in which weights were added.
fn tie_safe(score: f32) -> f32 {
    const STEPS: f32 = (1u32 << 20) as f32;
    (score * STEPS).round() / STEPS
}

/// Best first, ties by entry: a total order, so the result is the same
/// whichever way the candidates were found.
fn order(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry))
}

/// The best [`RERANK`] entries offered so far, best first.
struct Best(Vec<Scored>);

impl Best {
    fn offer(&mut self, s: Scored) {
        let full = self.0.len() == RERANK;
        if full && self.0.last().is_some_and(|worst| order(&s, worst).is_ge()) {
            return;
        }
        let at = self.0.partition_point(|t| order(t, &s).is_lt());
        if full {
            self.0.pop();
        }
        self.0.insert(at, s);
    }
}

/// Mixes into the best entries' scores how closely the question matches
/// each one's nearest example phrasing; best first.
///
/// On a tie, an entry whose nearest phrasing is one of its example
/// questions goes before one that is matched as closely only by its title:
/// the question was written for it.
fn rerank(
    index: &LangIndex,
    ranked: Vec<Scored>,
    matched: &[(TermId, f32)],
    total: f32,
    table: &mut Vec<f32>,
) -> Vec<(Scored, f32)> {
    if total <= 0.0 {
        return Vec::new();
    }
    // Each matched key once, with what it counts in a phrasing, in a table
    // by term (cleared again below): a phrasing's terms are looked up
    // directly.
    table.resize(index.terms.len().max(table.len()), 0.0);
    for &(id, sim) in matched {
        let w = sim * index.terms[id as usize].weight();
        let slot = &mut table[id as usize];
        *slot = slot.max(w);
    }
    let weight_of = &*table;
    let matched_bits = term_bits(matched.iter().map(|&(id, _)| id));
    let mut reranked: Vec<(Scored, bool, f32)> = ranked
        .into_iter()
        .map(|s| {
            let (phrasing, by_title) = index.variants[s.entry]
                .iter()
                .map(|v| {
                    // A phrasing with no matched key (most of them) is not
                    // read: each of its weights is 0, and so is their sum
                    // (+0: it has a term; weights are never negative).
                    let hit: f32 = if v.term_bits & matched_bits == 0 {
                        0.0
                    } else {
                        v.terms.iter().map(|&id| weight_of[id as usize]).sum()
                    };
                    // Weighted Jaccard: the phrasing must cover the question
                    // and the question the phrasing.
                    let union = v.total_idf + total - hit;
                    (if union > 0.0 { hit / union } else { 0.0 }, v.title)
                })
                .fold((0.0f32, true), |best, this| {
                    // The higher; an example question over the title.
                    if (this.0, !this.1) > (best.0, !best.1) {
                        this
                    } else {
                        best
                    }
                });
            let share = COVERAGE_SHARE;
            let score = share * s.score + (1.0 - share) * phrasing;
            let s = Scored {
                entry: s.entry,
                score: tie_safe(score),
            };
            (s, by_title, phrasing)
        })
        .collect();
    for &(id, _) in matched {
        table[id as usize] = 0.0;
    }
    reranked.sort_by(|(a, a_title, _), (b, b_title, _)| {
        b.score
            .total_cmp(&a.score)
            .then(a_title.cmp(b_title))
            .then(a.entry.cmp(&b.entry))
    });
    reranked.into_iter().map(|(s, _, p)| (s, p)).collect()
}
