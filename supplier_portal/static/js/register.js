// Register page: make the key here, offer its encrypted backup, sign the registration, send it.
import { clearErrors, download, msg, postJSON, showError } from "./common.js";
import { VC_V2_CONTEXT, sign, xsdDateTimeNow } from "./eddsa.js";
import { backupFile, finalise, generate, webCryptoEd25519 } from "./keys.js";

const form = document.getElementById("register-form");
const submit = document.getElementById("register-submit");
const minPassword = Number(document.getElementById("password").dataset.min);
let generated = null; // extractable until finalised
let stored = null; // the non-extractable record in IndexedDB
let backupDone = false;

function refresh() {
  submit.disabled = !(stored || (generated && (backupDone || document.getElementById("skip-backup").checked)));
}

document.getElementById("generate-key").addEventListener("click", async () => {
  clearErrors(form);
  if (!webCryptoEd25519()) { showError("key", msg("noWebCrypto")); return; }
  try {
    generated = await generate();
  } catch {
    showError("key", msg("noWebCrypto"));
    return;
  }
  stored = null;
  backupDone = false;
  document.getElementById("key-status").textContent = msg("keyReady") + " " + generated.did;
  document.getElementById("key-status").dataset.did = generated.did;
  document.getElementById("backup-box").hidden = false;
  document.getElementById("generate-key").disabled = true;
  refresh();
});

document.getElementById("export-backup").addEventListener("click", async () => {
  const password = document.getElementById("backup_password").value;
  if (password.length < minPassword) { showError("backup_password", msg("weakPassword")); return; }
  showError("backup_password", "");
  const text = await backupFile(generated, password);
  download(`tanlian-key-${generated.multibase.slice(0, 16)}.json`, text);
  backupDone = true;
  document.getElementById("key-status").textContent += " — " + msg("backupSaved");
  refresh();
});

document.getElementById("skip-backup").addEventListener("change", refresh);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const nameZh = form.name_zh.value.trim();
  const nameEn = form.name_en.value.trim();
  const roles = [...form.querySelectorAll('input[name="roles"]:checked')].map((c) => c.value);
  const username = form.username.value.trim();
  const password = form.password.value;
  let bad = false;
  if (!nameZh && !nameEn) bad = showError("name", msg("needName"));
  if (!roles.length) bad = showError("roles", msg("needRole"));
  if (!/^[A-Za-z0-9._@-]{3,80}$/.test(username)) bad = showError("username", msg("badUsername"));
  if (password.length < minPassword) bad = showError("password", msg("weakPassword"));
  if (!generated && !stored) bad = showError("key", msg("needKey"));
  if (bad) return;
  const progress = document.getElementById("register-progress");
  progress.hidden = false;
  submit.disabled = true;
  try {
    if (!stored) stored = await finalise(generated);
    generated = null;
    const name = {};
    if (nameZh) name.zh = nameZh;
    if (nameEn) name.en = nameEn;
    const subject = { id: stored.did, name, roles };
    if (form.uscc.value.trim()) subject.uscc = form.uscc.value.trim();
    const prefixes = form.idis_prefixes.value.split(/[\s,，]+/).filter(Boolean);
    if (prefixes.length) subject.idisPrefixes = prefixes;
    const registration = await sign({
      "@context": [VC_V2_CONTEXT],
      id: "urn:uuid:" + crypto.randomUUID(),
      type: ["VerifiableCredential", "OrganisationRegistration"],
      issuer: stored.did,
      validFrom: xsdDateTimeNow(),
      credentialSubject: subject,
    }, stored);
    const result = await postJSON("/portal/register", { registration, username, password });
    if (!result.ok) {
      const field = (result.data.field || "registration")
        .replace(/^credentialSubject\./, "")
        .replace(/\[\d+\]$/, "");
      if (!showError(field, result.data.error)) showError("registration", result.data.error);
      return;
    }
    form.hidden = true;
    document.getElementById("registered-did").textContent = result.data.did;
    document.getElementById("api-token").textContent = result.data.apiToken;
    document.getElementById("registered").hidden = false;
  } finally {
    progress.hidden = true;
    refresh();
  }
});
