//! What a build did: per tileset its files, tiles per zoom and digest, and the table the CLI
//! prints.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::output::{OutputFile, ZoomStats};

/// What one tileset came out as.
#[derive(Clone, Debug)]
pub struct TilesetSummary {
    /// The main file written: the MBTiles file, or the PMTiles archive when only that was
    /// written.
    pub path: PathBuf,
    /// Every file written for the tileset (MBTiles first), with its size.
    pub files: Vec<OutputFile>,
    /// The `lbm_tiles_hash` of its tiles (see [`crate::output::TilesHash`]).
    pub tiles_hash: String,
    /// Measure.
    pub measure: String,
    /// Year (the to-year of a change map).
    pub year: u16,
    /// The from-year of a change map; `None` for a score tileset.
    pub year_from: Option<u16>,
    /// Features per zoom, in zoom order.
    pub features: Vec<u64>,
    /// Tiles per zoom.
    pub zooms: Vec<ZoomStats>,
}

/// What reading one boundary file found.
#[derive(Clone, Debug)]
pub struct BoundaryReport {
    /// The file (as given, with a `:layer`).
    pub path: PathBuf,
    /// Areas read.
    pub areas: usize,
    /// Areas read per level.
    pub levels: Vec<(crate::input::areas::AreaLevel, usize)>,
    /// Repairs and water-only areas left out.
    pub log: crate::input::areas::FileLog,
}

impl BoundaryReport {
    /// What reading the file left out or repaired, each after `; ` (nothing when clean).
    pub fn write_notes(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.log.water > 0 {
            write!(f, ", {} water-only left out", self.log.water)?;
        }
        if let Some(why) = self.log.unusable_summary() {
            write!(f, "; {why}")?;
        }
        if !self.log.repairs.is_empty() {
            write!(f, "; {}", self.log.repairs)?;
        }
        Ok(())
    }
}

/// What a build did.
#[derive(Clone, Debug)]
pub struct BuildSummary {
    /// The tilesets written, in (measure, year) order.
    pub tilesets: Vec<TilesetSummary>,
    /// The tilesets already in the folder made from the same inputs (`lbm_inputs_sha256`),
    /// kept byte for byte.
    pub kept: Vec<String>,
    /// The tilesets of an earlier build no longer in the plan, removed.
    pub removed: Vec<String>,
    /// The point index, when written.
    pub index: Option<PathBuf>,
    /// Data rows read.
    pub rows: u64,
    /// The score files (grid and area) with value fields that held a no-data word such as
    /// `NA`, with how many.
    pub no_data_markers: Vec<(PathBuf, u64)>,
    /// Distinct populated 100 m cells over the years built.
    pub cells: usize,
    /// Per boundary file: areas read, repairs, water left out.
    pub boundaries: Vec<BoundaryReport>,
    /// Per level with an area scores file: how its codes meet the boundaries.
    pub code_matches: Vec<crate::input::area_scores::CodeMatch>,
    /// Per development file: how it was read and how it compares with the change maps.
    pub development: Vec<super::development::DevelopmentReport>,
    /// Wall time.
    pub elapsed: Duration,
}

impl BuildSummary {
    /// Total tiles.
    pub fn tiles(&self) -> u64 {
        self.tilesets
            .iter()
            .flat_map(|t| &t.zooms)
            .map(|z| z.tiles)
            .sum()
    }

    /// Total compressed tile bytes.
    pub fn bytes(&self) -> u64 {
        self.tilesets
            .iter()
            .flat_map(|t| &t.zooms)
            .map(|z| z.bytes)
            .sum()
    }

    /// The largest tile in bytes.
    pub fn max_tile(&self) -> u64 {
        self.tilesets
            .iter()
            .flat_map(|t| &t.zooms)
            .map(|z| z.max_bytes)
            .max()
            .unwrap_or(0)
    }

    /// Statistics summed per zoom over all tilesets (max_bytes is the maximum).
    pub fn per_zoom(&self) -> Vec<ZoomStats> {
        let mut out: Vec<ZoomStats> = Vec::new();
        for z in self.tilesets.iter().flat_map(|t| &t.zooms) {
            match out.iter_mut().find(|o| o.zoom == z.zoom) {
                Some(o) => {
                    o.tiles += z.tiles;
                    o.bytes += z.bytes;
                    o.max_bytes = o.max_bytes.max(z.max_bytes);
                }
                None => out.push(*z),
            }
        }
        out.sort_by_key(|z| z.zoom);
        out
    }
}

impl fmt::Display for BuildSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} tilesets, {} tiles, {:.1} MB, largest tile {:.1} KB, {} rows, {} cells, {:.1} s",
            self.tilesets.len(),
            self.tiles(),
            self.bytes() as f64 / 1e6,
            self.max_tile() as f64 / 1024.0,
            self.rows,
            self.cells,
            self.elapsed.as_secs_f64()
        )?;
        for (path, n) in &self.no_data_markers {
            writeln!(
                f,
                "{}: {}",
                path.display(),
                super::dry_run::no_data_note(*n)
            )?;
        }
        writeln!(f, "zoom  tiles  total MB  max KB  (all tilesets)")?;
        for z in self.per_zoom() {
            writeln!(
                f,
                "{:>4} {:>6} {:>9.2} {:>7.1}",
                z.zoom,
                z.tiles,
                z.bytes as f64 / 1e6,
                z.max_bytes as f64 / 1024.0
            )?;
        }
        for (label, pm) in [("MBTiles", false), ("PMTiles", true)] {
            let files: Vec<&OutputFile> = self
                .tilesets
                .iter()
                .flat_map(|t| &t.files)
                .filter(|o| o.is_pmtiles() == pm)
                .collect();
            if let Some(first) = files.first() {
                writeln!(
                    f,
                    "{label}: {} files, {:.1} MB, in {}",
                    files.len(),
                    files.iter().map(|o| o.bytes).sum::<u64>() as f64 / 1e6,
                    first.path.parent().unwrap_or(Path::new(".")).display()
                )?;
            }
        }
        let list = |names: &[String]| {
            let shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
            let more = names.len().saturating_sub(8);
            if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        if !self.kept.is_empty() {
            writeln!(
                f,
                "kept {} tilesets as they were (made from the same inputs: lbm_inputs_sha256 \
                 unchanged): {}",
                self.kept.len(),
                list(&self.kept)
            )?;
        }
        if !self.removed.is_empty() {
            writeln!(
                f,
                "removed {} tilesets no longer in the plan: {}",
                self.removed.len(),
                list(&self.removed)
            )?;
        }
        for b in &self.boundaries {
            write!(f, "{}: {} areas", b.path.display(), b.areas)?;
            b.write_notes(f)?;
            writeln!(f)?;
        }
        for m in &self.code_matches {
            writeln!(f, "{m}")?;
        }
        for d in &self.development {
            writeln!(f, "{d}")?;
        }
        if let Some(i) = &self.index {
            writeln!(f, "point index: {}", i.display())?;
        }
        Ok(())
    }
}
