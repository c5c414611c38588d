//! Tile addresses: the XYZ scheme of URLs and PMTiles (rows counted from the north), and the one
//! place where it is flipped to the TMS rows of MBTiles (counted from the south).

/// The address of one tile in the XYZ scheme: zoom `z`, column `x`, row `y` from the north.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    /// Zoom level.
    pub z: u8,
    /// Column, from the west.
    pub x: u32,
    /// Row, from the north.
    pub y: u32,
}

impl TileCoord {
    /// The deepest zoom an address can have (PMTiles tile ids reach zoom 31; a `u32` row of zoom
    /// 31 still fits).
    pub const MAX_ZOOM: u8 = 31;

    /// The tile `z/x/y`, if it exists (`x` and `y` below `2^z`).
    pub fn new(z: u8, x: u32, y: u32) -> Option<Self> {
        let n = Self::tiles_per_side(z)?;
        (u64::from(x) < n && u64::from(y) < n).then_some(TileCoord { z, x, y })
    }

    /// The tile whose MBTiles (TMS) row is `row`, if it exists.
    pub fn from_tms(z: u8, x: u32, row: u32) -> Option<Self> {
        let n = Self::tiles_per_side(z)?;
        let y = n.checked_sub(1 + u64::from(row))?;
        Self::new(z, x, u32::try_from(y).ok()?)
    }

    /// The row of this tile in MBTiles' TMS scheme (counted from the south).
    pub fn tms_row(self) -> u32 {
        // `new` and `from_tms` keep `y < 2^z` with `z <= 31`: no overflow.
        ((1u64 << self.z) - 1 - u64::from(self.y)) as u32
    }

    /// `2^z`, or `None` past [`Self::MAX_ZOOM`].
    fn tiles_per_side(z: u8) -> Option<u64> {
        (z <= Self::MAX_ZOOM).then(|| 1u64 << z)
    }
}

impl std::fmt::Display for TileCoord {
    /// `z/x/y`, as in tile URLs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Tile counts and sizes of one zoom level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ZoomStats {
    /// Zoom level.
    pub zoom: u8,
    /// Number of tiles.
    pub tiles: u64,
    /// Total stored (compressed) bytes.
    pub bytes: u64,
    /// Largest stored tile in bytes.
    pub max_bytes: u64,
}

impl ZoomStats {
    /// Counts one tile of `bytes` at `zoom` into `stats`, whose last entry is the zoom of the
    /// tile before (tiles come zoom by zoom): a new entry when the zoom changes.
    pub fn tally(stats: &mut Vec<ZoomStats>, zoom: u8, bytes: u64) {
        if stats.last().is_none_or(|s| s.zoom != zoom) {
            stats.push(ZoomStats {
                zoom,
                ..ZoomStats::default()
            });
        }
        let s = stats.last_mut().expect("pushed above");
        s.tiles += 1;
        s.bytes += bytes;
        s.max_bytes = s.max_bytes.max(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tms_rows_flip_and_come_back() {
        assert_eq!(TileCoord::new(0, 0, 0).unwrap().tms_row(), 0);
        assert_eq!(TileCoord::new(1, 1, 0).unwrap().tms_row(), 1);
        assert_eq!(TileCoord::new(5, 16, 10).unwrap().tms_row(), 21);
        for (z, x, y) in [
            (0, 0, 0),
            (3, 7, 0),
            (11, 1050, 673),
            (31, 5, (1u32 << 31) - 1),
        ] {
            let c = TileCoord::new(z, x, y).unwrap();
            assert_eq!(TileCoord::from_tms(z, x, c.tms_row()), Some(c));
        }
        let top = TileCoord::new(31, 0, 0).unwrap();
        assert_eq!(top.tms_row(), (1u32 << 31) - 1);
    }

    #[test]
    fn addresses_outside_the_zoom_do_not_exist() {
        assert_eq!(TileCoord::new(1, 2, 0), None);
        assert_eq!(TileCoord::new(1, 0, 2), None);
        assert_eq!(TileCoord::new(32, 0, 0), None);
        assert_eq!(TileCoord::from_tms(1, 0, 2), None);
        assert_eq!(TileCoord::from_tms(40, 0, 0), None);
        assert_eq!(TileCoord::new(5, 16, 10).unwrap().to_string(), "5/16/10");
    }
}
