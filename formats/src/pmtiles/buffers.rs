//! Reusable buffers for the tile bytes read from archives.
//!
//! Over the long tail (every tile of every tileset, shuffled) the server reads one new tile per
//! request and its tile cache evicts another. With a fresh allocation per read, every tile was
//! copied from the page cache into memory the kernel had just zeroed (a huge page fault every
//! few dozen tiles): allocating and faulting were a tenth of the server's CPU (`perf`, tail.sh).
//! Here a read takes a buffer of its size class from a free list and the bytes give it back when
//! the last reference (a response, the tile cache) drops it, so tile memory stays mapped and warm
//! and is zeroed only once, when first made (reads go through safe `&mut [u8]` slices).
//! Side by side over the long tail this took 3-7 % less server CPU per tile than reading into
//! a new Vec; the page cache copies and the network stack are most of what remains.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex};

use bytes::Bytes;

/// Size classes from 4 KiB to 4 MiB, four per power of two: a buffer is at most a quarter
/// larger than the tile it holds, as a size-class allocator's (the tile cache weighs a tile by
/// its length, so its memory may be up to a quarter more than its budget). Smaller and larger
/// tiles are not pooled: a small one gets a buffer of its own size (a 300-byte tile must not
/// keep 4 KiB alive in the cache), and the allocator serves those from warm small pages.
const MIN_CLASS: usize = 4096;
const MAX_CLASS: usize = 4 << 20;
/// Bytes kept in the free lists at most; past it a returned buffer is freed.
const FREE_BUDGET: usize = 32 << 20;

/// The free buffers of every size class.
struct Pool {
    classes: Vec<usize>,
    free: Vec<Mutex<Vec<Vec<u8>>>>,
    free_bytes: AtomicUsize,
}

static POOL: LazyLock<Pool> = LazyLock::new(Pool::new);

impl Pool {
    fn new() -> Self {
        let mut classes = Vec::new();
        let mut base = MIN_CLASS;
        while base < MAX_CLASS {
            for quarter in 0..4 {
                classes.push(base + quarter * base / 4);
            }
            base *= 2;
        }
        classes.push(MAX_CLASS);
        let free = classes.iter().map(|_| Mutex::new(Vec::new())).collect();
        Self {
            classes,
            free,
            free_bytes: AtomicUsize::new(0),
        }
    }

    /// The index of the smallest class that holds `len` bytes, if `len` is pooled.
    fn class_of(&self, len: usize) -> Option<usize> {
        if len < MIN_CLASS {
            return None;
        }
        let i = self.classes.partition_point(|&c| c < len);
        (i < self.classes.len()).then_some(i)
    }

    /// A buffer of at least `len` bytes (its class's size; zeroed once, when first made).
    fn take(&self, len: usize) -> Vec<u8> {
        let Some(class) = self.class_of(len) else {
            return vec![0; len];
        };
        let reused = self.free[class]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        match reused {
            Some(buf) => {
                self.free_bytes.fetch_sub(buf.len(), Ordering::Relaxed);
                buf
            }
            None => vec![0; self.classes[class]],
        }
    }

    /// Keeps `buf` for a later read, unless the free lists are full or it is of no class.
    fn give_back(&self, buf: Vec<u8>) {
        let size = buf.len();
        let Some(class) = self.class_of(size).filter(|&c| self.classes[c] == size) else {
            return;
        };
        if self.free_bytes.fetch_add(size, Ordering::Relaxed) + size > FREE_BUDGET {
            self.free_bytes.fetch_sub(size, Ordering::Relaxed);
            return;
        }
        self.free[class]
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(buf);
    }
}

/// A pooled buffer owned by [`Bytes`], of which the first `len` bytes are the data; returns to
/// the pool when they are dropped. Its other bytes are whatever an earlier read left: a buffer
/// is never zeroed again, the data is all a reader sees.
struct Pooled {
    buf: Vec<u8>,
    len: usize,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        POOL.give_back(std::mem::take(&mut self.buf));
    }
}

/// Lets `fill` write into the first `len` bytes of a buffer of the pool and return how many it
/// wrote (at most `len`), and hands those out as [`Bytes`].
pub(super) fn filled_with<E>(
    len: usize,
    fill: impl FnOnce(&mut [u8]) -> Result<usize, E>,
) -> Result<Bytes, E> {
    let mut buf = POOL.take(len);
    match fill(&mut buf[..len]) {
        Ok(n) => Ok(Bytes::from_owner(Pooled {
            buf,
            len: n.min(len),
        })),
        Err(e) => {
            POOL.give_back(buf);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_at_most_a_quarter_larger_than_what_they_hold() {
        let pool = Pool::new();
        let lens = [4096, 4097, 5000, 31_000, 65_536, 70_000, 1 << 20, MAX_CLASS];
        for len in lens {
            let class = pool.classes[pool.class_of(len).unwrap()];
            assert!(class >= len, "{len}");
            assert!(class * 4 <= len * 5 + 4, "{len} in {class}");
        }
        assert!(pool.class_of(MAX_CLASS + 1).is_none());
        assert!(pool.class_of(MIN_CLASS - 1).is_none());
        assert!(pool.class_of(300).is_none());
    }

    #[test]
    fn a_buffer_shows_only_the_data_written_into_it() {
        let a = filled_with::<()>(30_000, |b| {
            b.fill(7);
            Ok(b.len())
        })
        .unwrap();
        assert_eq!(a.len(), 30_000);
        assert!(a.iter().all(|&b| b == 7));
        let shared = a.clone();
        drop(a);
        assert_eq!(shared.len(), 30_000, "still referenced: not returned");
        drop(shared);
        let b = filled_with::<()>(29_000, |b| {
            assert_eq!(b.len(), 29_000);
            b[..100].fill(1);
            Ok(100)
        })
        .unwrap();
        assert_eq!(&b[..], &[1; 100][..]);
        let failed = filled_with(10, |_| Err("no"));
        assert_eq!(failed, Err("no"));
        // A small tile has a buffer of its own size.
        let small = filled_with::<()>(300, |b| {
            assert_eq!(b.len(), 300);
            b.fill(3);
            Ok(300)
        })
        .unwrap();
        assert_eq!(&small[..], &[3; 300][..]);
    }
}
