//! Area aggregates: per area of a level and per year, the sums and counts of the 100 m cells
//! whose centre lies inside (each cell counts for one area of a level), or the values of an
//! area scores file.

use rayon::prelude::*;

use lbm_tileset::Values;

use crate::aggregate::pyramid::AggCell;
use crate::geometry::scanline::CellRows;
use crate::input::area_scores::AreaScores;
use crate::input::areas::Area;
use crate::input::scores::{Scores, YearScores};

/// Which area of a level holds each populated cell: the first area whose polygon holds the
/// cell's centre (each cell counts for at most one area of a level). Shared by the area means
/// and the class distributions, so both count the same cells.
#[derive(Debug, Default)]
pub struct Membership {
    /// Every cell of any year, sorted by (hx, hy), unique.
    cells: Vec<(i32, i32)>,
    /// Per cell of `cells`, its area's position in the level, or `u32::MAX`.
    owner: Vec<u32>,
}

impl Membership {
    /// The areas of the cells of `datasets`.
    pub fn new(areas: &[Area], datasets: &[&YearScores]) -> Self {
        let mut union: Vec<(i32, i32)> = datasets
            .iter()
            .flat_map(|y| y.cells.iter().map(|c| (c.hx, c.hy)))
            .collect();
        union.par_sort_unstable();
        union.dedup();
        let mut rows: Vec<(i32, i32, u32)> = union
            .iter()
            .enumerate()
            .map(|(i, &(hx, hy))| (hy, hx, i as u32))
            .collect();
        rows.par_sort_unstable();
        // Per area the cells whose centre it holds, row by row of cell centres.
        let inside: Vec<Vec<u32>> = areas
            .par_iter()
            .map(|a| {
                // An area not on the map (no usable polygon) holds no cells.
                if a.polygons.is_empty() {
                    return Vec::new();
                }
                let (_, y0, _, y1) = a.bounds();
                let hy0 = ((y0 - 50.0) / 100.0).floor() as i32;
                let hy1 = ((y1 - 50.0) / 100.0).ceil() as i32;
                let rings: Vec<&Vec<(f64, f64)>> = a.polygons.iter().flatten().collect();
                let scan = CellRows::new(&rings, hy0, hy1 + 1);
                let mut out = Vec::new();
                for hy in hy0..=hy1 {
                    let start = rows.partition_point(|r| r.0 < hy);
                    let end = rows.partition_point(|r| r.0 <= hy);
                    let row = &rows[start..end];
                    for (lo, hi) in scan.spans(hy) {
                        let a = row.partition_point(|r| r.1 < lo);
                        let b = row.partition_point(|r| r.1 < hi);
                        out.extend(row[a..b].iter().map(|r| r.2));
                    }
                }
                out
            })
            .collect();
        let mut owner = vec![u32::MAX; union.len()];
        for (ai, cells) in inside.iter().enumerate() {
            for &c in cells {
                if owner[c as usize] == u32::MAX {
                    owner[c as usize] = ai as u32;
                }
            }
        }
        Membership {
            cells: union,
            owner,
        }
    }

    /// Per cell of `year` (one of the datasets of [`Membership::new`]), in order, the position
    /// of its area, if one holds it.
    pub fn owners<'a>(&'a self, year: &'a YearScores) -> impl Iterator<Item = Option<u32>> + 'a {
        let mut j = 0;
        year.cells.iter().map(move |c| {
            while self.cells[j] != (c.hx, c.hy) {
                j += 1;
            }
            let o = self.owner[j];
            (o != u32::MAX).then_some(o)
        })
    }
}

/// Per dataset of `datasets`, per area (`n_areas` of them), the aggregate of the 100 m cells
/// that `members` puts in it.
pub fn from_cells(
    members: &Membership,
    n_areas: usize,
    datasets: &[&YearScores],
) -> Vec<Vec<AggCell>> {
    datasets
        .par_iter()
        .map(|y| {
            let mut aggs = vec![AggCell::EMPTY; n_areas];
            for (c, o) in y.cells.iter().zip(members.owners(y)) {
                if let Some(o) = o {
                    aggs[o as usize].add(&c.values);
                }
            }
            aggs
        })
        .collect()
}

/// Per year of `scores`, per area, the values of an area scores file (one "cell" per area
/// and year; `afw` filled in against that year's reference level when the file lacks it).
pub fn from_file(file: &AreaScores, areas: &[Area], scores: &Scores) -> Vec<Vec<AggCell>> {
    scores
        .years
        .iter()
        .map(|y| {
            let reference = scores
                .reference
                .by_year
                .get(&y.year)
                .copied()
                .unwrap_or(f64::NAN);
            areas
                .iter()
                .map(|a| {
                    let mut agg = AggCell::EMPTY;
                    agg.add(
                        &file
                            .get(&a.code, y.year, reference)
                            .unwrap_or(Values::EMPTY),
                    );
                    agg
                })
                .collect()
        })
        .collect()
}
