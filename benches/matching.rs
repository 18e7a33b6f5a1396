//! Matching benchmarks: answer latency per question, load+index time, and
//! the heap an indexed base takes, on the bundled knowledge base and on
//! synthetic ones (`balabot_testkit::synthetic`). See BENCHMARKS.md.
//!
//! ```sh
//! cargo bench --bench matching                  # everything, about 3 minutes
//! cargo bench --bench matching -- ask/bundled   # criterion's name filter
//! BALABOT_BENCH_SIZES=1000 cargo bench --bench matching
//! BALABOT_BENCH_REPORT_ONLY=1 cargo bench --bench matching   # the tables, no criterion
//! BALABOT_BENCH_DUMP=out.tsv ...                             # every verdict, for diffs
//! ```
//!
//! Criterion times the calls; before it runs, this binary prints once (to
//! stderr) what criterion does not measure: per-question latency
//! percentiles for each kind of question, and the heap of each base,
//! counted by the allocator below. `cargo test --benches` runs every
//! benchmark once on small bases (CI only compiles them).

use balabot_core::Engine;
use balabot_core::knowledge;
use balabot_core::lang::Lang;
use balabot_core::matcher::Matcher;
use balabot_testkit::synthetic::{self, QuestionKind, Specials};
use criterion::{Criterion, SamplingMode, Throughput};
use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

// ---- heap counting ----

/// The binary's allocator (mimalloc, src/main.rs), counting live and peak
/// bytes while a [`measure_heap`] window is open. Outside a window it costs one relaxed
/// load per call, so the timings are not disturbed.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn count(delta: isize) {
    let now = CURRENT.fetch_add(delta, Relaxed) + delta;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded to `MiMalloc` unchanged; the counters are
// only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { MiMalloc.alloc(layout) };
        if !p.is_null() && COUNTING.load(Relaxed) {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { MiMalloc.alloc_zeroed(layout) };
        if !p.is_null() && COUNTING.load(Relaxed) {
            count(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { MiMalloc.dealloc(ptr, layout) };
        if COUNTING.load(Relaxed) {
            count(-(layout.size() as isize));
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        if !p.is_null() && COUNTING.load(Relaxed) {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes of a window: still allocated at its end, and at most.
#[derive(Clone, Copy)]
struct Heap {
    retained: isize,
    peak: isize,
}

/// Runs `f` with counting on (single-threaded use only).
fn measure_heap<T>(f: impl FnOnce() -> T) -> (T, Heap) {
    CURRENT.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
    let value = f();
    COUNTING.store(false, Relaxed);
    let heap = Heap {
        retained: CURRENT.load(Relaxed),
        peak: PEAK.load(Relaxed),
    };
    (value, heap)
}

fn mib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---- the bases ----

const SEED: u64 = 20240601;
/// Questions per kind and base.
const QUESTIONS: usize = 1000;

struct Base {
    name: String,
    dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    engine: Engine,
    /// (kind, questions) — every kind, "mixed", and for the bundled base
    /// our own question set ("curated", tests/questions.tsv).
    questions: Vec<(String, Vec<String>)>,
    kb_heap: Heap,
    matcher_heap: Heap,
    load_once: Duration,
    index_once: Duration,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Questions of tests/questions.tsv (lang, expected, question).
fn curated() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/questions.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.splitn(3, '\t').nth(2).map(str::to_string))
        .collect()
}

fn base(name: String, dir: PathBuf, tmp: Option<tempfile::TempDir>, n: usize) -> Base {
    let started = Instant::now();
    let (kb, kb_heap) = measure_heap(|| knowledge::load_dir(&dir));
    let kb = kb.unwrap_or_else(|e| panic!("{name}: {e}"));
    let load_once = started.elapsed();
    let started = Instant::now();
    let (matcher, matcher_heap) = measure_heap(|| Matcher::new(&kb));
    let index_once = started.elapsed();
    let engine = Engine { kb, matcher };
    let mut questions: Vec<(String, Vec<String>)> = QuestionKind::ALL
        .iter()
        .map(|&k| {
            let qs = synthetic::questions(&engine.kb, k, n, SEED);
            (
                k.name().to_string(),
                qs.into_iter().map(|q| q.text).collect(),
            )
        })
        .collect();
    let mixed = synthetic::question_mix(&engine.kb, n, SEED);
    questions.push(("mixed".into(), mixed.into_iter().map(|q| q.text).collect()));
    if name == "bundled" {
        questions.push(("curated".into(), curated()));
    }
    Base {
        name,
        dir,
        _tmp: tmp,
        engine,
        questions,
        kb_heap,
        matcher_heap,
        load_once,
        index_once,
    }
}

fn bases(sizes: &[usize], questions: usize) -> Vec<Base> {
    let bundled = root().join("knowledge");
    let mut out = vec![base("bundled".into(), bundled.clone(), None, questions)];
    for &size in sizes {
        let files = synthetic::knowledge_files(size, SEED, &Specials::CopyFrom(&bundled))
            .expect("the shipped special files are readable");
        let tmp = tempfile::tempdir().expect("a temporary directory");
        synthetic::write_dir(&files, tmp.path()).expect("writing the synthetic base");
        let dir = tmp.path().to_path_buf();
        out.push(base(format!("synthetic-{size}"), dir, Some(tmp), questions));
    }
    out
}

// ---- the report criterion cannot give ----

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn report(bases: &[Base]) {
    eprintln!("\n== heap of each base (counting allocator), one load ==");
    eprintln!(
        "{:<18} {:>8} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10}",
        "base", "entries", "kb MiB", "index MiB", "total MiB", "peak MiB", "load ms", "index ms"
    );
    for b in bases {
        eprintln!(
            "{:<18} {:>8} {:>12.2} {:>12.2} {:>12.2} {:>12.2} {:>10.1} {:>10.1}",
            b.name,
            b.engine.kb.entries.len(),
            mib(b.kb_heap.retained),
            mib(b.matcher_heap.retained),
            mib(b.kb_heap.retained + b.matcher_heap.retained),
            mib(b.kb_heap.peak.max(b.kb_heap.retained + b.matcher_heap.peak)),
            b.load_once.as_secs_f64() * 1e3,
            b.index_once.as_secs_f64() * 1e3,
        );
    }
    eprintln!(
        "\n== Engine::ask latency per question (µs): one timed call each, after a warm-up pass =="
    );
    eprintln!(
        "{:<18} {:<13} {:>6} {:>9} {:>9} {:>9} {:>9}   outcomes",
        "base", "kind", "n", "p50", "p99", "max", "mean"
    );
    for b in bases {
        for (kind, qs) in &b.questions {
            if qs.is_empty() {
                continue;
            }
            for q in qs {
                black_box(b.engine.ask(q, None));
            }
            let mut times = Vec::with_capacity(qs.len());
            let (mut answered, mut fallback, mut other) = (0, 0, 0);
            for q in qs {
                let started = Instant::now();
                let m = black_box(b.engine.ask(black_box(q), None));
                times.push(started.elapsed());
                match m.outcome {
                    balabot_core::matcher::Outcome::Answer(_) => answered += 1,
                    balabot_core::matcher::Outcome::Fallback => fallback += 1,
                    _ => other += 1,
                }
            }
            let mean = times.iter().sum::<Duration>() / times.len() as u32;
            times.sort();
            eprintln!(
                "{:<18} {:<13} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1}   {answered} answer, {fallback} fallback, {other} out of scope/empty",
                b.name,
                kind,
                times.len(),
                us(percentile(&times, 0.5)),
                us(percentile(&times, 0.99)),
                us(*times.last().unwrap_or(&Duration::ZERO)),
                us(mean),
            );
        }
    }
    eprintln!();
}

/// Writes base, kind, question, language, outcome and the best two scores,
/// one line per question.
fn dump(bases: &[Base], path: &Path) {
    let mut out = String::new();
    for b in bases {
        for (kind, qs) in &b.questions {
            for q in qs {
                let m = b.engine.ask(q, None);
                let score = |s: Option<balabot_core::matcher::Scored>| {
                    s.map_or("-".to_string(), |s| format!("{}:{:.4}", s.entry, s.score))
                };
                out.push_str(&format!(
                    "{}\t{kind}\t{q}\t{:?}\t{:?}\t{}\t{}\t{:?}\n",
                    b.name,
                    m.lang,
                    m.outcome,
                    score(m.best),
                    score(m.runner_up),
                    m.safety_trigger,
                ));
            }
        }
    }
    if let Err(e) = std::fs::write(path, out) {
        eprintln!("cannot write {}: {e}", path.display());
    }
}

// ---- criterion ----

fn bench_ask(c: &mut Criterion, bases: &[Base]) {
    for b in bases {
        let mut group = c.benchmark_group(format!("ask/{}", b.name));
        group
            .throughput(Throughput::Elements(1))
            .sample_size(30)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_millis(1500));
        for (kind, qs) in &b.questions {
            if qs.is_empty() {
                continue;
            }
            group.bench_function(kind.as_str(), |bench| {
                let mut i = 0;
                bench.iter(|| {
                    let q = &qs[i % qs.len()];
                    i += 1;
                    b.engine.ask(black_box(q), black_box(None::<Lang>))
                })
            });
        }
        group.finish();
    }
}

fn bench_load(c: &mut Criterion, bases: &[Base]) {
    let mut group = c.benchmark_group("load");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(10))
        .measurement_time(Duration::from_secs(3));
    for b in bases {
        // Reading, parsing, validating and indexing the directory.
        group.bench_function(format!("Engine::load/{}", b.name), |bench| {
            bench.iter(|| Engine::load(black_box(&b.dir)).expect("loads"))
        });
        // Indexing alone (what Engine::new adds to a validated base).
        group.bench_function(format!("Matcher::new/{}", b.name), |bench| {
            bench.iter(|| Matcher::new(black_box(&b.engine.kb)))
        });
    }
    group.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; `cargo test --benches` does not, and
    // then criterion runs each benchmark once: keep the bases small.
    let benchmarking = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let sizes: Vec<usize> = match std::env::var("BALABOT_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) if benchmarking => vec![1000, 10_000],
        Err(_) => vec![200],
    };
    let questions = if benchmarking { QUESTIONS } else { 20 };
    let started = Instant::now();
    let bases = bases(&sizes, questions);
    eprintln!(
        "bases ready in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        bases
            .iter()
            .map(|b| format!("{} ({} entries)", b.name, b.engine.kb.entries.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if benchmarking {
        report(&bases);
    }
    // Every question's verdict, to check that an optimisation changes no answer.
    if let Some(path) = std::env::var_os("BALABOT_BENCH_DUMP") {
        dump(&bases, Path::new(&path));
    }
    // The tables alone, for quick comparisons while optimising.
    if std::env::var_os("BALABOT_BENCH_REPORT_ONLY").is_some() {
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench_ask(&mut c, &bases);
    bench_load(&mut c, &bases);
    c.final_summary();
}
