//! MVT 2.1 geometry commands (spec 4.3) as the packed varints of a feature's `geometry` field.
//!
//! Encoded once per piece of geometry and copied into every tileset that draws it: the six
//! measures and the change maps of a year share their cells, and every tileset shares the areas.

use prost::encoding::encode_varint;

/// Command ids (spec 4.3.3).
const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

/// A command integer: id in the low 3 bits, count above.
fn command(id: u32, count: u32) -> u64 {
    u64::from(id | (count << 3))
}

/// A parameter integer: zigzag-encoded delta.
fn zigzag(v: i32) -> u64 {
    u64::from(((v << 1) ^ (v >> 31)) as u32)
}

/// The points of a ring without repeated consecutive points and without a closing point equal to
/// the first: a point the cursor is already on draws nothing.
fn distinct(ring: &[(i32, i32)]) -> impl Iterator<Item = (i32, i32)> + Clone + '_ {
    let first = ring.first().copied();
    ring.iter()
        .enumerate()
        .filter(move |&(i, p)| {
            let repeat = i > 0 && ring[i - 1] == *p;
            let closing = i + 1 == ring.len() && i > 0 && Some(*p) == first;
            !repeat && !closing
        })
        .map(|(_, &p)| p)
}

/// Appends the commands of polygon `rings` (tile coordinates, each exterior followed by its
/// holes, already oriented) to `out`; rings of fewer than 3 distinct points are left out.
/// Returns whether any ring was written.
pub fn polygon<'a>(out: &mut Vec<u8>, rings: impl IntoIterator<Item = &'a [(i32, i32)]>) -> bool {
    // The cursor carries over from ring to ring (ClosePath does not move it).
    let mut cursor = (0i32, 0i32);
    let mut any = false;
    for ring in rings {
        let points = distinct(ring);
        let n = points.clone().count();
        if n < 3 {
            continue;
        }
        for (i, (x, y)) in points.enumerate() {
            if i == 0 {
                encode_varint(command(MOVE_TO, 1), out);
            } else if i == 1 {
                encode_varint(command(LINE_TO, n as u32 - 1), out);
            }
            encode_varint(zigzag(x.wrapping_sub(cursor.0)), out);
            encode_varint(zigzag(y.wrapping_sub(cursor.1)), out);
            cursor = (x, y);
        }
        encode_varint(command(CLOSE_PATH, 1), out);
        any = true;
    }
    any
}

/// Appends the commands of one point.
pub fn point(out: &mut Vec<u8>, (x, y): (i32, i32)) {
    encode_varint(command(MOVE_TO, 1), out);
    encode_varint(zigzag(x), out);
    encode_varint(zigzag(y), out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packed bytes as the integers they encode.
    fn ints(bytes: &[u8]) -> Vec<u64> {
        let mut buf = bytes;
        let mut out = Vec::new();
        while !buf.is_empty() {
            out.push(prost::encoding::decode_varint(&mut buf).unwrap());
        }
        out
    }

    #[test]
    fn spec_polygon_example() {
        // MVT spec 4.3.5.3: the polygon (3 6), (8 12), (20 34), closed.
        let mut out = Vec::new();
        assert!(polygon(
            &mut out,
            [&[(3, 6), (8, 12), (20, 34), (3, 6)][..]]
        ));
        assert_eq!(ints(&out), vec![9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }

    #[test]
    fn spec_multipolygon_example_keeps_the_cursor() {
        // MVT spec 4.3.5.4: an exterior, then a second exterior with a hole.
        let rings: [&[(i32, i32)]; 3] = [
            &[(0, 0), (10, 0), (10, 10), (0, 10)],
            &[(11, 11), (20, 11), (20, 20), (11, 20)],
            &[(13, 13), (13, 17), (17, 17), (17, 13)],
        ];
        let mut out = Vec::new();
        polygon(&mut out, rings);
        assert_eq!(
            ints(&out),
            vec![
                9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15, 9, 22, 2, 26, 18, 0, 0, 18, 17, 0, 15, 9, 4,
                13, 26, 0, 8, 8, 0, 0, 7, 15
            ]
        );
    }

    #[test]
    fn repeated_points_and_degenerate_rings_are_dropped() {
        let mut out = Vec::new();
        assert!(!polygon(&mut out, [&[(1, 1), (1, 1), (2, 2), (1, 1)][..]]));
        assert!(out.is_empty());
        assert!(polygon(
            &mut out,
            [&[(0, 0), (0, 0), (0, 5), (5, 5), (5, 5), (5, 0)][..]]
        ));
        assert_eq!(ints(&out), vec![9, 0, 0, 26, 0, 10, 10, 0, 0, 9, 15]);
    }

    #[test]
    fn point_is_absolute() {
        let mut out = Vec::new();
        point(&mut out, (25, 17));
        assert_eq!(ints(&out), vec![9, 50, 34]);
    }
}
