//! What is measured: the six measures that get tilesets, the seven value columns of the scores
//! layout, and the two kinds of tileset.

use std::fmt;
use std::ops::{Index, IndexMut};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A measure with its own tilesets: the total score and the five dimensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Leefbaarheid, the total score (about 3.5..4.8).
    Lbm,
    /// Fysieke omgeving, physical environment.
    Fys,
    /// Overlast en onveiligheid, nuisance and unsafety.
    Onv,
    /// Sociale samenhang, social cohesion.
    Soc,
    /// Voorzieningen, amenities.
    Vrz,
    /// Woningvoorraad, housing stock.
    Won,
}

impl Measure {
    /// Every measure, in the one order in which the catalog, the page's Thema list and the info
    /// panel show them: that of leefbaarometer.nl (the total, then fys, won, vrz, soc, onv).
    pub const ALL: [Measure; 6] = [
        Measure::Lbm,
        Measure::Fys,
        Measure::Won,
        Measure::Vrz,
        Measure::Soc,
        Measure::Onv,
    ];

    /// The five dimensions, in [`Measure::ALL`] order.
    pub const DIMENSIONS: [Measure; 5] = [
        Measure::Fys,
        Measure::Won,
        Measure::Vrz,
        Measure::Soc,
        Measure::Onv,
    ];

    /// The id used in file names, URLs and metadata: `lbm`, `fys`, ...
    pub fn id(self) -> &'static str {
        self.column().name()
    }

    /// The value column holding this measure.
    pub fn column(self) -> Column {
        match self {
            Measure::Lbm => Column::Lbm,
            Measure::Fys => Column::Fys,
            Measure::Onv => Column::Onv,
            Measure::Soc => Column::Soc,
            Measure::Vrz => Column::Vrz,
            Measure::Won => Column::Won,
        }
    }

    /// Position in [`Measure::ALL`] (the display order); unknown ids sort after.
    pub fn rank(id: &str) -> usize {
        Measure::ALL
            .iter()
            .position(|m| m.id() == id)
            .unwrap_or(Measure::ALL.len())
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An id that names no measure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown measure {0:?}; expected one of lbm, fys, won, vrz, soc, onv")]
pub struct UnknownMeasure(pub String);

impl FromStr for Measure {
    type Err = UnknownMeasure;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Measure::ALL
            .into_iter()
            .find(|m| m.id() == s)
            .ok_or_else(|| UnknownMeasure(s.to_string()))
    }
}

/// A value column of the scores layout: the six measures plus `afw`, the total score's
/// deviation from the national reference level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    /// The total score.
    Lbm,
    /// The total score minus the national reference level.
    Afw,
    /// Physical environment.
    Fys,
    /// Nuisance and unsafety.
    Onv,
    /// Social cohesion.
    Soc,
    /// Amenities.
    Vrz,
    /// Housing stock.
    Won,
}

impl Column {
    /// Every column, in the order of the open-data file layout and of [`Values`].
    pub const ALL: [Column; 7] = [
        Column::Lbm,
        Column::Afw,
        Column::Fys,
        Column::Onv,
        Column::Soc,
        Column::Vrz,
        Column::Won,
    ];

    /// Column name: `lbm`, `afw`, `fys`, `onv`, `soc`, `vrz`, `won`.
    pub fn name(self) -> &'static str {
        match self {
            Column::Lbm => "lbm",
            Column::Afw => "afw",
            Column::Fys => "fys",
            Column::Onv => "onv",
            Column::Soc => "soc",
            Column::Vrz => "vrz",
            Column::Won => "won",
        }
    }

    /// Position in [`Column::ALL`] and in [`Values`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The column called `name`.
    pub fn parse(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One value per [`Column`]; NaN means no data.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Values(pub [f64; 7]);

impl Values {
    /// Every column without data.
    pub const EMPTY: Values = Values([f64::NAN; 7]);

    /// `(column, value)` for the columns with data.
    pub fn present(&self) -> impl Iterator<Item = (Column, f64)> + '_ {
        Column::ALL
            .into_iter()
            .map(|c| (c, self[c]))
            .filter(|(_, v)| v.is_finite())
    }

    /// Whether any column has data.
    pub fn any(&self) -> bool {
        self.0.iter().any(|v| v.is_finite())
    }
}

impl Default for Values {
    fn default() -> Self {
        Values::EMPTY
    }
}

impl Index<Column> for Values {
    type Output = f64;
    fn index(&self, c: Column) -> &f64 {
        &self.0[c.index()]
    }
}

impl IndexMut<Column> for Values {
    fn index_mut(&mut self, c: Column) -> &mut f64 {
        &mut self.0[c.index()]
    }
}

/// What a tileset shows: the scores of one year, or the change between two years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Scores of one measurement year.
    Score,
    /// Ontwikkeling: the change of the published score from one year to another.
    Change,
    /// The built-in basemap (see [`crate::basemap`]): no scores.
    Basemap,
    /// Structureel onder druk: the places rated at or below a class in every measured year of a
    /// period ([`crate::metadata::Pressure`]); an overlay over the score maps.
    Pressure,
}

impl Kind {
    /// `score`, `change`, `basemap` or `pressure`, as in the `lbm_kind` row.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Score => "score",
            Kind::Change => "change",
            Kind::Basemap => "basemap",
            Kind::Pressure => "pressure",
        }
    }

    /// The kind named `s`.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "score" => Some(Kind::Score),
            "change" => Some(Kind::Change),
            "basemap" => Some(Kind::Basemap),
            "pressure" => Some(Kind::Pressure),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_order_is_that_of_the_site() {
        let ids: Vec<&str> = Measure::ALL.iter().map(|m| m.id()).collect();
        assert_eq!(ids, ["lbm", "fys", "won", "vrz", "soc", "onv"]);
        for m in Measure::ALL {
            assert_eq!(m.id().parse::<Measure>(), Ok(m));
            assert_eq!(Column::parse(m.id()), Some(m.column()));
        }
        assert!("afw".parse::<Measure>().is_err());
        assert_eq!(Measure::rank("won"), 2);
        assert_eq!(Measure::rank("xyz"), 6);
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["lbm", "afw", "fys", "onv", "soc", "vrz", "won"]);
        assert!(Column::ALL.iter().enumerate().all(|(i, c)| c.index() == i));
    }

    #[test]
    fn values_index_by_column() {
        let mut v = Values::EMPTY;
        assert!(!v.any());
        v[Column::Soc] = 0.1;
        assert_eq!(v.0[4], 0.1);
        assert_eq!(v.present().collect::<Vec<_>>(), vec![(Column::Soc, 0.1)]);
    }
}
