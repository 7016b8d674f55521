// Prints what hyparquet (an independent Parquet reader) sees in a file's footer, as JSON:
//   node print-parquet-schema.mjs <path to hyparquet's src/index.js> <parquet file>
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const [hyparquetEntry, file] = process.argv.slice(2)
const { parquetMetadata } = await import(pathToFileURL(hyparquetEntry).href)
const bytes = readFileSync(file)
const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
console.log(JSON.stringify({
  num_rows: Number(metadata.num_rows),
  row_groups: metadata.row_groups.length,
  schema: metadata.schema.map(element => ({
    name: element.name,
    field_id: element.field_id ?? null,
    repetition_type: element.repetition_type ?? null,
    num_children: element.num_children ?? 0,
  })),
}))
