// Factor picker for the activity grid's emission-factor cells: type a name (电解铝, aluminium, dianjielv), an id
// or a CPCD code and choose from the library's ranked factors. An ARIA combobox: arrow keys move, Enter picks,
// Escape closes; the mouse works too. One list for the whole table (rows added later are covered).
import { msg } from "./common.js";

const sheet = document.getElementById("sheet");
const list = document.getElementById("picker-list");
const status = document.getElementById("picker-status");
document.body.appendChild(list); // positioned against the page, above the scrolling table
let input = null;
let results = [];
let active = -1;
let timer = 0;
let asked = 0;

function sectionOf(field) {
  const select = field.closest("tr").querySelector('select[name$=".section"]');
  return select ? select.value : "";
}

function close() {
  list.hidden = true;
  list.replaceChildren();
  results = [];
  active = -1;
  if (input) { input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
}

function option(hit, i) {
  const li = document.createElement("li");
  li.id = `picker-option-${i}`;
  li.setAttribute("role", "option");
  li.setAttribute("aria-selected", "false");
  li.dataset.id = hit.id;
  const name = document.createElement("strong");
  name.textContent = hit.name;
  li.append(name);
  for (const mark of hit.marks) {
    const badge = document.createElement("span");
    badge.className = `badge ${mark.kind}`;
    badge.textContent = mark.text;
    li.append(" ", badge);
  }
  const facts = document.createElement("small");
  const value = `${Number(hit.value).toPrecision(4)} kgCO2e/${hit.unit}`;
  facts.textContent = [value, hit.geography, hit.year ?? "", hit.source, `${msg("pickerVersion")} ${hit.version}`]
    .filter(Boolean).join(" · ");
  const id = document.createElement("code");
  id.textContent = hit.id;
  li.append(document.createElement("br"), facts, document.createElement("br"), id);
  li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
  return li;
}

function show(hits) {
  results = hits;
  active = -1;
  list.replaceChildren(...hits.map(option));
  const box = input.getBoundingClientRect();
  list.style.left = `${window.scrollX + box.left}px`;
  list.style.top = `${window.scrollY + box.bottom + 2}px`;
  list.hidden = hits.length === 0;
  input.setAttribute("aria-expanded", String(hits.length > 0));
  status.textContent = hits.length ? msg("pickerCount").replace("{n}", String(hits.length)) : msg("pickerNone");
}

function highlight(i) {
  if (!results.length) return;
  active = (i + results.length) % results.length;
  list.querySelectorAll("li").forEach((li, n) => li.setAttribute("aria-selected", String(n === active)));
  const current = list.children[active];
  input.setAttribute("aria-activedescendant", current.id);
  current.scrollIntoView({ block: "nearest" });
}

function choose(i) {
  input.value = results[i].id;
  input.dispatchEvent(new Event("change", { bubbles: true }));
  close();
}

async function search(field) {
  const q = field.value.trim();
  if (q.length < 1) { close(); return; }
  const ask = ++asked;
  const url = `/portal/factors/search?q=${encodeURIComponent(q)}&section=${encodeURIComponent(sectionOf(field))}`;
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (ask !== asked || field !== input || !response.ok) return; // a newer query was typed, or it failed
  show((await response.json()).results);
}

sheet.addEventListener("input", (event) => {
  if (!event.target.classList.contains("factor-input")) return;
  input = event.target;
  clearTimeout(timer);
  timer = setTimeout(() => search(input), 180);
});

sheet.addEventListener("keydown", (event) => {
  if (event.target !== input || list.hidden) return;
  if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
  else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
  else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(active); }
  else if (event.key === "Escape") { event.preventDefault(); close(); }
});

sheet.addEventListener("focusout", (event) => { if (event.target === input) setTimeout(close, 150); });
