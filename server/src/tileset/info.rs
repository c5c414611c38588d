//! A tileset's metadata as the server holds it: the contract's [`TilesetMeta`] (read with
//! `lbm-tileset`, the one reader of the rows), its id and its content version.

use std::collections::HashMap;
use std::ops::Deref;

use lbm_tileset::TilesetMeta;

use crate::error::TilesetError;

/// Everything the server knows about a tileset.
#[derive(Debug, Clone)]
pub struct TilesetInfo {
    /// Tileset id: the file stem, used in URLs.
    pub id: String,
    /// The metadata rows, typed.
    pub meta: TilesetMeta,
    /// Content version of the file (see `Tileset::open`); empty until the file is opened.
    pub content_version: String,
}

impl Deref for TilesetInfo {
    type Target = TilesetMeta;
    fn deref(&self) -> &TilesetMeta {
        &self.meta
    }
}

impl TilesetInfo {
    /// Reads the metadata rows; `zoom_range` (from the tiles) fills in missing zooms. Rejects
    /// anything that is not a `pbf` tileset.
    pub fn from_metadata(
        id: &str,
        rows: &HashMap<String, String>,
        zoom_range: Option<(u8, u8)>,
    ) -> Result<Self, TilesetError> {
        let meta = TilesetMeta::from_rows(id, rows, zoom_range)
            .map_err(|e| TilesetError::Invalid(e.to_string()))?;
        Ok(Self {
            id: id.to_string(),
            meta,
            content_version: String::new(),
        })
    }
}
