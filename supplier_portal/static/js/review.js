// Review page: check the unsigned credential with the exchange (dry run), then sign it with this browser's key
// and submit it. Problems found stop before the key is used; "Show them in the table" takes the rows back to the
// grid with each problem next to its cell.
import { msg, postJSON, showError } from "./common.js";
import { sign } from "./eddsa.js";
import { loadKey } from "./keys.js";

const unsigned = JSON.parse(document.getElementById("unsigned-credential").textContent);
const button = document.getElementById("sign-submit");
const problems = document.getElementById("check-problems");

function showProblems(list) {
  const ul = problems.querySelector("ul");
  ul.replaceChildren(...list.map((p) => {
    const li = document.createElement("li");
    li.dataset.field = p.field;
    li.textContent = p.line;
    return li;
  }));
  problems.hidden = list.length === 0;
}

button.addEventListener("click", async () => {
  showError("sign", "");
  showProblems([]);
  const key = await loadKey(unsigned.issuer);
  if (!key) { showError("sign", msg("noKey")); return; }
  const progress = document.getElementById("sign-progress");
  progress.hidden = false;
  button.disabled = true;
  try {
    const checked = await postJSON("/portal/submissions/check", unsigned);
    if (!checked.ok) { showError("sign", checked.data.error); return; }
    if (!checked.data.ok) { showProblems(checked.data.problems); problems.scrollIntoView(); return; }
    const secured = await sign(unsigned, key);
    const result = await postJSON("/portal/submissions", secured);
    if (!result.ok) { showError("sign", result.data.error); return; }
    window.location.assign(result.data.next);
  } finally {
    progress.hidden = true;
    button.disabled = false;
  }
});
