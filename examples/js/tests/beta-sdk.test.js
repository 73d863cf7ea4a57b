// The Kiota-based beta SDK (@microsoft/msgraph-beta-sdk) against the mock. Its fluent request builders
// for /users live in a separate package, @microsoft/msgraph-beta-sdk-users, which the npm registry does not
// serve (404): so requests go through the SDK's request adapter, with its models and its error type.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";

import { HttpMethod, RequestInformation } from "@microsoft/kiota-abstractions";
import { createGraphBetaServiceClient } from "@microsoft/msgraph-beta-sdk";
import {
  createUserFromDiscriminatorValue,
  createWorkPositionCollectionResponseFromDiscriminatorValue,
  createWorkPositionFromDiscriminatorValue,
  serializeWorkPosition,
} from "@microsoft/msgraph-beta-sdk/models/index.js";
import { createODataErrorFromDiscriminatorValue } from "@microsoft/msgraph-beta-sdk/models/oDataErrors/index.js";
import { BatchRequestContent, PageIterator } from "@microsoft/msgraph-sdk-core";

import { betaAdapter } from "../clients.js";
import { baseUrl, freshUser } from "./mock.js";

const errors = { XXX: createODataErrorFromDiscriminatorValue }; // any status >= 400 becomes an ODataError

describe("beta SDK", () => {
  const adapter = betaAdapter(baseUrl);
  let user;
  let positions;

  function request(method, path, body) {
    const info = new RequestInformation(method, "{+baseurl}" + path, { baseurl: adapter.baseUrl });
    if (body !== undefined) {
      info.setContentFromParsable(adapter, "application/json", body, serializeWorkPosition);
    }
    return info;
  }

  before(async () => {
    user = await freshUser(5);
    positions = `/users/${user.id}/profile/positions`;
  });

  test("the fluent API needs @microsoft/msgraph-beta-sdk-users, which is not installed", () => {
    const client = createGraphBetaServiceClient(adapter);
    assert.throws(() => client.users, /couldn't find navigation property users/);
  });

  test("create, get, merge PATCH, delete", async () => {
    const body = { detail: { jobTitle: "Product Manager", company: { displayName: "Contoso", department: "Sales" } } };
    const created = await adapter.send(request(HttpMethod.POST, positions, body),
      createWorkPositionFromDiscriminatorValue, errors);
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.ok(created.createdDateTime instanceof Date);

    const item = `${positions}/${created.id}`;
    const fetched = await adapter.send(request(HttpMethod.GET, item), createWorkPositionFromDiscriminatorValue, errors);
    assert.equal(fetched.detail.jobTitle, "Product Manager");

    const patched = await adapter.send(request(HttpMethod.PATCH, item, { detail: { jobTitle: "Director" } }),
      createWorkPositionFromDiscriminatorValue, errors);
    assert.equal(patched.detail.jobTitle, "Director");
    assert.equal(patched.detail.company.department, "Sales");

    await adapter.sendNoResponseContent(request(HttpMethod.DELETE, item), errors);
    await assert.rejects(adapter.send(request(HttpMethod.GET, item), createWorkPositionFromDiscriminatorValue, errors),
      { responseStatusCode: 404 });
  });

  test("list two at a time with the SDK's PageIterator", async () => {
    const first = await adapter.send(request(HttpMethod.GET, `${positions}?$top=2`),
      createWorkPositionCollectionResponseFromDiscriminatorValue, errors);
    assert.equal(first.value.length, 2);
    assert.ok(first.odataNextLink.includes("$skiptoken="));
    const titles = [];
    await new PageIterator(adapter, first, (position) => {
      titles.push(position.detail.jobTitle);
      return true;
    }, createWorkPositionCollectionResponseFromDiscriminatorValue, errors).iterate();
    assert.deepEqual(titles, ["Job 1", "Job 2", "Job 3", "Job 4", "Job 5"]);
  });

  test("count", async () => {
    assert.equal(await adapter.sendPrimitive(request(HttpMethod.GET, `${positions}/$count`), "number", errors), 5);
  });

  test("a 404 and a 400 are ODataErrors with Graph's code", async () => {
    const missing = await adapter.send(request(HttpMethod.GET, `${positions}/no-such-id`),
      createWorkPositionFromDiscriminatorValue, errors).catch((error) => error);
    assert.equal(missing.responseStatusCode, 404);
    assert.equal(missing.errorEscaped.code, "itemNotFound"); // Kiota renames `error` to `errorEscaped`

    const invalid = await adapter.send(request(HttpMethod.POST, positions, { isCurrent: true }),
      createWorkPositionFromDiscriminatorValue, errors).catch((error) => error);
    assert.equal(invalid.responseStatusCode, 400);
    assert.equal(invalid.errorEscaped.code, "BadRequest");
    assert.equal(invalid.message, "The property 'detail' is required.");
  });

  test("a batch of reads: statuses come back, JSON bodies do not (msgraph-sdk-core reads them as base64)",
    async () => {
      const batch = new BatchRequestContent(adapter, errors);
      batch.addBatchRequest(request(HttpMethod.GET, positions), "positions");
      batch.addBatchRequest(request(HttpMethod.GET, `/users/${user.userPrincipalName}`), "user");
      batch.addBatchRequest(request(HttpMethod.GET, "/users/nobody@contoso.com"), "nobody");
      const answers = await batch.postAsync();
      assert.deepEqual([...(await answers.getResponsesStatusCodes())].map(([id, status]) => `${id} ${status}`).sort(),
        ["nobody 404", "positions 200", "user 200"]);
      assert.equal(answers.getResponseById("user").body, undefined);
      assert.equal(answers.getParsableResponseById("user", adapter.getParseNodeFactory(),
        createUserFromDiscriminatorValue), undefined);
    });

  test("a batch step with a body loses its Content-Type in msgraph-sdk-core, and is refused", async () => {
    const batch = new BatchRequestContent(adapter, errors);
    const body = { detail: { jobTitle: "Batched", company: { displayName: "Contoso" } } };
    batch.addBatchRequest(request(HttpMethod.POST, positions, body), "create");
    assert.equal(batch.getContent().requests[0].headers, undefined);
    const answers = await batch.postAsync();
    assert.equal(answers.getResponseById("create").status, 400);
  });

  test("allowedAudiences reads back as [], not ['organization']: the SDK expects a JSON array", async () => {
    const page = await adapter.send(request(HttpMethod.GET, `${positions}?$top=1`),
      createWorkPositionCollectionResponseFromDiscriminatorValue, errors);
    assert.deepEqual(page.value[0].allowedAudiences, []);
    const raw = await fetch(new URL(`${baseUrl}${positions}?$top=1`), { headers: { Authorization: "Bearer x" } });
    assert.equal((await raw.json()).value[0].allowedAudiences, "organization"); // a flags enum is a string in JSON
  });
});
