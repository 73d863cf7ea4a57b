// What the tests need of the running mock: its base URL (from `make test-js`) and a fresh user each.
import { randomUUID } from "node:crypto";

export const baseUrl = process.env.MOCKGRAPH_URL;
if (!baseUrl?.startsWith("https://")) {
  throw new Error("MOCKGRAPH_URL must name a mock served with --tls (run these tests with `make test-js`)");
}

// A user of one's own, with `positions` positions, through the control API (no token needed):
// test files run in parallel against one mock and never see each other's data.
export async function freshUser(positions = 0) {
  const id = randomUUID();
  const user = {
    id,
    userPrincipalName: `js-${id.slice(0, 8)}@contoso.com`,
    displayName: "JavaScript Tester",
    positions: Array.from({ length: positions }, (_, i) => ({
      detail: { jobTitle: `Job ${i + 1}`, company: { displayName: "Contoso" } },
      isCurrent: i === positions - 1,
    })),
  };
  const response = await fetch(new URL("/_mockgraph/seed", baseUrl), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ users: [user] }),
  });
  if (!response.ok) {
    throw new Error(`seeding answered ${response.status}: ${await response.text()}`);
  }
  return user;
}
