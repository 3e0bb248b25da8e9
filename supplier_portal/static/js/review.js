// Review page: sign the unsigned credential with this browser's key and submit it.
import { msg, postJSON, showError } from "./common.js";
import { sign } from "./eddsa.js";
import { loadKey } from "./keys.js";

const unsigned = JSON.parse(document.getElementById("unsigned-credential").textContent);
const button = document.getElementById("sign-submit");

button.addEventListener("click", async () => {
  showError("sign", "");
  const key = await loadKey(unsigned.issuer);
  if (!key) { showError("sign", msg("noKey")); return; }
  const progress = document.getElementById("sign-progress");
  progress.hidden = false;
  button.disabled = true;
  try {
    const secured = await sign(unsigned, key);
    const result = await postJSON("/portal/submissions", secured);
    if (!result.ok) { showError("sign", result.data.error); return; }
    window.location.assign(result.data.next);
  } finally {
    progress.hidden = true;
    button.disabled = false;
  }
});
