// Drive the official Node client (@clickhouse/client) against a cluster's connection.
// Arguments: node_modules folder, URL, user, secret, database, another cluster's database.
// Prints what the client saw as one JSON object.
const path = require('path')

async function main() {
  const [modules, url, username, password, database, other] = process.argv.slice(2)
  const { createClient } = require(path.join(modules, '@clickhouse', 'client'))
  const client = createClient({ url, username, password, database,
                                compression: { request: true, response: true } })
  const seen = {}
  seen.ping = (await client.ping()).success
  const rows = await client.query({ query: 'SELECT id, label FROM readings ORDER BY id',
                                    format: 'JSONEachRow' })
  seen.rows = await rows.json()
  await client.insert({ table: 'readings', format: 'JSONEachRow',
                        values: [{ id: 77, value: 7.5, label: 'node' }] })
  const inserted = await client.query({ query: 'SELECT count() AS n FROM readings WHERE id = 77',
                                        format: 'JSONEachRow' })
  seen.inserted = await inserted.json()
  const tables = await client.query({ query: 'SELECT database, name FROM system.tables',
                                      format: 'JSONEachRow' })
  seen.tables = await tables.json()
  try {
    const theirs = await client.query({ query: `SELECT * FROM ${other}.readings`,
                                        format: 'JSONEachRow' })
    seen.other = await theirs.json()
  } catch (error) {
    seen.other = `${error.code} ${error.type} ${String(error.message).slice(0, 400)}`
  }
  await client.close()
  console.log(JSON.stringify(seen))
}

main().catch((error) => { console.error(error); process.exit(1) })
