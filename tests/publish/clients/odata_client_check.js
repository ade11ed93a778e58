// Pages through an OData V4 collection to the end with the npm OData client @odata/client,
// following @odata.nextLink ($skiptoken), and checks that every record arrives exactly once
// and that the count matches @odata.count.
//
// usage: node odata_client_check.js SERVICE_ROOT ENTITY_SET
//   e.g. node odata_client_check.js http://127.0.0.1:8080/odata/v4/ Contacts
"use strict";
const { OData } = require("@odata/client");

async function main() {
  const [root, set] = process.argv.slice(2);
  if (!root || !set) throw new Error("usage: node odata_client_check.js SERVICE_ROOT ENTITY_SET");
  const client = OData.New4({ metadataUri: root.replace(/\/?$/, "/") + "$metadata" });
  const ids = new Set();
  let pages = 0;
  let expected = -1;
  let params = client.newOptions().count(true);
  for (;;) {
    const res = await client.newRequest({ collection: set, params });
    if (res.error) throw new Error(`page ${pages + 1}: ${JSON.stringify(res.error)}`);
    if (expected < 0) expected = res["@odata.count"];
    for (const e of res.value) {
      if (ids.has(e.id)) throw new Error(`${e.id} came twice`);
      ids.add(e.id);
    }
    pages += 1;
    const next = res["@odata.nextLink"];
    if (!next) break;
    const token = new URL(next).searchParams.get("$skiptoken");
    if (!token) throw new Error(`next link without a $skiptoken: ${next}`);
    params = client.newOptions().count(true).custom("$skiptoken", token);
    if (pages > 10000) throw new Error("the collection does not end");
  }
  if (ids.size !== expected) throw new Error(`read ${ids.size} records, @odata.count said ${expected}`);
  // One entity by key through the client's own API.
  const first = [...ids][0];
  const one = await client.getEntitySet(set).retrieve(first);
  if (one.id !== first) throw new Error(`retrieve(${first}) returned ${JSON.stringify(one)}`);
  console.log(`@odata/client: ${ids.size} ${set} in ${pages} pages`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
