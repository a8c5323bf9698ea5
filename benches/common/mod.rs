//! The plain timing harness the benchmarks share: median and minimum of a
//! bounded number of runs, printed one line per case.

use std::time::{Duration, Instant};

/// The median of `v` (the upper one of an even count).
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Runs `f` `runs` times and prints `name`, the median and the minimum.
pub fn bench<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f());
        times.push(t.elapsed());
    }
    let min = times.iter().min().copied().unwrap_or_default();
    println!(
        "{name:<52} median {:>10.3?}  min {:>10.3?}  ({runs} runs)",
        median(times),
        min
    );
}
