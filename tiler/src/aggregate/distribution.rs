//! Class distributions: per area (and for the whole country), per measure and per year or change
//! period, how many populated 100 m cells fall in each of the nine classes, and how much weight
//! when the scores file has a weight column. The tiler counts them once, for the index; the
//! report API and the web map's area reports read them.
//!
//! A cell's class is the contract's [`Classification::classify`] of its published value, so the
//! counts equal what a reader counts in the 100 m tiles of the same tileset.

use lbm_tileset::{change_value, Classification, Column};

use crate::input::scores::YearScores;

/// Number of classes.
pub const CLASSES: usize = 9;

/// The cells of one place, measure and period per class.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Distribution {
    /// Cells per class 1..9 (index 0..8).
    pub counts: [u32; CLASSES],
    /// The summed weight of those cells (1 per cell in an unweighted file).
    pub weights: [f64; CLASSES],
    /// Populated cells of the period without a value (or change) for the measure.
    pub no_data: u32,
}

impl Distribution {
    /// Counts one cell of class `class` (`None`: no value) and weight `weight`.
    pub fn add(&mut self, class: Option<u8>, weight: f64) {
        match class {
            Some(k @ 1..=9) => {
                let i = usize::from(k - 1);
                self.counts[i] += 1;
                self.weights[i] += weight;
            }
            _ => self.no_data += 1,
        }
    }

    /// Whether no cell was counted at all (the place has no cells in the period).
    pub fn is_empty(&self) -> bool {
        self.no_data == 0 && self.counts.iter().all(|n| *n == 0)
    }
}

/// The distributions of one period: per owner (an area's position in its level, or 0 for the
/// whole country), per measure of the classification list it was counted with.
#[derive(Debug)]
pub struct Tally {
    measures: usize,
    dist: Vec<Distribution>,
}

impl Tally {
    fn new(owners: usize, measures: usize) -> Self {
        Tally {
            measures,
            dist: vec![Distribution::default(); owners * measures],
        }
    }

    /// The distribution of `owner` for the `measure`-th classification.
    pub fn get(&self, owner: usize, measure: usize) -> &Distribution {
        &self.dist[owner * self.measures + measure]
    }

    fn add(&mut self, owner: u32, measure: usize, class: Option<u8>, weight: f64) {
        self.dist[owner as usize * self.measures + measure].add(class, weight);
    }
}

/// The score classes of `year`'s cells per owner: `owners` gives each cell's owner (in cell
/// order; `None` for a cell outside every area) among `n_owners`, and `classes` the score
/// classification of each measure (the value classified is its basis column).
pub fn score_tally(
    year: &YearScores,
    owners: impl Iterator<Item = Option<u32>>,
    n_owners: usize,
    classes: &[Classification],
) -> Tally {
    let columns: Vec<Option<Column>> = classes.iter().map(|c| c.basis_column()).collect();
    let mut tally = Tally::new(n_owners, classes.len());
    for (i, (cell, owner)) in year.cells.iter().zip(owners).enumerate() {
        let Some(owner) = owner else { continue };
        let w = year.weight(i);
        for (m, (c, col)) in classes.iter().zip(&columns).enumerate() {
            let class = col.and_then(|col| c.classify(cell.values[col]));
            tally.add(owner, m, class, w);
        }
    }
    tally
}

/// The change classes from `from` to `to` per owner of the cells of `to` (as a change map holds
/// them: every cell of the to-year, with a change where both years have the measure). `owners`
/// is per cell of `to`; `classes` the change classification of each measure; the weight is the
/// to-year's.
pub fn change_tally(
    from: &YearScores,
    to: &YearScores,
    owners: impl Iterator<Item = Option<u32>>,
    n_owners: usize,
    classes: &[Classification],
) -> Tally {
    let columns: Vec<Option<Column>> = classes.iter().map(|c| Column::parse(&c.measure)).collect();
    let mut tally = Tally::new(n_owners, classes.len());
    let mut j = 0;
    for (i, (cell, owner)) in to.cells.iter().zip(owners).enumerate() {
        // Both years are sorted by (hx, hy): walk the from-year alongside.
        while j < from.cells.len() && (from.cells[j].hx, from.cells[j].hy) < (cell.hx, cell.hy) {
            j += 1;
        }
        let Some(owner) = owner else { continue };
        let before = from
            .cells
            .get(j)
            .filter(|b| (b.hx, b.hy) == (cell.hx, cell.hy));
        let w = to.weight(i);
        for (m, (c, col)) in classes.iter().zip(&columns).enumerate() {
            let class = match (before, col) {
                (Some(b), Some(col)) => {
                    let (a, z) = (b.values[*col], cell.values[*col]);
                    if a.is_finite() && z.is_finite() {
                        c.classify(change_value(a, z))
                    } else {
                        None
                    }
                }
                _ => None,
            };
            tally.add(owner, m, class, w);
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::classes::ClassificationSet;
    use crate::input::scores::CellRecord;
    use lbm_tileset::Values;

    fn cell(hx: i32, lbm: f64, afw: f64) -> CellRecord {
        let mut values = Values::EMPTY;
        values[Column::Lbm] = lbm;
        values[Column::Afw] = afw;
        CellRecord {
            hx,
            hy: 4500,
            values,
        }
    }

    #[test]
    fn counts_and_weights_per_class_and_owner() {
        let set = ClassificationSet::embedded();
        let lbm = set.get("lbm").unwrap().clone();
        let cuts = lbm.cuts.clone();
        // afw exactly on cut 5 is class 6; just below it class 5; far below class 1.
        let year = YearScores {
            year: 2020,
            cells: vec![
                cell(1, 4.0, cuts[4]),
                cell(2, 4.0, cuts[4] - 0.001),
                cell(3, 4.0, -9.0),
                cell(4, f64::NAN, f64::NAN),
                cell(5, 4.0, cuts[4]),
            ],
            weights: Some(vec![2.0, 3.0, 0.5, 7.0, 11.0]),
        };
        let owners = [Some(0), Some(0), Some(1), Some(1), None];
        let t = score_tally(&year, owners.into_iter(), 2, std::slice::from_ref(&lbm));
        let a = t.get(0, 0);
        assert_eq!(a.counts, [0, 0, 0, 0, 1, 1, 0, 0, 0]);
        assert_eq!(a.weights[4..6], [3.0, 2.0]);
        let b = t.get(1, 0);
        assert_eq!((b.counts[0], b.weights[0], b.no_data), (1, 0.5, 1));
        assert!(!b.is_empty());
    }

    #[test]
    fn a_change_needs_both_years() {
        let set = ClassificationSet::embedded();
        let change = set.change("lbm").unwrap().clone();
        let from = YearScores {
            year: 2018,
            cells: vec![cell(1, 4.0, 0.0), cell(3, 4.0, 0.0)],
            weights: None,
        };
        let to = YearScores {
            year: 2020,
            cells: vec![cell(1, 4.5, 0.5), cell(2, 4.0, 0.0), cell(3, 4.0, 0.0)],
            weights: None,
        };
        let t = change_tally(
            &from,
            &to,
            std::iter::repeat(Some(0)),
            1,
            std::slice::from_ref(&change),
        );
        let d = t.get(0, 0);
        assert_eq!(d.no_data, 1, "cell 2 is new in 2020");
        assert_eq!(d.counts.iter().sum::<u32>(), 2);
        assert_eq!(d.counts[4], 1, "no change is the middle class");
        let rise = change.classify(0.5).unwrap();
        assert!(rise > 5);
        assert_eq!(d.counts[usize::from(rise - 1)], 1);
        assert_eq!(d.weights.iter().sum::<f64>(), 2.0);
    }
}
