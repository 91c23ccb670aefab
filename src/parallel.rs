//! A map over a slice on up to all cores, results in input order: the
//! parser reads statements with it, the differ compares tables.

/// `f` over `items` on up to all cores, results in input order, each worker
/// with its own `state()`. Small inputs stay on the calling thread: spawning
/// costs more than they do.
pub fn map<T: Sync, R: Send, S>(
    items: &[T],
    state: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    const SERIAL_BELOW: usize = 256;
    let threads = cores();
    let (state, f) = (&state, &f);
    let run = move |part: &[T]| {
        let mut s = state();
        part.iter().map(|item| f(&mut s, item)).collect::<Vec<R>>()
    };
    if threads < 2 || items.len() < SERIAL_BELOW {
        return run(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.chunks(chunk).map(|part| scope.spawn(move || run(part))).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// The cores this process may use, asked once: on Linux the standard
/// library reads the cgroup's quota from three files at every call, and a
/// plan maps a dozen times.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
    /// Past the serial threshold the items are split over threads, each with
    /// its own state; the results still come back one per item, in order.
    #[test]
    fn results_come_back_in_input_order_with_a_state_per_worker() {
        let items: Vec<usize> = (0..5_000).collect();
        let states = std::sync::atomic::AtomicUsize::new(0);
        let out = super::map(&items, || states.fetch_add(1, std::sync::atomic::Ordering::Relaxed), |_, i| i * 2);
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(states.into_inner(), workers.min(items.len()));
    }
}
