//! What a feature of a tileset shows, from its aggregates: the one place where the tiler turns
//! means into published scores and classes.
//!
//! A score tileset shows the published mean of its measure and the class of the published mean
//! of its basis (`afw` for the total score). A change map shows the difference of the two
//! published scores (so a reader of the two score tilesets computes the same number) and the
//! change class of that difference. A place that exists but has no value shows nothing: it is
//! drawn as "geen gegevens".

use lbm_tileset::{change_value, Classification, Column, Measure};

use crate::aggregate::pyramid::AggCell;
use crate::encode::Shown;

/// How the features of one tileset get their values.
#[derive(Clone, Copy, Debug)]
pub struct Rule<'a> {
    /// The measure's column.
    pub column: Column,
    /// The column the class is computed from.
    pub basis: Column,
    /// Whether features carry `afw` (the total score's scores).
    pub with_afw: bool,
    /// The classification (score or change).
    pub classes: &'a Classification,
}

impl<'a> Rule<'a> {
    /// The rule of a score tileset of `measure`.
    pub fn score(measure: Measure, classes: &'a Classification) -> Self {
        Rule {
            column: measure.column(),
            basis: classes.basis_column().unwrap_or(measure.column()),
            with_afw: measure == Measure::Lbm,
            classes,
        }
    }

    /// The rule of a change map of `measure`.
    pub fn change(measure: Measure, classes: &'a Classification) -> Self {
        Rule {
            column: measure.column(),
            basis: measure.column(),
            with_afw: false,
            classes,
        }
    }

    /// What a place with aggregate `a` shows in a score tileset.
    pub fn score_of(&self, a: &AggCell) -> Option<Shown> {
        let score = a.published(self.column)?;
        let class = self.classes.classify(a.mean(self.basis)?)?;
        Some(Shown {
            score,
            class,
            afw: if self.with_afw {
                a.published(Column::Afw)
            } else {
                None
            },
        })
    }

    /// What a place shows in a change map from `from` to `to`.
    pub fn change_of(&self, from: &AggCell, to: &AggCell) -> Option<Shown> {
        let score = change_value(from.mean(self.column)?, to.mean(self.column)?);
        Some(Shown {
            score,
            class: self.classes.classify(score)?,
            afw: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::classes::ClassificationSet;
    use lbm_tileset::Values;

    fn agg(lbm: f64, afw: f64) -> AggCell {
        let mut v = Values::EMPTY;
        v[Column::Lbm] = lbm;
        v[Column::Afw] = afw;
        let mut a = AggCell::EMPTY;
        a.add(&v);
        a
    }

    #[test]
    fn scores_and_changes_are_published_before_they_are_classified() {
        let set = ClassificationSet::embedded();
        let score = Rule::score(Measure::Lbm, set.get("lbm").unwrap());
        let s = score.score_of(&agg(4.12345, 0.0496)).unwrap();
        assert_eq!((s.score, s.afw), (4.123, Some(0.05)));
        assert_eq!(s.class, 6, "afw 0.050 is on the cut to class 6");
        let change = Rule::change(Measure::Lbm, set.change("lbm").unwrap());
        let c = change
            .change_of(&agg(4.0004, 0.0), &agg(4.0206, 0.0))
            .unwrap();
        assert_eq!(c.score, 0.021);
        assert_eq!(c.class, 6, "a rise of 0.021 is an improvement class");
        let fall = change
            .change_of(&agg(4.0206, 0.0), &agg(4.0004, 0.0))
            .unwrap();
        assert!(fall.score < 0.0 && fall.class < 5);
        assert!(score.score_of(&AggCell::EMPTY).is_none());
    }
}
