// The live request list: polls the journal with a cursor (?after=id) and puts new entries on top.
// Batch inner requests sit under their batch. Filters only hide rows; nothing is fetched again.
import { change, el, pretty, read, show } from "./common.js";

const POLL_MS = 500;
const KEEP = 1000; // entries held in the page; older ones drop off the bottom

const list = document.getElementById("requests");
const empty = document.getElementById("no-requests");
const live = document.getElementById("live");
const message = document.getElementById("message");
const users = JSON.parse(document.getElementById("users-data").textContent);
const filterInputs = ["status", "method", "path", "user"].map((name) => document.getElementById(`filter-${name}`));

const rows = new Map(); // entry id -> {entry, group, inner, children: []}
const orphans = new Map(); // batch entry id -> rows of its inner requests recorded before it
let cursor = null;
let first = true;
let filters = currentFilters();

function currentFilters() {
  const [status, method, path, user] = filterInputs.map((input) => input.value.trim());
  return { status, method, path: path.toLowerCase(), user: user.toLowerCase() };
}

function fullPath(entry) {
  const query = Object.entries(entry.query || {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => (v === "" ? name : `${name}=${v}`)));
  return query.length ? `${entry.path}?${query.join("&")}` : entry.path;
}

function callerText(caller) {
  if (!caller) return { text: "—", title: "no caller: the token was missing or refused" };
  const parts = [];
  let title = "";
  if (caller.userId) {
    const user = users[caller.userId];
    parts.push(user ? user.displayName || user.userPrincipalName || caller.userId : caller.userId);
    title = caller.userId + (user && user.userPrincipalName ? ` (${user.userPrincipalName})` : "");
  } else if (caller.roles.length && !caller.scopes.length) {
    parts.push("app only");
  } else {
    parts.push("default user");
    title = "the token names no oid: the default user, or the user its upn names";
  }
  if (caller.appId) parts.push(`app ${caller.appId}`);
  return { text: parts.join(" · "), title };
}

function userText(entry) {
  const words = [entry.path];
  const caller = entry.caller;
  if (caller && caller.userId) {
    words.push(caller.userId);
    const user = users[caller.userId];
    if (user) words.push(user.displayName || "", user.userPrincipalName || "");
  } else if (caller) {
    words.push("default user");
  }
  return words.join(" ").toLowerCase();
}

function errorCode(entry) {
  const body = entry.responseBody;
  return entry.status >= 400 && body && typeof body === "object" && body.error ? body.error.code : "";
}

function matches(entry) {
  if (filters.status && String(entry.status)[0] !== filters.status) return false;
  if (filters.method && entry.method !== filters.method) return false;
  if (filters.path && !fullPath(entry).toLowerCase().includes(filters.path)) return false;
  if (filters.user && !userText(entry).includes(filters.user)) return false;
  return true;
}

function timeOf(entry) {
  // "2024-01-01T09:00:00.1234560Z" -> "09:00:00.123" (the mock's clock, UTC)
  const match = /T(\d\d:\d\d:\d\d)(\.\d{3})?/.exec(entry.time);
  return match ? match[1] + (match[2] || "") : entry.time;
}

function headerText(headers) {
  return Object.entries(headers || {}).map(([name, value]) => `${name}: ${value}`).join("\n");
}

function block(label, text, empty = "(none)") {
  return el("div", { className: "block" }, el("h4", {}, label),
    el("pre", { className: text ? "json" : "json none" }, text || empty));
}

function detail(entry) {
  const requestSide = el("section", { className: "side" },
    el("h3", {}, "Request"),
    el("p", { className: "line" }, `${entry.method} ${fullPath(entry)}`),
    block("Headers", headerText(entry.headers)),
    block("Body", pretty(entry.body), "(no body)"));
  const responseSide = el("section", { className: "side" },
    el("h3", {}, "Response"),
    el("p", { className: "line" }, `${entry.status} in ${entry.durationMs} ms`),
    block("Headers", headerText(entry.responseHeaders)),
    block("Body", pretty(entry.responseBody), "(no body)"));
  // One line each: what the mock made of the request.
  const about = ["id", "time", "caller", "fault", "batch"].map((key) => `${key}: ${JSON.stringify(entry[key])}`);
  return el("div", { className: "detail" }, requestSide, responseSide,
    el("section", { className: "side about" }, block("Entry", about.join("\n"))));
}

function render(entry) {
  const caller = callerText(entry.caller);
  const fault = entry.fault ? `${entry.fault.rule} ${entry.fault.effect}` : "";
  const summary = el("summary", { className: "row" },
    el("span", { className: "time", title: entry.time }, timeOf(entry)),
    el("span", { className: "method" }, entry.method),
    el("span", { className: "path", title: fullPath(entry) },
      entry.batch ? el("span", { className: "batch-id" }, `${entry.batch.requestId} ↳ `) : null, fullPath(entry)),
    el("span", { className: "caller", title: caller.title }, caller.text),
    el("span", { className: "status" }, entry.status),
    el("span", { className: "code" }, errorCode(entry)),
    el("span", { className: "fault" }, fault),
    el("span", { className: "duration" }, `${entry.durationMs} ms`));
  const details = el("details", { className: "entry" }, summary);
  // Built when first opened: a thousand rows of headers and bodies would be a heavy page.
  details.addEventListener("toggle", () => {
    if (details.open && details.childElementCount === 1) details.append(detail(entry));
  });
  const inner = el("div", { className: "inner" });
  const group = el("div", {
    className: `group s${String(entry.status)[0]}${entry.batch ? " in-batch" : ""}`,
    dataset: { id: entry.id, status: entry.status, method: entry.method },
  }, details, inner);
  return { entry, group, inner, children: [] };
}

function add(entry) {
  if (rows.has(entry.id)) return;
  const row = render(entry);
  rows.set(entry.id, row);
  const parent = entry.batch && rows.get(entry.batch.entry);
  if (parent) {
    parent.children.push(row);
    parent.inner.append(row.group);
  } else {
    list.prepend(row.group);
    if (entry.batch) {
      // Its batch finishes after it: shown on its own until then.
      const waiting = orphans.get(entry.batch.entry) || [];
      waiting.push(row);
      orphans.set(entry.batch.entry, waiting);
    }
  }
  for (const child of orphans.get(entry.id) || []) {
    row.children.push(child);
    row.inner.append(child.group);
  }
  orphans.delete(entry.id);
}

function trim() {
  while (rows.size > KEEP && list.lastElementChild) {
    const oldest = rows.get(Number(list.lastElementChild.dataset.id));
    list.lastElementChild.remove();
    for (const row of [oldest, ...(oldest ? oldest.children : [])]) if (row) rows.delete(row.entry.id);
  }
}

function applyFilters(row) {
  let anyChild = false;
  for (const child of row.children) {
    child.group.hidden = !matches(child.entry);
    anyChild = anyChild || !child.group.hidden;
  }
  row.group.hidden = !(matches(row.entry) || anyChild);
}

function refresh() {
  for (const node of list.children) {
    const row = rows.get(Number(node.dataset.id));
    if (row) applyFilters(row);
  }
  const shown = [...rows.values()].filter((row) => !row.group.closest("[hidden]")).length;
  empty.hidden = rows.size > 0;
  live.textContent = `live · ${shown} shown of ${rows.size}`;
}

async function poll() {
  try {
    // First the newest KEEP; then only what is new (after=0 while the journal is still empty: id 0 is
    // never held, so that is everything held).
    const query = first ? `last=${KEEP}` : `after=${cursor === null ? 0 : cursor}`;
    const { value } = await read(`/requests?${query}`);
    first = false;
    for (const entry of value) add(entry);
    if (value.length) {
      cursor = value[value.length - 1].id;
      trim();
    }
    refresh();
    live.classList.remove("down");
  } catch (error) {
    live.textContent = `cannot reach the mock (${error.message}); retrying`;
    live.classList.add("down");
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

function clearList() {
  list.replaceChildren();
  rows.clear();
  orphans.clear();
  refresh();
}

for (const input of filterInputs) {
  input.addEventListener("input", () => {
    filters = currentFilters();
    refresh();
  });
}
document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
document.getElementById("clear-journal").addEventListener("click", async () => {
  try {
    await change("DELETE", "/requests");
    clearList();
    show(message, "");
  } catch (error) {
    show(message, `Not cleared: ${error.message}`);
  }
});

poll();
