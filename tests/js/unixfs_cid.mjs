// Reference CIDs for the evidence tests, computed by the registry package
// ipfs-unixfs-importer (js-ipfs-unixfs) configured like Kubo's
// `ipfs add --cid-version=1`:
//   - CIDv1, sha2-256 multihash
//   - raw leaves (codec 0x55); a file of one chunk is that raw leaf itself
//   - fixed-size chunker, 262144 bytes
//   - balanced layout, at most 174 links per dag-pb node
//
// Usage: node tests/js/unixfs_cid.mjs [--chunk-size=N] [--max-children=M] FILE [FILE ...]
// (the two options exist to test tree shapes with small numbers; defaults are Kubo's)
// Prints one JSON line per file: {"path": ..., "cid": ..., "dagSize": ...}.
// Blocks are not kept: the blockstore only acknowledges writes, so memory stays small.
import { createReadStream } from 'node:fs'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'

function importerOptions (chunkSize, maxChildrenPerNode) {
  return {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    wrapWithDirectory: false,
    chunker: fixedSize({ chunkSize }),
    layout: balanced({ maxChildrenPerNode })
  }
}

const discardingBlockstore = {
  async put (cid) { return cid }
}

async function cidOf (path, options) {
  let last
  const source = [{ content: createReadStream(path, { highWaterMark: 1 << 20 }) }]
  for await (const entry of importer(source, discardingBlockstore, options)) {
    last = entry
  }
  if (last === undefined) {
    throw new Error(`importer produced no entry for ${path}`)
  }
  return { path, cid: last.cid.toString(), dagSize: Number(last.size) }
}

let chunkSize = 262144
let maxChildren = 174
const paths = []
for (const arg of process.argv.slice(2)) {
  const option = /^--(chunk-size|max-children)=([1-9][0-9]*)$/.exec(arg)
  if (option === null) {
    paths.push(arg)
  } else if (option[1] === 'chunk-size') {
    chunkSize = Number(option[2])
  } else {
    maxChildren = Number(option[2])
  }
}
if (paths.length === 0) {
  console.error('usage: node tests/js/unixfs_cid.mjs [--chunk-size=N] [--max-children=M] FILE [FILE ...]')
  process.exit(2)
}
const options = importerOptions(chunkSize, maxChildren)
for (const path of paths) {
  console.log(JSON.stringify(await cidOf(path, options)))
}
