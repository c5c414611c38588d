//! gzip as tiles are stored (RFC 1952), with one deflate state per thread: the tiler compresses
//! hundreds of thousands of small tiles and the server its JSON answers, and allocating and
//! clearing a fresh state (hash tables and window) for each cost more than compressing many.

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

thread_local! {
    /// This thread's deflate state and its level, reset per call.
    static DEFLATE: std::cell::RefCell<Option<(u32, Compress)>> = const { std::cell::RefCell::new(None) };
}

/// gzip (RFC 1952) of `data` at `level`, with a reused raw-deflate state.
pub fn gzip(data: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let level = level.min(9);
    let mut out = Vec::with_capacity(data.len() / 3 + 64);
    // Header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    DEFLATE.with(|cell| -> std::io::Result<()> {
        let mut slot = cell.borrow_mut();
        let compress = match slot.as_mut() {
            Some((l, c)) if *l == level => {
                c.reset();
                c
            }
            _ => {
                &mut slot
                    .insert((level, Compress::new(Compression::new(level), false)))
                    .1
            }
        };
        let start_in = compress.total_in();
        loop {
            let consumed = (compress.total_in() - start_in) as usize;
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(4096));
            }
            let status = compress
                .compress_vec(&data[consumed..], &mut out, FlushCompress::Finish)
                .map_err(std::io::Error::other)?;
            if status == Status::StreamEnd {
                return Ok(());
            }
        }
    })?;
    let mut crc = Crc::new();
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reused_state_round_trips_at_every_level() {
        for level in [1, 3, 9, 3] {
            let big: Vec<u8> = (0..200_000u32)
                .map(|i| (i % 251) as u8 ^ (i / 7000) as u8)
                .collect();
            let gz = gzip(&big, level).unwrap();
            let mut back = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)
                .unwrap();
            assert_eq!(back, big);
        }
    }
}
