// Reads a PMTiles archive with the npm `pmtiles` package (the reader the web map uses) through a
// file-backed Source, and prints what it found as JSON on stdout.
//
// Usage: node pmtiles_read.mjs PMTILES_MODULE ARCHIVE [Z/X/Y ...]
//   PMTILES_MODULE: path of static/node_modules/pmtiles/dist/esm/index.js (pinned by
//   static/package-lock.json); imported by path, so this script needs no node_modules of its own.
// Output: {"header": {...}, "metadata": {...}, "tiles": {"z/x/y": null | "<hex of the tile as
//   returned, i.e. decompressed MVT>"}}
// Used by tests/tests/pmtiles_readers.rs.

import { open } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [modulePath, archivePath, ...wanted] = process.argv.slice(2);
const { PMTiles } = await import(pathToFileURL(modulePath).href);

/** A Source reading byte ranges from a local file, as a range request would from a server. */
class NodeFileSource {
  constructor(handle, key) {
    this.handle = handle;
    this.key = key;
  }
  getKey() {
    return this.key;
  }
  async getBytes(offset, length) {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, offset);
    if (bytesRead !== length) {
      throw new Error(`short read at ${offset}: ${bytesRead} of ${length} bytes`);
    }
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + length) };
  }
}

const handle = await open(archivePath, "r");
try {
  const archive = new PMTiles(new NodeFileSource(handle, archivePath));
  const header = await archive.getHeader();
  const metadata = await archive.getMetadata();
  const tiles = {};
  for (const zxy of wanted) {
    const [z, x, y] = zxy.split("/").map(Number);
    const tile = await archive.getZxy(z, x, y);
    tiles[zxy] = tile ? Buffer.from(tile.data).toString("hex") : null;
  }
  process.stdout.write(JSON.stringify({ header, metadata, tiles }));
} finally {
  await handle.close();
}
