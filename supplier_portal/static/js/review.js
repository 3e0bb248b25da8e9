// Review page: check the unsigned credential with the exchange (dry run), then sign it with this browser's key
// and submit it. Before the key is used, the credentialSubject about to be signed must have the SHA-256 (of its
// RFC 8785 form) that the server computed for the tables on this page: otherwise nothing is signed. Problems
// found stop before the key is used; "Show them in the table" takes the rows back to the grid with each problem
// next to its cell. The browser's Back button does what "Back to the activity data" does (the form carries every
// field of the grid back), so no row is lost after a failed signature or submission.
import { msg, postJSON, showError } from "./common.js";
import { sign } from "./eddsa.js";
import { canonicalBytes } from "./jcs.js";
import { loadKey } from "./keys.js";

const button = document.getElementById("sign-submit");
const problems = document.getElementById("check-problems");
const backForm = document.getElementById("back-form");
const expectedHash = document.getElementById("subject-sha256").dataset.sha256;

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** The credential this page will sign, read when it is about to be signed. */
function unsignedCredential() {
  return JSON.parse(document.getElementById("unsigned-credential").textContent);
}

/** True when the credential's subject is the one summarised on this page (same SHA-256 of its JCS form). */
async function isTheReviewedDocument(credential) {
  if (!credential || typeof credential.credentialSubject !== "object") return false;
  const digest = await crypto.subtle.digest("SHA-256", canonicalBytes(credential.credentialSubject));
  return hex(digest) === expectedHash;
}

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

function goBack() {
  const edit = document.createElement("input");
  edit.type = "hidden";
  edit.name = "edit";
  edit.value = "1";
  backForm.appendChild(edit);
  backForm.submit();
}

// The browser's Back button: one history entry of our own, so that Back returns to the grid with every row
// (through the back form) instead of an empty grid or a "resubmit the form?" page.
history.pushState({ review: true }, "");
window.addEventListener("popstate", goBack);

button.addEventListener("click", async () => {
  showError("sign", "");
  showProblems([]);
  let unsigned;
  try {
    unsigned = unsignedCredential();
  } catch {
    unsigned = null;
  }
  if (!(await isTheReviewedDocument(unsigned))) { showError("sign", msg("changed")); return; }
  const key = await loadKey(unsigned.issuer);
  if (!key) { showError("sign", msg("noKey")); return; }
  const progress = document.getElementById("sign-progress");
  progress.hidden = false;
  button.disabled = true;
  try {
    const checked = await postJSON("/portal/submissions/check", unsigned);
    if (!checked.ok) { showError("sign", checked.data.error + " " + msg("failed")); return; }
    if (!checked.data.ok) { showProblems(checked.data.problems); problems.scrollIntoView(); return; }
    const secured = await sign(unsigned, key);
    const result = await postJSON("/portal/submissions", secured);
    if (!result.ok) { showError("sign", result.data.error + " " + msg("failed")); return; }
    window.removeEventListener("popstate", goBack);
    window.location.assign(result.data.next);
  } finally {
    progress.hidden = true;
    button.disabled = false;
  }
});
