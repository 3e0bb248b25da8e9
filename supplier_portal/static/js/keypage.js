// Signing-key page: is the key in this browser? Import an encrypted backup.
import { msg, showError } from "./common.js";
import { KeyFileError, importBackup, loadKey } from "./keys.js";

const did = document.getElementById("org-did").textContent.trim();
const status = document.getElementById("key-here");

async function refresh() {
  const key = await loadKey(did);
  status.textContent = key ? msg("present") : msg("absent");
  status.dataset.present = key ? "yes" : "no";
}

document.getElementById("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  showError("import", "");
  const file = document.getElementById("key-file").files[0];
  if (!file || file.size > 65536) { showError("import", msg("badFile")); return; }
  try {
    await importBackup(await file.text(), document.getElementById("key-password").value, did);
    status.textContent = msg("imported");
    await refresh();
  } catch (error) {
    showError("import", error instanceof KeyFileError ? msg(error.kind) : String(error));
  }
});

refresh();
