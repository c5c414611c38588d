//! The values and classes of a place (a cell or an area) as JSON, in the one shape the point,
//! area, report and OGC APIs share: the published values per year, the class the tiles carry
//! for each (classified once, with the catalog's classification), and the changes of the
//! catalog's change pairs.

use lbm_tileset::{change_value, Classification};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use crate::catalog::Snapshot;
use crate::index::{AreaAt, CellYear, VALUE_COLUMNS};

/// What the catalog says about each value column, looked up once per request (a national
/// catalog has ~90 tilesets, and the answer classifies up to 7 values × years × 4 places).
pub(crate) struct Meaning<'a> {
    /// Per value column, in the index's order.
    columns: Vec<ColumnMeaning<'a>>,
    /// The `(from, to)` year pairs of the change tilesets, sorted.
    pairs: Vec<(i32, i32)>,
}

/// The classifications of one value column.
struct ColumnMeaning<'a> {
    /// The column (`lbm`, `afw`, `fys`, ...).
    name: &'static str,
    /// How its score tilesets classify it.
    score: Option<&'a Classification>,
    /// How its change tilesets classify a change.
    change: Option<&'a Classification>,
}

impl<'a> Meaning<'a> {
    /// The classifications and change pairs of `snapshot`.
    pub(crate) fn of(snapshot: &'a Snapshot) -> Self {
        let columns = VALUE_COLUMNS
            .iter()
            .map(|&name| ColumnMeaning {
                name,
                score: snapshot.classification(name),
                change: snapshot.change_classification(name),
            })
            .collect();
        let mut pairs: Vec<(i32, i32)> = snapshot
            .change_pairs()
            .into_iter()
            .map(|(_, a, b)| (a, b))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        Self { columns, pairs }
    }

    fn column(&self, name: &str) -> Option<&ColumnMeaning<'a>> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The class the tiles carry for `name` in `row`: the contract's `classify` of the
    /// published basis value.
    pub(crate) fn class(&self, row: &CellYear, name: &str) -> Option<u8> {
        let c = self.column(name)?.score?;
        let basis = c.basis();
        c.classify(row.value(basis)?)
    }
}

/// A map of `(name, value)` pairs as a JSON object.
struct Pairs<'a, T>(&'a [(&'static str, T)]);

impl<T: Serialize> Serialize for Pairs<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One year of a cell or area as JSON: its published values flat (per docs/tileset-format.md),
/// the same under `values`, and per measure the class the tiles carry.
pub(crate) struct YearJson<'a> {
    row: &'a CellYear,
    meaning: &'a Meaning<'a>,
}

impl<'a> YearJson<'a> {
    /// The year `row` with the classes of `meaning`.
    pub(crate) fn new(row: &'a CellYear, meaning: &'a Meaning<'a>) -> Self {
        YearJson { row, meaning }
    }
}

impl Serialize for YearJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let row = self.row;
        let classes: Vec<(&'static str, u8)> = row
            .values
            .iter()
            .filter_map(|(name, _)| Some((*name, self.meaning.class(row, name)?)))
            .collect();
        let mut map = s.serialize_map(Some(row.values.len() + 3))?;
        map.serialize_entry("year", &row.year)?;
        for (name, v) in &row.values {
            map.serialize_entry(name, v)?;
        }
        map.serialize_entry("values", &Pairs(&row.values))?;
        map.serialize_entry("classes", &Pairs(&classes))?;
        map.end()
    }
}

/// The years of a cell or area as a JSON array.
pub(crate) struct YearsJson<'a> {
    /// The years, ordered.
    pub(crate) rows: &'a [CellYear],
    /// Their classifications.
    pub(crate) meaning: &'a Meaning<'a>,
}

impl Serialize for YearsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let meaning = self.meaning;
        s.collect_seq(self.rows.iter().map(|row| YearJson { row, meaning }))
    }
}

/// One change pair at a place: the change of each measure with a value in both years (the
/// difference of the published values, as the change tileset carries it) and its change class.
#[derive(Serialize)]
struct ChangeJson<'a> {
    from: i32,
    to: i32,
    values: Pairs<'a, f64>,
    classes: Pairs<'a, u8>,
}

/// The change maps of the catalog at a place, per pair.
pub(crate) struct ChangesJson<'a> {
    /// The years, ordered.
    pub(crate) rows: &'a [CellYear],
    /// Their classifications and the change pairs.
    pub(crate) meaning: &'a Meaning<'a>,
}

impl Serialize for ChangesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for &(from, to) in &self.meaning.pairs {
            let (Some(a), Some(b)) = (
                self.rows.iter().find(|y| y.year == from),
                self.rows.iter().find(|y| y.year == to),
            ) else {
                continue;
            };
            let mut values: Vec<(&'static str, f64)> = Vec::new();
            let mut classes: Vec<(&'static str, u8)> = Vec::new();
            for (name, vb) in &b.values {
                let Some(c) = self.meaning.column(name).and_then(|c| c.change) else {
                    continue;
                };
                let Some(va) = a.value(name) else {
                    continue;
                };
                let d = change_value(va, *vb);
                values.push((name, d));
                if let Some(k) = c.classify(d) {
                    classes.push((name, k));
                }
            }
            if !values.is_empty() {
                seq.serialize_element(&ChangeJson {
                    from,
                    to,
                    values: Pairs(&values),
                    classes: Pairs(&classes),
                })?;
            }
        }
        seq.end()
    }
}

/// An area with its years and changes: the entry of the point API's `areas`, and of the area
/// API.
#[derive(Serialize)]
pub(crate) struct AreaJson<'a> {
    level: &'a str,
    code: &'a str,
    /// Its feature id in the tiles' area layers.
    feature_id: u64,
    name: &'a str,
    years: YearsJson<'a>,
    changes: ChangesJson<'a>,
}

impl<'a> AreaJson<'a> {
    /// The entry of `a` with the classes of `meaning`.
    pub(crate) fn new(a: &AreaAt<'a>, meaning: &'a Meaning<'a>) -> Self {
        AreaJson {
            level: a.level,
            code: a.code,
            feature_id: lbm_tileset::names::code_id(a.code),
            name: a.name,
            years: YearsJson {
                rows: a.years,
                meaning,
            },
            changes: ChangesJson {
                rows: a.years,
                meaning,
            },
        }
    }
}
