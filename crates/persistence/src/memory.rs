//! Handing freed memory back to the system after work that allocates in bulk: a password hash's
//! 19 MiB argon2 block, an import's rows. The allocator keeps what a thread freed for that
//! thread's next allocations and returns it only when the thread allocates again; a thread that
//! then idles (a blocking-pool thread after a login, a worker after an import) would hold it for
//! good. The allocator is the binary's choice, so the binary says how to collect
//! ([`set_release`]); without one (the test harness) [`release`] does nothing.

use std::sync::OnceLock;

static RELEASE: OnceLock<fn()> = OnceLock::new();

/// Sets how the calling thread's freed memory goes back to the system. The first call wins.
pub fn set_release(collect: fn()) {
    let _ = RELEASE.set(collect);
}

/// Returns the calling thread's freed memory to the system, if the binary said how. Call it on
/// the thread that did the work, once the work's values are dropped.
pub fn release() {
    if let Some(collect) = RELEASE.get() {
        collect();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn count() {
        CALLS.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn release_calls_the_collector_the_binary_set_and_the_first_one_wins() {
        super::set_release(count);
        super::set_release(|| panic!("a second collector is ignored"));
        let before = CALLS.load(Ordering::SeqCst);
        super::release();
        super::release();
        assert_eq!(CALLS.load(Ordering::SeqCst), before + 2);
    }
}
