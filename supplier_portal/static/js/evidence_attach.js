// 佐证材料 in the activity grid: each row's "Upload evidence" (and the document-level one) uploads the chosen file
// to the evidence store (POST /portal/evidence, multipart, CSRF token in X-CSRF-Token, JSON answer) and appends
// the CID the server computed to the cell's field, so the signed activity data cites it under that input.
// XMLHttpRequest, not fetch: only XHR reports upload progress events (shown for large files).
import { csrfToken, msg } from "./common.js";

const script = document.getElementById("evidence-attach-script");
const uploadUrl = script ? script.dataset.upload : "/portal/evidence";
const form = document.getElementById("activity-form");

function say(cell, key, params = {}) {
  let text = msg(key);
  for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, String(value));
  cell.querySelector(".evidence-status").textContent = text;
}

function cidsOf(input) {
  return input.value.split(/[\s,;，；、]+/).filter(Boolean);
}

function attach(cell, file) {
  const field = cell.querySelector(".evidence-input");
  const bar = cell.querySelector(".evidence-progress");
  const picker = cell.querySelector(".evidence-file");
  const body = new FormData();
  body.append("file", file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", uploadUrl);
  xhr.setRequestHeader("X-CSRF-Token", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.responseType = "json";
  xhr.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.floor((100 * event.loaded) / event.total);
    bar.value = percent;
    say(cell, "evidenceUploading", { percent });
  });
  xhr.upload.addEventListener("load", () => { bar.value = 100; say(cell, "evidenceStoring"); });
  const done = () => { picker.disabled = false; bar.hidden = true; picker.value = ""; };
  xhr.addEventListener("load", () => {
    done();
    const data = xhr.response || {};
    if ((xhr.status === 200 || xhr.status === 201) && data.cid) {
      const cids = cidsOf(field);
      if (!cids.includes(data.cid)) cids.push(data.cid);
      field.value = cids.join(" ");
      const item = document.createElement("li");
      item.title = data.cid;
      item.textContent = data.filename;
      cell.querySelector(".evidence-names").appendChild(item);
      say(cell, "evidenceStored", { name: data.filename });
      field.dispatchEvent(new Event("change", { bubbles: true }));  // drafts and checks see the new CID
    } else {
      say(cell, "evidenceFailed");
      if (data.error) cell.querySelector(".evidence-status").textContent += " " + data.error;
    }
  });
  xhr.addEventListener("error", () => { done(); say(cell, "evidenceFailed"); });
  picker.disabled = true;
  bar.hidden = false;
  bar.value = 0;
  say(cell, "evidenceUploading", { percent: 0 });
  xhr.send(body);
}

form?.addEventListener("change", (event) => {
  const picker = event.target;
  if (!(picker instanceof HTMLInputElement) || !picker.classList.contains("evidence-file")) return;
  const file = picker.files && picker.files[0];
  const cell = picker.closest("td, .evidence-cell");
  if (file && cell) attach(cell, file);
});

// a CID typed or deleted by hand: the names list follows the field (names of removed CIDs go)
form?.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.classList.contains("evidence-input")) return;
  const cids = new Set(cidsOf(field));
  const cell = field.closest("td, .evidence-cell");
  cell?.querySelectorAll(".evidence-names li").forEach((li) => { if (!cids.has(li.title)) li.remove(); });
});

// a row added by sheet.js is a copy of the last one: it starts without the copied file names
document.getElementById("add-row")?.addEventListener("click", () => {
  const rows = document.querySelectorAll("#sheet tbody tr");
  const added = rows[rows.length - 1];
  added?.querySelectorAll(".evidence-names li").forEach((li) => li.remove());
  added?.querySelectorAll(".evidence-status").forEach((s) => { s.textContent = ""; });
});
