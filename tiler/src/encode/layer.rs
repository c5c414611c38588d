//! One MVT 2.1 layer (`vector_tile.proto`) written straight into its protobuf bytes, with the
//! wire format of prost's encoding helpers.
//!
//! Why not the `mvt` crate's `Tile`: it hashes every tag's key and value with SipHash, allocates
//! per feature and re-encodes a geometry for every tileset. In a national build that was a quarter
//! of the CPU (SipHash 9 %, `add_tag` 5 %, prost re-encoding 6 %, the geometry encoder 3 %).
//! Here a feature's geometry arrives encoded ([`super::geometry`]) and is copied, and values are
//! deduplicated with FxHash; the writer's buffers are reused from tile to tile.

use prost::encoding::{encode_key, encode_varint, encoded_len_varint, WireType};
use rustc_hash::FxHashMap;

/// Geometry type POLYGON (spec 4.3.4).
pub const POLYGON: u64 = 3;
/// Geometry type POINT.
pub const POINT: u64 = 1;

/// Field numbers of `Tile.Layer`, `Tile.Feature` and `Tile.Value`.
mod field {
    pub const TILE_LAYER: u32 = 3;
    pub const LAYER_NAME: u32 = 1;
    pub const LAYER_FEATURE: u32 = 2;
    pub const LAYER_KEY: u32 = 3;
    pub const LAYER_VALUE: u32 = 4;
    pub const LAYER_EXTENT: u32 = 5;
    pub const LAYER_VERSION: u32 = 15;
    pub const FEATURE_ID: u32 = 1;
    pub const FEATURE_TAGS: u32 = 2;
    pub const FEATURE_TYPE: u32 = 3;
    pub const FEATURE_GEOMETRY: u32 = 4;
    pub const VALUE_STRING: u32 = 1;
    pub const VALUE_DOUBLE: u32 = 3;
    pub const VALUE_UINT: u32 = 5;
}

/// Unsigned values below this are looked up in an array.
const SMALL_UINTS: usize = 32;

/// Bytes of a length-delimited field of `len` bytes with a one-byte key (fields 1..15).
fn delimited_len(len: usize) -> usize {
    1 + encoded_len_varint(len as u64) + len
}

/// One layer being written: its features' bytes, its keys and its deduplicated values.
#[derive(Default)]
pub struct LayerWriter {
    name: &'static str,
    extent: u32,
    features: Vec<u8>,
    count: usize,
    keys: Vec<&'static str>,
    values: Vec<u8>,
    value_count: u32,
    doubles: FxHashMap<u64, u32>,
    /// The index of each small unsigned value (classes, `n` of 100 m cells), `u32::MAX` before
    /// its first use: an array beats hashing for the values nearly every feature has.
    small_uints: [u32; SMALL_UINTS],
    uints: FxHashMap<u64, u32>,
    strings: FxHashMap<Box<str>, u32>,
    tags: Vec<u32>,
}

impl LayerWriter {
    /// Empties the writer for a new layer `name` of `extent` units, keeping its buffers.
    pub fn reset(&mut self, name: &'static str, extent: u32) {
        self.name = name;
        self.extent = extent;
        self.features.clear();
        self.count = 0;
        self.keys.clear();
        self.values.clear();
        self.value_count = 0;
        self.doubles.clear();
        self.small_uints = [u32::MAX; SMALL_UINTS];
        self.uints.clear();
        self.strings.clear();
        self.tags.clear();
    }

    /// Number of features written.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no feature was written.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Index of `key`, added on first use (a layer has a handful of keys).
    fn key(&mut self, key: &'static str) -> u32 {
        match self.keys.iter().position(|k| *k == key) {
            Some(i) => i as u32,
            None => {
                self.keys.push(key);
                self.keys.len() as u32 - 1
            }
        }
    }

    /// Appends a `Value` message whose content is written by `body` (`len` bytes).
    fn push_value(&mut self, len: usize, body: impl FnOnce(&mut Vec<u8>)) -> u32 {
        encode_key(
            field::LAYER_VALUE,
            WireType::LengthDelimited,
            &mut self.values,
        );
        encode_varint(len as u64, &mut self.values);
        body(&mut self.values);
        self.value_count += 1;
        self.value_count - 1
    }

    fn string_value(&mut self, s: &str) -> u32 {
        string_value_field(s, &mut self.values);
        self.value_count += 1;
        self.value_count - 1
    }

    /// Tags the next feature with `key` = `value` (a double).
    pub fn tag_double(&mut self, key: &'static str, value: f64) {
        let k = self.key(key);
        let v = match self.doubles.get(&value.to_bits()) {
            Some(&v) => v,
            None => {
                let v = self.push_value(9, |out| {
                    encode_key(field::VALUE_DOUBLE, WireType::SixtyFourBit, out);
                    out.extend_from_slice(&value.to_le_bytes());
                });
                self.doubles.insert(value.to_bits(), v);
                v
            }
        };
        self.tags.extend([k, v]);
    }

    /// Tags the next feature with `key` = `value` (an unsigned integer).
    pub fn tag_uint(&mut self, key: &'static str, value: u64) {
        let k = self.key(key);
        let known = match usize::try_from(value) {
            Ok(i) if i < SMALL_UINTS => Some(self.small_uints[i]).filter(|&v| v != u32::MAX),
            _ => self.uints.get(&value).copied(),
        };
        let v = match known {
            Some(v) => v,
            None => {
                let v = self.push_value(1 + encoded_len_varint(value), |out| {
                    encode_key(field::VALUE_UINT, WireType::Varint, out);
                    encode_varint(value, out);
                });
                match usize::try_from(value) {
                    Ok(i) if i < SMALL_UINTS => self.small_uints[i] = v,
                    _ => {
                        self.uints.insert(value, v);
                    }
                }
                v
            }
        };
        self.tags.extend([k, v]);
    }

    /// Starts the value table with `count` values encoded by the caller (`Tile.Layer.values`
    /// fields, see [`string_value_field`]), indices 0..`count`; call right after [`Self::reset`].
    pub fn preset_values(&mut self, count: u32, encoded: &[u8]) {
        debug_assert_eq!(self.value_count, 0, "preset before any other value");
        self.values.extend_from_slice(encoded);
        self.value_count = count;
    }

    /// Tags the next feature with `key` = the value at `index` of [`Self::preset_values`].
    pub fn tag_preset(&mut self, key: &'static str, index: u32) {
        let k = self.key(key);
        self.tags.extend([k, index]);
    }

    /// Tags the next feature with `key` = `value` (a string, shared by the features that have it).
    pub fn tag_string(&mut self, key: &'static str, value: &str) {
        let k = self.key(key);
        let v = match self.strings.get(value) {
            Some(&v) => v,
            None => {
                let v = self.string_value(value);
                self.strings.insert(value.into(), v);
                v
            }
        };
        self.tags.extend([k, v]);
    }

    /// Writes a feature with the tags given since the last one, of `geom_type` with `geometry`
    /// (packed command integers, see [`super::geometry`]).
    pub fn add_feature(&mut self, id: u64, geom_type: u64, geometry: &[u8]) {
        let tail = 1 + encoded_len_varint(geom_type) + delimited_len(geometry.len());
        let tags = self.tags_len();
        self.start_feature(1 + encoded_len_varint(id) + tags_field_len(tags) + tail);
        feature_head(id, &mut self.features);
        self.write_tags(tags);
        feature_tail(geom_type, geometry, &mut self.features);
    }

    /// Writes a feature with the tags given since the last one, between its `head` (the id
    /// field, [`feature_head`]) and its `tail` (type and geometry fields, [`feature_tail`]),
    /// both encoded once by the caller for every tileset that draws the feature.
    pub fn add_encoded_feature(&mut self, head: &[u8], tail: &[u8]) {
        let tags = self.tags_len();
        self.start_feature(head.len() + tags_field_len(tags) + tail.len());
        self.features.extend_from_slice(head);
        self.write_tags(tags);
        self.features.extend_from_slice(tail);
    }

    /// Bytes of the packed tags of the next feature.
    fn tags_len(&self) -> usize {
        self.tags
            .iter()
            .map(|&t| encoded_len_varint(u64::from(t)))
            .sum()
    }

    /// Starts a feature message of `len` bytes.
    fn start_feature(&mut self, len: usize) {
        let out = &mut self.features;
        out.reserve(len + 4);
        encode_key(field::LAYER_FEATURE, WireType::LengthDelimited, out);
        encode_varint(len as u64, out);
        self.count += 1;
    }

    /// Writes the tags field of the feature (`len` bytes of packed tags, [`Self::tags_len`])
    /// and clears them for the next one.
    fn write_tags(&mut self, len: usize) {
        if self.tags.is_empty() {
            return;
        }
        let out = &mut self.features;
        encode_key(field::FEATURE_TAGS, WireType::LengthDelimited, out);
        encode_varint(len as u64, out);
        for &t in &self.tags {
            // Most indices are one byte.
            if t < 0x80 {
                out.push(t as u8);
            } else {
                encode_varint(u64::from(t), out);
            }
        }
        self.tags.clear();
    }

    /// Appends the layer as a `Tile.layers` field to the tile's bytes.
    pub fn write_to(&self, tile: &mut Vec<u8>) {
        let keys_len: usize = self.keys.iter().map(|k| delimited_len(k.len())).sum();
        let extent = u64::from(self.extent);
        let len = delimited_len(self.name.len())
            + self.features.len()
            + keys_len
            + self.values.len()
            + 1
            + encoded_len_varint(extent)
            + 2;
        encode_key(field::TILE_LAYER, WireType::LengthDelimited, tile);
        encode_varint(len as u64, tile);
        encode_key(field::LAYER_NAME, WireType::LengthDelimited, tile);
        encode_varint(self.name.len() as u64, tile);
        tile.extend_from_slice(self.name.as_bytes());
        tile.extend_from_slice(&self.features);
        for k in &self.keys {
            encode_key(field::LAYER_KEY, WireType::LengthDelimited, tile);
            encode_varint(k.len() as u64, tile);
            tile.extend_from_slice(k.as_bytes());
        }
        tile.extend_from_slice(&self.values);
        encode_key(field::LAYER_EXTENT, WireType::Varint, tile);
        encode_varint(extent, tile);
        encode_key(field::LAYER_VERSION, WireType::Varint, tile);
        encode_varint(2, tile);
    }
}

/// Bytes of a feature's tags field holding `len` bytes of packed tags (none without tags).
fn tags_field_len(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        delimited_len(len)
    }
}

/// Appends the id field of a feature.
pub fn feature_head(id: u64, out: &mut Vec<u8>) {
    encode_key(field::FEATURE_ID, WireType::Varint, out);
    encode_varint(id, out);
}

/// Appends the type and geometry fields of a feature.
pub fn feature_tail(geom_type: u64, geometry: &[u8], out: &mut Vec<u8>) {
    encode_key(field::FEATURE_TYPE, WireType::Varint, out);
    encode_varint(geom_type, out);
    encode_key(field::FEATURE_GEOMETRY, WireType::LengthDelimited, out);
    encode_varint(geometry.len() as u64, out);
    out.extend_from_slice(geometry);
}

/// Appends a string as a `Tile.Layer.values` field, for [`LayerWriter::preset_values`].
pub fn string_value_field(s: &str, out: &mut Vec<u8>) {
    encode_key(field::LAYER_VALUE, WireType::LengthDelimited, out);
    encode_varint(delimited_len(s.len()) as u64, out);
    encode_key(field::VALUE_STRING, WireType::LengthDelimited, out);
    encode_varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use geozero::mvt::{tile::GeomType, Message, Tile};

    #[test]
    fn decodes_as_a_vector_tile() {
        let mut layer = LayerWriter::default();
        layer.reset("grid", 4096);
        let mut labels = Vec::new();
        string_value_field("E1N2", &mut labels);
        string_value_field("E1N3", &mut labels);
        layer.preset_values(2, &labels);
        let mut geom = Vec::new();
        super::super::geometry::polygon(&mut geom, [&[(0, 0), (0, 10), (10, 10), (10, 0)][..]]);
        let (mut head, mut tail) = (Vec::new(), Vec::new());
        feature_head(101, &mut head);
        feature_tail(POLYGON, &geom, &mut tail);
        for i in 0..2 {
            layer.tag_double("score", 4.25);
            layer.tag_uint("class", 7);
            layer.tag_preset("cell", i);
            layer.tag_uint("n", 7);
            if i == 0 {
                layer.add_feature(100, POLYGON, &geom);
            } else {
                layer.add_encoded_feature(&head, &tail);
            }
        }
        layer.tag_string("name", "Centrum");
        layer.add_feature(300, POLYGON, &geom);
        layer.tag_string("name", "Centrum");
        layer.tag_uint("n", 7000);
        layer.add_feature(301, POLYGON, &geom);
        let mut bytes = Vec::new();
        layer.write_to(&mut bytes);

        let tile = Tile::decode(&bytes[..]).unwrap();
        let l = &tile.layers[0];
        assert_eq!(
            (l.name.as_str(), l.extent, l.version),
            ("grid", Some(4096), 2)
        );
        assert_eq!(l.keys, ["score", "class", "cell", "n", "name"]);
        // Two labels, 4.25, 7 (class and n share it), one name, 7000.
        assert_eq!(l.values.len(), 6);
        assert_eq!(l.features.len(), 4);
        let f = &l.features[1];
        assert_eq!(f.id, Some(101));
        assert_eq!(f.r#type, Some(GeomType::Polygon as i32));
        assert_eq!(f.geometry, vec![9, 0, 0, 26, 0, 20, 20, 0, 0, 19, 15]);
        let value = |i: u32| &l.values[i as usize];
        assert_eq!(value(f.tags[1]).double_value, Some(4.25));
        assert_eq!(value(f.tags[3]).uint_value, Some(7));
        assert_eq!(value(f.tags[5]).string_value.as_deref(), Some("E1N3"));
        assert_eq!(f.tags[7], f.tags[3]);
        assert_eq!(l.features[2].tags[..2], l.features[3].tags[..2]);
        assert_eq!(value(l.features[3].tags[3]).uint_value, Some(7000));
        assert_eq!(bytes.len(), tile.encoded_len());
    }

    #[test]
    fn tag_indices_above_127_take_two_bytes() {
        let mut layer = LayerWriter::default();
        layer.reset("grid", 4096);
        let mut geom = Vec::new();
        super::super::geometry::polygon(&mut geom, [&[(0, 0), (0, 10), (10, 10), (10, 0)][..]]);
        for i in 0..300u32 {
            layer.tag_double("score", f64::from(i));
            layer.tag_uint("n", u64::from(i));
            layer.add_feature(u64::from(i), POLYGON, &geom);
        }
        let mut bytes = Vec::new();
        layer.write_to(&mut bytes);
        let l = &Tile::decode(&bytes[..]).unwrap().layers[0];
        let f = &l.features[299];
        assert_eq!(l.values[f.tags[1] as usize].double_value, Some(299.0));
        assert_eq!(l.values[f.tags[3] as usize].uint_value, Some(299));
        assert_eq!(bytes.len(), Tile::decode(&bytes[..]).unwrap().encoded_len());
    }
}
