// What every inspector page shares: calling the control API, and building DOM from data safely.
// Data only ever becomes text (textContent), never HTML.

export const control = document.body.dataset.control;

// Every change the inspector makes: same origin, JSON, and the header the server asks of a browser
// (a form or a script on another page cannot send it).
export async function change(method, path, body) {
  const init = {
    method,
    headers: { "Content-Type": "application/json", "X-Mockgraph-Client": "inspector" },
    credentials: "same-origin",
    cache: "no-store",
  };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  return answer(await fetch(control + path, init));
}

export async function read(path) {
  return answer(await fetch(control + path, { headers: { Accept: "application/json" }, cache: "no-store" }));
}

async function answer(response) {
  const text = await response.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) {
    const message = data && data.error ? `${data.error.code}: ${data.error.message}` : String(data || "");
    throw new Error(`${response.status} ${message}`.trim());
  }
  return data;
}

// el("span", {className: "x", title: "y"}, "text", otherNode): attributes as properties, children as text or nodes.
export function el(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function pretty(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function show(node, text) {
  node.textContent = text;
  node.hidden = !text;
}
