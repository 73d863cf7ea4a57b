// Microsoft's JavaScript Graph clients pointed at mockgraph (docs/other-languages.md quotes this file).
// Both send a token only over https: serve the mock with `mockgraph serve --tls --cert-out mockgraph.pem`
// and start node with NODE_EXTRA_CA_CERTS=mockgraph.pem so that it trusts the certificate.

// The classic client: @microsoft/microsoft-graph-client
import { BatchRequestContent, BatchResponseContent, Client } from "@microsoft/microsoft-graph-client";

// baseUrl is what the mock prints: "https://127.0.0.1:8765/beta"
export function classicClient(baseUrl, token = "x") {
  const { origin, hostname, pathname } = new URL(baseUrl);
  return Client.init({
    baseUrl: origin, // the client adds the version itself
    defaultVersion: pathname.replaceAll("/", ""), // "beta"
    customHosts: new Set([hostname]), // the token goes only to Graph and these hosts (a hostname, no port)
    authProvider: (done) => done(null, token),
  });
}

// A batch step is a Request whose URL has no version segment: the client sends the part after the
// host as the step's url, which the mock (like Graph) reads relative to /beta.
export async function classicBatch(client, baseUrl, steps) {
  const { origin } = new URL(baseUrl);
  const content = new BatchRequestContent(
    steps.map(({ id, method = "GET", path, body, dependsOn }) => ({
      id,
      dependsOn,
      request: new Request(origin + path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
      }),
    })),
  );
  const answer = await client.api("/$batch").post(await content.getContent());
  return new BatchResponseContent(answer);
}

// The Kiota-based beta SDK: @microsoft/msgraph-beta-sdk
import { AllowedHostsValidator, BaseBearerTokenAuthenticationProvider } from "@microsoft/kiota-abstractions";
import { GraphBetaRequestAdapter } from "@microsoft/msgraph-beta-sdk";

export function betaAdapter(baseUrl, token = "x") {
  const hosts = new AllowedHostsValidator(new Set([new URL(baseUrl).hostname]));
  const authentication = new BaseBearerTokenAuthenticationProvider({
    getAuthorizationToken: async (url) => (hosts.isUrlHostValid(url) ? token : ""),
    getAllowedHostsValidator: () => hosts,
  });
  const adapter = new GraphBetaRequestAdapter(authentication);
  adapter.baseUrl = baseUrl; // the version included: "https://127.0.0.1:8765/beta"
  return adapter;
}
