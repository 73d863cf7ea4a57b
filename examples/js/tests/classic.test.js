// The classic client (@microsoft/microsoft-graph-client) against the mock: CRUD, paging, $count, errors as
// the client's own GraphError, and a batch.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { Client, GraphError, PageIterator } from "@microsoft/microsoft-graph-client";

import { classicBatch, classicClient } from "../clients.js";
import { baseUrl, freshUser } from "./mock.js";

const NEW = { detail: { jobTitle: "Product Manager", company: { displayName: "Contoso", department: "Sales" } } };

describe("classic client", () => {
  const client = classicClient(baseUrl);
  let user;
  let positions;

  before(async () => {
    user = await freshUser(5);
    positions = `/users/${user.id}/profile/positions`;
  });

  test("create, get, merge PATCH, delete", async () => {
    const created = await client.api(positions).post(NEW);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.allowedAudiences, "organization"); // the server's default
    assert.match(created.createdDateTime, /Z$/); // server-managed

    const fetched = await client.api(`${positions}/${created.id}`).get();
    assert.equal(fetched.detail.jobTitle, "Product Manager");

    const patched = await client.api(`${positions}/${created.id}`).patch({ detail: { jobTitle: "Director" } });
    assert.equal(patched.detail.jobTitle, "Director");
    assert.equal(patched.detail.company.department, "Sales"); // merged, not replaced

    await client.api(`${positions}/${created.id}`).delete();
    await assert.rejects(client.api(`${positions}/${created.id}`).get(), { statusCode: 404 });
  });

  test("list two at a time, following @odata.nextLink", async () => {
    const first = await client.api(positions).top(2).get();
    assert.equal(first.value.length, 2);
    assert.ok(first["@odata.nextLink"].startsWith(`${baseUrl}/users/`));
    const titles = [];
    await new PageIterator(client, first, (position) => {
      titles.push(position.detail.jobTitle);
      return true; // go on
    }).iterate();
    assert.deepEqual(titles, ["Job 1", "Job 2", "Job 3", "Job 4", "Job 5"]);
  });

  test("count: the $count segment and $count=true", async () => {
    assert.equal(await client.api(`${positions}/$count`).get(), "5"); // text/plain
    const page = await client.api(positions).count(true).filter("isCurrent eq true").get();
    assert.equal(page["@odata.count"], 1);
  });

  test("a 404 and a 400 are GraphErrors with Graph's code", async () => {
    const missing = await client.api(`${positions}/no-such-id`).get().catch((error) => error);
    assert.ok(missing instanceof GraphError);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, "itemNotFound");

    const invalid = await client.api(positions).post({ isCurrent: true }).catch((error) => error);
    assert.ok(invalid instanceof GraphError);
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.code, "BadRequest");
    assert.equal(invalid.message, "The property 'detail' is required.");
  });

  test("a batch: create, then read what was created, then count", async () => {
    const answers = await classicBatch(client, baseUrl, [
      { id: "1", method: "POST", path: positions, body: NEW },
      { id: "2", path: `/users/${user.userPrincipalName}`, dependsOn: ["1"] },
      { id: "3", path: `${positions}/$count`, dependsOn: ["2"] },
    ]);
    const created = answers.getResponseById("1");
    assert.equal(created.status, 201);
    assert.equal((await created.json()).detail.jobTitle, "Product Manager");
    assert.equal((await answers.getResponseById("2").json()).id, user.id);
    // A body that is not JSON (the count is text/plain) comes base64-encoded, as Graph sends it.
    const count = answers.getResponseById("3");
    assert.equal(count.headers.get("Content-Type"), "text/plain; charset=utf-8");
    assert.equal(Buffer.from(await count.text(), "base64").toString(), "6");
  });

  test("without customHosts the client keeps the token to itself: 401", async () => {
    const { origin } = new URL(baseUrl);
    const careful = Client.init({
      baseUrl: origin,
      defaultVersion: "beta",
      authProvider: (done) => done(null, "x"),
    });
    await assert.rejects(careful.api("/me").get(), { statusCode: 401, code: "InvalidAuthenticationToken" });
  });
});
