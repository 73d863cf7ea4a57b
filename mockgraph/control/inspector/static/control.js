// The control page's buttons and forms. Each calls the control API (see common.js); on success the page
// is loaded again, so what it shows is always the server's state, with a line saying what was done.
import { change, show } from "./common.js";

const FLASH = "mockgraph.inspector.flash";
const $ = (id) => document.getElementById(id);

const flash = sessionStorage.getItem(FLASH);
if (flash) {
  sessionStorage.removeItem(FLASH);
  show($("flash"), flash);
}

// Run `action`; then reload with `done` as the flash line, or show the error in `where` and stay.
function wire(node, event, where, action) {
  node.addEventListener(event, async (e) => {
    e.preventDefault();
    show(where, "");
    try {
      const done = await action(e);
      sessionStorage.setItem(FLASH, done);
      location.reload();
    } catch (error) {
      where.classList.add("error");
      show(where, error.message);
    }
  });
}

wire($("reset"), "click", $("data-message"), async () => {
  await change("POST", "/reset");
  return "Reset: back to the seeded data; journal, fault rules and clock cleared.";
});

wire($("clear-journal"), "click", $("data-message"), async () => {
  await change("DELETE", "/requests");
  return "Journal cleared.";
});

wire($("seed-form"), "submit", $("data-message"), async () => {
  const file = $("seed-file").files[0];
  if (!file) throw new Error("Choose a fixture file first.");
  const text = await file.text();
  try {
    JSON.parse(text);
  } catch (error) {
    throw new Error(`Not seeded: ${file.name} is not valid JSON (${error.message}).`);
  }
  // The file's own text, not a re-serialisation: the server reads it as strictly as check-fixtures does.
  let counts;
  try {
    counts = await change("POST", "/seed", text);
  } catch (error) {
    throw new Error(`Not seeded: ${file.name}: ${error.message}`);
  }
  // Users always; a collection only when the file held some of it (the answer counts all 19).
  const parts = Object.entries(counts).filter(([name, n]) => name === "users" || n > 0).map(([name, n]) => `${n} ${name}`);
  return `Seeded from ${file.name}: ${parts.join(", ")}.`;
});

wire($("rule-form"), "submit", $("rule-message"), async () => {
  const stored = await change("POST", "/faults", $("rule-text").value);
  const ids = (Array.isArray(stored) ? stored : [stored]).map((rule) => rule.id);
  return `Added fault rule ${ids.join(", ")}.`;
});

for (const button of document.querySelectorAll(".remove-rule")) {
  wire(button, "click", $("rule-message"), async () => {
    const id = button.dataset.rule;
    await change("DELETE", `/faults/${encodeURIComponent(id)}`);
    return `Removed fault rule ${id}.`;
  });
}

const removeAll = $("remove-all-rules");
if (removeAll) {
  wire(removeAll, "click", $("rule-message"), async () => {
    await change("DELETE", "/faults");
    return "Removed every fault rule.";
  });
}

wire($("clock-set-form"), "submit", $("clock-message"), async () => {
  const clock = await change("POST", "/clock", { set: $("clock-set").value.trim() });
  return `Clock set to ${clock.now} (frozen).`;
});

wire($("clock-advance-form"), "submit", $("clock-message"), async () => {
  const seconds = Number($("clock-advance").value);
  if ($("clock-advance").value.trim() === "" || !Number.isFinite(seconds)) throw new Error("Give a number of seconds.");
  const clock = await change("POST", "/clock", { advance: seconds });
  return `Clock advanced to ${clock.now} (frozen).`;
});

wire($("clock-release"), "click", $("clock-message"), async () => {
  const clock = await change("POST", "/clock", { release: true });
  return `Clock released: real time, now ${clock.now}.`;
});
