//! Non-blocking log output: formatted lines go through a bounded channel to one writer thread,
//! so request handlers never wait on the stdout lock (access logs are on the hot path).

use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;

use tracing_subscriber::fmt::MakeWriter;

enum Message {
    Line(Vec<u8>),
    Shutdown,
}

/// A [`MakeWriter`] for `tracing_subscriber` whose writers hand their line to the log thread.
/// When the channel is full (a burst larger than it holds) lines are dropped and counted.
#[derive(Clone)]
pub struct NonBlocking {
    tx: SyncSender<Message>,
    dropped: Arc<AtomicU64>,
}

/// Flushes and stops the log thread when dropped; keep it alive for the life of `main`.
pub struct FlushGuard {
    tx: SyncSender<Message>,
    thread: Option<JoinHandle<()>>,
}

/// One event's writer: buffers the formatted line, sends it on drop.
pub struct LineWriter {
    buf: Vec<u8>,
    sink: NonBlocking,
}

impl Write for LineWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.buf);
        if let Err(TrySendError::Full(_)) = self.sink.tx.try_send(Message::Line(line)) {
            self.sink.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl<'a> MakeWriter<'a> for NonBlocking {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> LineWriter {
        LineWriter {
            buf: Vec::with_capacity(256),
            sink: self.clone(),
        }
    }
}

fn run(rx: Receiver<Message>, dropped: Arc<AtomicU64>) {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(msg) = next {
            match msg {
                Message::Line(line) => {
                    let _ = out.write_all(&line);
                }
                Message::Shutdown => {
                    let _ = out.flush();
                    return;
                }
            }
            next = rx.try_recv().ok();
        }
        let lost = dropped.swap(0, Ordering::Relaxed);
        if lost > 0 {
            let _ = writeln!(out, "[log] {lost} lines dropped (log output too slow)");
        }
        let _ = out.flush();
        // Under load, wake up at most ~100 times a second instead of once per line: the
        // context switches cost more than the writing.
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Starts the log thread; returns the writer for `tracing_subscriber` and its flush guard.
pub fn non_blocking_stdout() -> (NonBlocking, FlushGuard) {
    let (tx, rx) = sync_channel(65_536);
    let dropped = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&dropped);
    let thread = std::thread::Builder::new()
        .name("lbm-log".into())
        .spawn(move || run(rx, counter))
        .ok();
    (
        NonBlocking {
            tx: tx.clone(),
            dropped,
        },
        FlushGuard { tx, thread },
    )
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        let _ = self.tx.send(Message::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
