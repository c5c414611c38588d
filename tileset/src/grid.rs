//! Leefbaarometer grid cells: `E<hx>N<hy>` ids in hectometres of the south-west corner (RD New).

use std::fmt;

/// RD New extent accepted as "the Netherlands", in metres: x from, x to, y from, y to.
pub const NL_EXTENT_M: (i32, i32, i32, i32) = (-7_000, 300_000, 289_000, 629_000);

/// A 100 m cell, identified by the hectometres of its south-west corner in RD New.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellId {
    /// floor(x / 100) of the south-west corner.
    pub hx: i32,
    /// floor(y / 100) of the south-west corner.
    pub hy: i32,
}

impl CellId {
    /// Parses `E1213N4879` (case-insensitive letters, optional sign on the numbers).
    pub fn parse(s: &str) -> Option<CellId> {
        let s = s.trim();
        let rest = s.strip_prefix('E').or_else(|| s.strip_prefix('e'))?;
        let n = rest.find(['N', 'n'])?;
        let hx = parse_int(&rest[..n])?;
        let hy = parse_int(&rest[n + 1..])?;
        Some(CellId { hx, hy })
    }

    /// The cell that holds the point (x, y) in RD New metres (floored to 100 m).
    pub fn from_xy(x: f64, y: f64) -> CellId {
        CellId {
            hx: (x / 100.0).floor() as i32,
            hy: (y / 100.0).floor() as i32,
        }
    }

    /// RD New x of the south-west corner in metres.
    pub fn x_m(self) -> i32 {
        self.hx * 100
    }

    /// RD New y of the south-west corner in metres.
    pub fn y_m(self) -> i32 {
        self.hy * 100
    }

    /// The MVT feature id of this 100 m cell in the grid layer.
    pub fn feature_id(self) -> u64 {
        feature_id(self.hx, self.hy, 0)
    }

    /// The cell of `level` (`100 · 2^level` m, as drawn at coarser zooms) that holds this one.
    pub fn coarse(self, level: u8) -> CoarseCell {
        CoarseCell {
            kx: self.hx >> level,
            ky: self.hy >> level,
            level,
        }
    }

    /// Whether the whole cell lies in [`NL_EXTENT_M`].
    pub fn in_netherlands(self) -> bool {
        let (x0, x1, y0, y1) = NL_EXTENT_M;
        let (x, y) = (i64::from(self.hx) * 100, i64::from(self.hy) * 100);
        x >= i64::from(x0)
            && x + 100 <= i64::from(x1)
            && y >= i64::from(y0)
            && y + 100 <= i64::from(y1)
    }
}

fn parse_int(s: &str) -> Option<i32> {
    if s.is_empty()
        || !s
            .trim_start_matches(['-', '+'])
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for CellId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{}N{}", self.hx, self.hy)
    }
}

/// A cell of the pyramid: `100 · 2^level` metres, at (`kx`, `ky`) in units of its own size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoarseCell {
    /// Column in units of the cell's size.
    pub kx: i32,
    /// Row in units of the cell's size.
    pub ky: i32,
    /// 0 for 100 m cells, k for cells of `100 · 2^k` m.
    pub level: u8,
}

impl CoarseCell {
    /// The side in metres.
    pub fn size_m(self) -> u32 {
        100u32 << self.level
    }

    /// Its `cell` property in the tiles ([`write_cell_label`]).
    pub fn label(self) -> String {
        let mut out = String::new();
        write_cell_label(&mut out, self.kx, self.ky, self.level);
        out
    }

    /// Its MVT feature id in the tiles ([`feature_id`]).
    pub fn feature_id(self) -> u64 {
        feature_id(self.kx, self.ky, self.level)
    }

    /// The 100 m cells at its south-west and north-east corners.
    pub fn corners(self) -> (CellId, CellId) {
        let (hx, hy) = (self.kx << self.level, self.ky << self.level);
        let last = (1 << self.level) - 1;
        (
            CellId { hx, hy },
            CellId {
                hx: hx + last,
                hy: hy + last,
            },
        )
    }
}

/// Writes the `cell` property of a (possibly coarser) cell into `out`.
///
/// `kx, ky` are the cell's coordinates in units of its own size (`100 * 2^level` m); 100 m cells
/// read `E1213N4879`, coarser cells add their size: `E1200N4800/800m`.
pub fn write_cell_label(out: &mut String, kx: i32, ky: i32, level: u8) {
    let mut digits = itoa::Buffer::new();
    out.clear();
    out.push('E');
    out.push_str(digits.format(kx << level));
    out.push('N');
    out.push_str(digits.format(ky << level));
    if level > 0 {
        out.push('/');
        out.push_str(digits.format(100u32 << level));
        out.push('m');
    }
}

/// Feature id of a cell: `level * 10^8 + hx * 10^4 + hy` with hx, hy in hectometres.
///
/// Unique for cells inside [`NL_EXTENT_M`] with x >= 0 (all of the Dutch land area).
pub fn feature_id(kx: i32, ky: i32, level: u8) -> u64 {
    let (hx, hy) = (i64::from(kx << level), i64::from(ky << level));
    (i64::from(level) * 100_000_000 + hx * 10_000 + hy) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        let c = CellId::parse("E1213N4879").unwrap();
        assert_eq!(c, CellId { hx: 1213, hy: 4879 });
        assert_eq!(c.to_string(), "E1213N4879");
        assert_eq!((c.x_m(), c.y_m()), (121_300, 487_900));
        assert!(c.in_netherlands());
        assert_eq!(CellId::parse("e5n3000"), Some(CellId { hx: 5, hy: 3000 }));
        for bad in ["", "E", "E12N", "X12N4", "E12X4", "E1.5N4", "E12N4x", "EN"] {
            assert_eq!(CellId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn from_xy_floors() {
        assert_eq!(
            CellId::from_xy(121_399.9, 487_900.0),
            CellId { hx: 1213, hy: 4879 }
        );
        assert_eq!(CellId::from_xy(-50.0, 300_000.0).hx, -1);
    }

    #[test]
    fn extent() {
        assert!(!CellId { hx: 3000, hy: 4000 }.in_netherlands());
        assert!(CellId { hx: 2999, hy: 6289 }.in_netherlands());
        assert!(!CellId { hx: 1000, hy: 2889 }.in_netherlands());
        assert!(CellId { hx: -70, hy: 2890 }.in_netherlands());
    }

    #[test]
    fn labels_and_ids() {
        let mut s = String::new();
        write_cell_label(&mut s, 1213, 4879, 0);
        assert_eq!(s, "E1213N4879");
        write_cell_label(&mut s, 150, 600, 3);
        assert_eq!(s, "E1200N4800/800m");
        assert_eq!(feature_id(1213, 4879, 0), 12_134_879);
        assert_eq!(feature_id(150, 600, 3), 312_004_800);
        // A coarse cell as the tiles carry it, from a 100 m cell inside it.
        let coarse = CellId { hx: 1203, hy: 4805 }.coarse(3);
        assert_eq!(coarse.label(), "E1200N4800/800m");
        assert_eq!(coarse.feature_id(), feature_id(150, 600, 3));
        assert_eq!(coarse.size_m(), 800);
        let (first, last) = coarse.corners();
        assert_eq!(
            (first.to_string(), last.to_string()),
            ("E1200N4800".into(), "E1207N4807".into())
        );
        assert_eq!(CellId { hx: 1213, hy: 4879 }.feature_id(), 12_134_879);
    }
}
