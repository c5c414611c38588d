//! Finding areas by the names people type: official names and codes, names without their
//! qualifier (`Bergen` for `Bergen (NH.)`), everyday names and former municipalities (the
//! index's `aliases`), and names with a typo or two. Exact matches rank before prefixes,
//! prefixes before substrings, substrings before typos; then gemeente before wijk before buurt.

use std::collections::HashMap;

use lbm_formats::index::read::{self, Tables};

use crate::error::TilesetError;

/// One area found by name or code.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaHit {
    /// Area code, e.g. `GM0344`.
    pub code: String,
    /// `gemeente`, `wijk`, `buurt` or `pc4`.
    pub level: String,
    /// Display name.
    pub name: String,
    /// `[w, s, e, n]` in WGS84; NaN for an area not on the map (see [`AreaHit::on_map`]).
    pub bbox: [f64; 4],
    /// Name of the gemeente of a wijk or buurt, when known.
    pub parent_name: Option<String>,
    /// Code of that gemeente.
    pub parent: Option<String>,
    /// A point inside the area (WGS84), from the index; the middle of `bbox` for an index
    /// written before areas had one.
    pub center: [f64; 2],
    /// The other name the query matched (`Den Haag` for 's-Gravenhage), if it matched one.
    pub alias: Option<String>,
}

impl AreaHit {
    /// Whether the area is on the map: it has bounds (an area whose boundary file had no
    /// usable polygon for it has none, and no centre).
    pub fn on_map(&self) -> bool {
        self.bbox.iter().all(|v| v.is_finite())
    }

    /// Its centre, `[lon, lat]` rounded to 6 decimals, when it is on the map.
    pub fn center6(&self) -> Option<[f64; 2]> {
        self.on_map().then(|| self.center.map(round6))
    }

    /// Its bounds `[w, s, e, n]` rounded to 6 decimals, when it is on the map.
    pub fn bbox6(&self) -> Option<[f64; 4]> {
        self.on_map().then(|| self.bbox.map(round6))
    }
}

/// Degrees to six decimals (about 0.1 m): what the search and area APIs answer.
pub(crate) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The key a name is matched on: [`lbm_tileset::names::normalise_name`] (the fold the tiler
/// writes into `areas.name_norm`) without its spaces, so `sudwest fryslan`, `sudwest-fryslan`
/// and `sudwestfryslan` all find `Súdwest-Fryslân`, and `s hertogenbosch` finds
/// `'s-Hertogenbosch`.
pub(crate) fn search_key(s: &str) -> String {
    lbm_tileset::names::normalise_name(s).replace(' ', "")
}

/// The key of a name without a trailing qualifier in brackets: `Bergen (NH.)` → `bergen`.
fn base_key(name: &str) -> Option<String> {
    let open = name.rfind('(')?;
    name.trim_end()
        .ends_with(')')
        .then(|| search_key(&name[..open]))
}

/// How many typos a query of `len` letters may have: none below 4, one up to 7, then two.
fn allowed_typos(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Rank of a level in results: gemeente, wijk, buurt, others.
pub(crate) fn level_rank(level: &str) -> u8 {
    match level {
        "gemeente" => 0,
        "wijk" => 1,
        "buurt" => 2,
        _ => 3,
    }
}

/// One name of an area as the search holds it in memory (an area has one for its name and
/// one per alias).
#[derive(Debug, Clone)]
pub(crate) struct SearchEntry {
    hit: AreaHit,
    /// [`search_key`] of the name (or alias).
    key: String,
    /// The key without a qualifier in brackets, when the name has one.
    base: Option<String>,
    /// The code in upper case (empty for aliases: the area's own entry has it).
    code: String,
    level_rank: u8,
}

impl SearchEntry {
    /// The area this entry finds.
    pub(crate) fn hit(&self) -> &AreaHit {
        &self.hit
    }
}

/// Reads every area and alias of an index for the search.
pub(crate) fn load(
    conn: &rusqlite::Connection,
    tables: &Tables,
) -> Result<Vec<SearchEntry>, TilesetError> {
    let areas = area_hits(conn, tables)?;
    let mut out: Vec<SearchEntry> = areas
        .iter()
        .map(|hit| SearchEntry::of(hit.clone()))
        .collect();
    let by_code: HashMap<&str, &AreaHit> = areas.iter().map(|h| (h.code.as_str(), h)).collect();
    let aliases = if tables.aliases {
        read::aliases(conn)?
    } else {
        Vec::new()
    };
    for (alias, code) in aliases {
        let Some(hit) = by_code.get(code.as_str()) else {
            continue;
        };
        out.push(SearchEntry {
            key: search_key(&alias),
            base: None,
            code: String::new(),
            level_rank: level_rank(&hit.level),
            hit: AreaHit {
                alias: Some(alias),
                ..(*hit).clone()
            },
        });
    }
    Ok(out)
}

impl SearchEntry {
    /// The entry of an area's own name and code.
    fn of(hit: AreaHit) -> Self {
        SearchEntry {
            key: search_key(&hit.name),
            base: base_key(&hit.name),
            code: hit.code.to_uppercase(),
            level_rank: level_rank(&hit.level),
            hit,
        }
    }
}

/// Every area of the index, as search answers it (one not on the map with a NaN bbox and
/// centre). Columns that indexes of
/// older tilers lack are read as NULL (a gemeente's name then comes from its own row, the
/// centre from the bbox).
fn area_hits(conn: &rusqlite::Connection, tables: &Tables) -> Result<Vec<AreaHit>, TilesetError> {
    let mut hits: Vec<AreaHit> = read::area_entries(conn, tables)?
        .into_iter()
        .map(|a| AreaHit {
            center: a
                .center
                .unwrap_or([(a.bbox[0] + a.bbox[2]) / 2.0, (a.bbox[1] + a.bbox[3]) / 2.0]),
            code: a.code,
            level: a.level,
            name: a.name,
            bbox: a.bbox,
            parent_name: a.parent_name,
            parent: a.parent,
            alias: None,
        })
        .collect();
    // The parent's name as the index names it, else the row's own `parent_name`.
    let names: HashMap<String, String> = hits
        .iter()
        .map(|h| (h.code.clone(), h.name.clone()))
        .collect();
    for h in &mut hits {
        if let Some(name) = h.parent.as_ref().and_then(|p| names.get(p)) {
            h.parent_name = Some(name.clone());
        }
    }
    Ok(hits)
}

/// A postcode as people write it (`3511 AB`, `3511ab`) as its PC4 code (`3511`).
fn pc4_of(query: &str) -> Option<String> {
    let compact: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    let (digits, letters) = compact.split_at(compact.len().min(4));
    let ok = digits.len() == 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (letters.is_empty()
            || (letters.len() == 2 && letters.bytes().all(|b| b.is_ascii_alphabetic())));
    ok.then(|| digits.to_string())
}

/// How well `e` matches: `(rank, typos)` with rank 0 exact, 1 prefix, 2 substring, 3 typos.
fn rank(e: &SearchEntry, key: &str, code: &str, typos: usize) -> Option<(u8, usize)> {
    let keys = std::iter::once(e.key.as_str()).chain(e.base.as_deref());
    let code_hit = !e.code.is_empty() && !code.is_empty();
    if (code_hit && e.code == code) || keys.clone().any(|k| k == key) {
        return Some((0, 0));
    }
    if (code_hit && e.code.starts_with(code)) || keys.clone().any(|k| k.starts_with(key)) {
        return Some((1, 0));
    }
    if keys.clone().any(|k| k.contains(key)) {
        return Some((2, 0));
    }
    if typos == 0 {
        return None;
    }
    keys.filter(|k| k.len().abs_diff(key.len()) <= typos)
        .map(|k| strsim::damerau_levenshtein(k, key))
        .filter(|d| *d <= typos)
        .min()
        .map(|d| (3, d))
}

/// The areas matching `query`, best first (see the module docs), one result per area, at most
/// `limit`.
pub(crate) fn search(entries: &[SearchEntry], query: &str, limit: usize) -> Vec<AreaHit> {
    let key = search_key(query);
    let code = pc4_of(query).unwrap_or_else(|| query.trim().to_uppercase());
    // A query without letters or digits (`%`, `-`) names nothing; matching it against every
    // name would list all areas.
    if key.is_empty() {
        return Vec::new();
    }
    let typos = allowed_typos(key.chars().count());
    let mut best: HashMap<&str, ((u8, usize), &SearchEntry)> = HashMap::new();
    for e in entries {
        let Some(r) = rank(e, &key, &code, typos) else {
            continue;
        };
        let slot = best.entry(e.hit.code.as_str()).or_insert((r, e));
        // The area's own name wins over an alias that matches as well.
        if r < slot.0 || (r == slot.0 && e.hit.alias.is_none() && slot.1.hit.alias.is_some()) {
            *slot = (r, e);
        }
    }
    let mut hits: Vec<((u8, usize), &SearchEntry)> = best.into_values().collect();
    hits.sort_unstable_by(|a, b| {
        (a.0, a.1.level_rank, &a.1.hit.name, &a.1.hit.code).cmp(&(
            b.0,
            b.1.level_rank,
            &b.1.hit.name,
            &b.1.hit.code,
        ))
    });
    hits.truncate(limit);
    hits.into_iter().map(|(_, e)| e.hit.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, level: &str, name: &str, alias: Option<&str>) -> SearchEntry {
        SearchEntry {
            key: search_key(alias.unwrap_or(name)),
            base: if alias.is_some() {
                None
            } else {
                base_key(name)
            },
            code: if alias.is_some() {
                String::new()
            } else {
                code.into()
            },
            level_rank: level_rank(level),
            hit: AreaHit {
                code: code.into(),
                level: level.into(),
                name: name.into(),
                bbox: [0.0; 4],
                parent_name: None,
                parent: None,
                center: [0.0; 2],
                alias: alias.map(String::from),
            },
        }
    }

    fn names(hits: &[AreaHit]) -> Vec<&str> {
        hits.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn search_keys_ignore_case_accents_spaces_and_punctuation() {
        for q in [
            "Súdwest-Fryslân",
            "sudwest fryslan",
            " SUDWEST-fryslan ",
            "sudwestfryslan",
        ] {
            assert_eq!(search_key(q), "sudwestfryslan", "{q}");
        }
        assert_eq!(
            search_key("'s-Hertogenbosch"),
            search_key("s hertogenbosch")
        );
        // Names stored with an older fold (hyphens and apostrophes kept) give the same key.
        assert_eq!(search_key("'s-hertogenbosch"), "shertogenbosch");
        assert_eq!(search_key("%_"), "");
    }

    #[test]
    fn names_people_type() {
        let entries = vec![
            entry("GM0518", "gemeente", "'s-Gravenhage", None),
            entry("GM0518", "gemeente", "'s-Gravenhage", Some("Den Haag")),
            entry("GM0796", "gemeente", "'s-Hertogenbosch", None),
            entry("GM0796", "gemeente", "'s-Hertogenbosch", Some("Den Bosch")),
            entry("GM0344", "gemeente", "Utrecht", None),
            entry("GM1581", "gemeente", "Utrechtse Heuvelrug", None),
            entry("GM0373", "gemeente", "Bergen (NH.)", None),
            entry("GM0893", "gemeente", "Bergen (L.)", None),
            entry("GM1945", "gemeente", "Berg en Dal", None),
            entry("GM1979", "gemeente", "Eemsdelta", Some("Appingedam")),
            entry("WK034401", "wijk", "Utrecht Centrum", None),
            entry("3511", "pc4", "3511", None),
        ];
        let s = |q: &str| search(&entries, q, 10);
        assert_eq!(names(&s("Den Haag")), ["'s-Gravenhage"]);
        assert_eq!(s("den haag")[0].alias.as_deref(), Some("Den Haag"));
        assert_eq!(names(&s("Den Bosch")), ["'s-Hertogenbosch"]);
        assert_eq!(
            names(&s("Appingedam")),
            ["Eemsdelta"],
            "a former municipality"
        );
        // One or two typos; the exact name first, prefixes next, typos last.
        assert_eq!(names(&s("Utrcht"))[0], "Utrecht");
        assert_eq!(names(&s("Utreht")), ["Utrecht"]);
        assert_eq!(
            names(&s("Utrecht")),
            ["Utrecht", "Utrechtse Heuvelrug", "Utrecht Centrum"]
        );
        let b = s("Bergen");
        assert_eq!(
            names(&b)[..2],
            ["Bergen (L.)", "Bergen (NH.)"],
            "exact before prefix"
        );
        assert_eq!(names(&b)[2], "Berg en Dal");
        // Postcodes: a PC4 code finds its area, also as a full postcode.
        assert_eq!(names(&s("3511")), ["3511"]);
        assert_eq!(names(&s("3511 AB")), ["3511"]);
        assert!(s("%").is_empty());
        assert!(s("zzzz").is_empty());
    }
}
