//! The metadata of a PMTiles archive as MBTiles rows and back, so that both formats of one
//! tileset carry identical metadata (specified in `docs/tileset-format.md`, "PMTiles").

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Whether row `name` = `value` is stored in the archive as the JSON value itself rather than as
/// a string: `lbm_*` rows whose whole text is a JSON object or array.
fn embedded_json<'a>(name: &str, value: &'a str) -> Option<&'a str> {
    if !name.starts_with("lbm_") || !(value.starts_with('{') || value.starts_with('[')) {
        return None;
    }
    // The inverse mapping gives back the exact text only if the whole value is the JSON value
    // (no trailing blanks).
    let raw: &RawValue = serde_json::from_str(value).ok()?;
    (raw.get() == value).then_some(value)
}

/// The members of the `json` row, when they can go to the top level of the archive metadata
/// and come back as the identical row: a compact JSON object whose members are not strings, not
/// `lbm_*`, not named like a row and not repeated.
fn spread_json<'a>(
    value: &'a str,
    rows: &[(String, String)],
) -> Option<Vec<(String, &'a RawValue)>> {
    let members = serde_json::from_str::<Members<'a>>(value).ok()?.0;
    let mut seen = std::collections::HashSet::new();
    for (k, v) in &members {
        if v.get().starts_with('"')
            || k.starts_with("lbm_")
            || rows.iter().any(|(r, _)| r == k)
            || !seen.insert(k.as_str())
        {
            return None;
        }
    }
    (compose_object(members.iter().map(|(k, v)| (k.as_str(), v.get()))) == value).then_some(members)
}

/// `{"k":v,...}` from keys and raw JSON values, compact, in the given order.
fn compose_object<'a>(members: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(k).expect("a string serialises"));
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// The JSON metadata of a PMTiles archive for the metadata rows of a tileset.
///
/// One JSON object with a member per row, in row order:
/// - the members of the `json` row (`vector_layers`) at the top level, where TileJSON and
///   PMTiles readers look for them, in place of a `json` member;
/// - `lbm_*` rows whose value is a JSON object or array (`lbm_classification`, `lbm_pyramid`,
///   `lbm_areas`) as that JSON value, verbatim;
/// - every other row as a JSON string.
///
/// [`metadata_rows`] turns it back into the identical rows. A `json` row that could not come
/// back identically from the top level (see `docs/tileset-format.md`) is kept as a string.
pub fn metadata_json(rows: &[(String, String)]) -> String {
    let mut members: Vec<(String, String)> = Vec::with_capacity(rows.len() + 1);
    for (name, value) in rows {
        if name == "json" {
            if let Some(spread) = spread_json(value, rows) {
                members.extend(spread.into_iter().map(|(k, v)| (k, v.get().to_string())));
                continue;
            }
        }
        let v = match embedded_json(name, value) {
            Some(raw) => raw.to_string(),
            None => serde_json::to_string(value).expect("a string serialises"),
        };
        members.push((name.clone(), v));
    }
    compose_object(members.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The MBTiles metadata rows of a PMTiles archive's JSON metadata: the inverse of
/// [`metadata_json`], for a server that serves both formats with identical TileJSON.
///
/// In the order of the members: a string member is a row with that text; any other `lbm_*`
/// member is a row holding its JSON text verbatim; all other members (`vector_layers`, ...)
/// make up the `json` row, a compact object placed where the first of them was.
///
/// Fails when the text is not a JSON object.
pub fn metadata_rows(json: &str) -> serde_json::Result<Vec<(String, String)>> {
    let members = serde_json::from_str::<Members<'_>>(json)?.0;
    let mut rows: Vec<(String, String)> = Vec::with_capacity(members.len());
    let mut json_members: Vec<(&str, &str)> = Vec::new();
    let mut json_at = None;
    for (k, v) in &members {
        let raw = v.get();
        if raw.starts_with('"') {
            rows.push((k.clone(), serde_json::from_str::<String>(raw)?));
        } else if k.starts_with("lbm_") {
            rows.push((k.clone(), raw.to_string()));
        } else {
            json_at.get_or_insert(rows.len());
            json_members.push((k, raw));
        }
    }
    if let Some(at) = json_at {
        rows.insert(
            at,
            ("json".into(), compose_object(json_members.into_iter())),
        );
    }
    Ok(rows)
}

/// A JSON object as its members in file order, values as raw JSON text (serde_json's map would
/// reorder them, and re-serialising parsed numbers could change their text).
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'a RawValue>()? {
                    out.push(entry);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Rows as the pipeline writes them (a change tileset with areas).
    fn real_rows() -> Vec<(String, String)> {
        let classification = r##"{"measure":"fys","kind":"change","name_nl":"Fysieke omgeving","name_en":"Physical environment","basis":"fys","cuts":[-0.1,-0.06,-0.03,-0.01,0.01,0.03,0.06,0.1],"classes":[{"class":1,"label_nl":"sterke achteruitgang","label_en":"strong decline","color":"#b35806"}],"no_data":{"label_nl":"geen gegevens","label_en":"no data","color":"#bdbdbd"}}"##;
        let pyramid = r#"[{"zoom":5,"cell_m":6400},{"zoom":11,"cell_m":100}]"#;
        rows(&[
            ("name", "fys-2018-2020"),
            ("format", "pbf"),
            ("bounds", "4.872345,52.371020,4.905000,52.383900"),
            ("center", "4.888672,52.377460,8"),
            ("minzoom", "5"),
            ("maxzoom", "13"),
            ("type", "overlay"),
            ("version", "1"),
            (
                "description",
                "Leefbaarometer \"Fysieke\" omgeving, ontwikkeling 2018-2020",
            ),
            (
                "attribution",
                "Synthetic demo data; © CBS / Kadaster, CC BY 4.0",
            ),
            (
                "json",
                r#"{"vector_layers":[{"description":"d","fields":{"cell":"String","class":"Number","n":"Number","score":"Number"},"id":"grid","maxzoom":13,"minzoom":5},{"description":"g","fields":{"code":"String"},"id":"gemeente","maxzoom":13,"minzoom":5}]}"#,
            ),
            ("lbm_kind", "change"),
            ("lbm_measure", "fys"),
            ("lbm_year", "2020"),
            ("lbm_classification", classification),
            ("lbm_pyramid", pyramid),
            ("lbm_source_sha256", "ab12"),
            ("lbm_generator", "lbm-tiler 0.1.0"),
            (
                "lbm_areas",
                r#"[{"layer":"gemeente","maxzoom":13,"minzoom":5,"scores":"derived"}]"#,
            ),
            ("lbm_year_from", "2018"),
            ("lbm_year_to", "2020"),
            ("lbm_tiles_hash", "0123456789abcdef0123456789abcdef"),
        ])
    }

    #[test]
    fn metadata_round_trips_real_rows() {
        let rows = real_rows();
        let json = metadata_json(&rows);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        // What TileJSON and PMTiles readers look for, at the top level.
        assert_eq!(v["vector_layers"][0]["id"], "grid");
        assert!(v.get("json").is_none());
        // JSON rows embedded as JSON, the others as strings.
        assert_eq!(v["lbm_classification"]["measure"], "fys");
        assert!(v["lbm_classification"]["cuts"].is_array());
        assert_eq!(v["lbm_pyramid"][0]["zoom"], 5);
        assert_eq!(v["lbm_areas"][0]["layer"], "gemeente");
        assert_eq!(v["minzoom"], "5");
        assert_eq!(v["lbm_year"], "2020");
        assert_eq!(v["lbm_tiles_hash"], "0123456789abcdef0123456789abcdef");
        // Back to the identical rows, in the same order.
        assert_eq!(metadata_rows(&json).unwrap(), rows);
    }

    #[test]
    fn metadata_keeps_ambiguous_rows_as_strings() {
        for json_row in [
            // Not compact: would not come back identically.
            r#"{ "vector_layers": [] }"#,
            // A string member would come back as a row of its own.
            r#"{"vector_layers":[],"tilestats_note":"x"}"#,
            // A member named like a row.
            r#"{"vector_layers":[],"name":{}}"#,
            // Not an object.
            "[1,2]",
            "not json",
        ] {
            let rows = rows(&[
                ("name", "t"),
                ("json", json_row),
                ("lbm_pyramid", "[1, 2] "),
                ("lbm_x", "{bad"),
            ]);
            let json = metadata_json(&rows);
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v["json"], json_row);
            assert_eq!(v["lbm_pyramid"], "[1, 2] ");
            assert_eq!(metadata_rows(&json).unwrap(), rows, "{json_row}");
        }
        // Rows without a `json` row; JSON text outside `lbm_*` stays a string.
        let rows = rows(&[("name", "t"), ("bounds", "[1,2]")]);
        assert_eq!(metadata_rows(&metadata_json(&rows)).unwrap(), rows);
    }

    #[test]
    fn metadata_rows_of_foreign_archives() {
        // As other tools write it: numbers and objects at the top level go to `json`.
        let rows = metadata_rows(
            r#"{"name":"x","minzoom":0,"vector_layers":[{"id":"a"}],"lbm_n":3,"tilestats":{}}"#,
        )
        .unwrap();
        assert_eq!(
            rows,
            [
                ("name".to_string(), "x".to_string()),
                (
                    "json".to_string(),
                    r#"{"minzoom":0,"vector_layers":[{"id":"a"}],"tilestats":{}}"#.to_string()
                ),
                ("lbm_n".to_string(), "3".to_string()),
            ]
        );
        assert!(metadata_rows("[]").is_err());
        assert!(metadata_rows("{").is_err());
    }
}
